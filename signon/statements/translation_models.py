"""A statement's text in languages besides its master: each translation version
names the master version it translates (see statements/translations.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, state_enum, utcnow
from ..extensions import db
from .models import ChangeKind, Statement, Version

if TYPE_CHECKING:
    from ..accounts.models import User


class Translation(db.Model):
    """The statement in one more language. Dropped: not offered to signers nor
    published, until its next version."""

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("statement_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    statement: Mapped[Statement] = relationship(back_populates="translations")
    versions: Mapped[list[TranslationVersion]] = relationship(
        back_populates="translation",
        cascade="all, delete-orphan",
        order_by="TranslationVersion.number",
    )

    @property
    def latest(self) -> TranslationVersion | None:
        return self.versions[-1] if self.versions else None


class TranslationVersion(db.Model):
    """One saved state of a translation. Never updated once written."""

    __tablename__ = "translation_versions"
    __table_args__ = (UniqueConstraint("translation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("translations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    master_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    intro: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64))
    translator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    change_kind: Mapped[ChangeKind] = mapped_column(
        state_enum(ChangeKind, "change_kind"), default=ChangeKind.INITIAL
    )
    note: Mapped[str] = mapped_column(String(500), default="")

    translation: Mapped[Translation] = relationship(back_populates="versions")
    master_version: Mapped[Version] = relationship()
    translator: Mapped[User | None] = relationship()

    @property
    def language(self) -> str:
        return self.translation.language

    @property
    def fingerprint(self) -> str:
        return self.sha256[:12]
