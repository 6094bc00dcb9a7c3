"""The audit trail: who did what to a statement, when. Rows are only ever added.

An event's detail holds ids and facts about the change, never a signer's contact
data (emails, authorisers' names): contact data is purged when a statement no
longer needs it, and audit rows cannot be edited, so nothing here could forget it.
Names of signatures and invitations are looked up when the trail is shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from ..columns import UTCDateTime, utcnow
from ..extensions import db


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


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a recorded audit event."""


def record(statement_id: int, actor: str, action: str, **detail) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(statement_id=statement_id, actor=actor, action=action, detail=detail)
    db.session.add(event)
    return event


def user_actor(user) -> str:
    """How a logged-in user appears in the audit trail."""
    return f"{user.name} <{user.email}>"


def actor_name(actor) -> str:
    """An actor as the audit trail names it: a user, or already a name (a command)."""
    return actor if isinstance(actor, str) else user_actor(actor)


# Append-only: refused before any SQL is sent, so the transaction is left as it
# was. The statement's own deletion still takes its events with it (ON DELETE
# CASCADE in the database), which is not an edit of the trail.


@event.listens_for(Session, "before_flush")
def _refuse_changed_events(session: Session, _context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTrailIsAppendOnly(f"Audit event {obj.id} cannot be deleted.")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj, include_collections=False):
            raise AuditTrailIsAppendOnly(f"Audit event {obj.id} cannot be changed.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == (
        AuditEvent.__tablename__
    ):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed or deleted.")
