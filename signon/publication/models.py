"""Editions: what a published statement printed, and when.

Publishing makes edition 1. Each later change to the published list (a
withdrawal, a late signature the team accepts) makes the next edition; earlier
editions keep their files and stay downloadable by their date.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, utcnow
from ..extensions import db
from ..statements.models import Statement, Version


class Edition(db.Model):
    __tablename__ = "editions"
    __table_args__ = (UniqueConstraint("statement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]  # 1 = the publication itself
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(300))  # an audit actor
    reason: Mapped[str] = mapped_column(String(200))  # "published", "list updated: ..."
    # The signatory section as printed: display fields only, never contact data.
    snapshot: Mapped[dict] = mapped_column(JSON)

    statement: Mapped[Statement] = relationship()
    version: Mapped[Version] = relationship()
