"""The audit trail: who did what to a statement, when. Rows are only ever added."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .models import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(
        String(300)
    )  # "Lena Lead <lena@...>" or "signer via invitation 4"
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def record(statement_id: int, actor: str, action: str, **detail) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(statement_id=statement_id, actor=actor, action=action, detail=detail)
    db.session.add(event)
    return event


def user_actor(user) -> str:
    """How a logged-in user appears in the audit trail."""
    return f"{user.name} <{user.email}>"
