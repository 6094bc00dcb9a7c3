"""Statements and their immutable versions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import pgettext
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, state_enum, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..accounts.models import Membership, User
    from ..signatures.models import Signature
    from .translation_models import Translation


class Status(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class SignatoryOrder(enum.Enum):
    ALPHABETICAL = "alphabetical"
    AS_LISTED = "as-listed"
    SIGNED_AT = "signed-at"


class ChangeKind(enum.Enum):
    INITIAL = "initial"
    MINOR = "minor"
    SUBSTANTIVE = "substantive"

    @property
    def label(self) -> str:
        """The kind as the history names it, lower case, in the page's language."""
        if self is ChangeKind.MINOR:
            return pgettext("change kind", "minor")
        if self is ChangeKind.SUBSTANTIVE:
            return pgettext("change kind", "substantive")
        return pgettext("change kind", "initial")


class Statement(db.Model):
    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(20), default="en")
    status: Mapped[Status] = mapped_column(state_enum(Status, "status"), default=Status.DRAFT)
    date: Mapped[str | None] = mapped_column(String(10))  # ISO date shown on the document
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signatories_intro: Mapped[str] = mapped_column(Text, default="")
    signatory_order: Mapped[SignatoryOrder] = mapped_column(
        state_enum(SignatoryOrder, "signatory_order"), default=SignatoryOrder.ALPHABETICAL
    )
    open_call: Mapped[bool] = mapped_column(default=False)
    # Off (the default): nothing of the list is public before publication. An owner
    # may opt in to a live public list while collecting (audited; a stated risk).
    live_list: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Which text binds: the master alone (False, the default) or every language alike.
    all_languages_authoritative: Mapped[bool] = mapped_column(
        default=False, server_default=sa_false()
    )
    # Who is asking, one organisation per line: named in invitations and on the
    # signer's landing page so a partner can tell a real request from phishing.
    lead_organisations: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Invitation links stay valid this many hours past the deadline.
    link_grace_hours: Mapped[int] = mapped_column(default=0)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Raised in the same flush as any change to one of its signatures
    # (signatures/revision.py): names the list in the render cache's keys.
    list_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # When it last closed (by hand, or its deadline); None while draft or open.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Publication: when and by whom; before embargo_until the public sees 404.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(String(300), default="", server_default="")
    embargo_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When contact data of its signatures was purged (signon purge-contacts).
    contacts_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    current_version: Mapped[Version | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[Version]] = relationship(
        back_populates="statement",
        foreign_keys="Version.statement_id",
        order_by="Version.number",
        cascade="all, delete-orphan",
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="statement", cascade="all, delete-orphan"
    )
    signatures: Mapped[list[Signature]] = relationship(
        back_populates="statement", cascade="all, delete-orphan"
    )
    translations: Mapped[list[Translation]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", order_by="Translation.language"
    )

    @property
    def lead_organisation_names(self) -> list[str]:
        return [line.strip() for line in self.lead_organisations.splitlines() if line.strip()]

    @property
    def body(self) -> str:
        return self.current_version.body if self.current_version else ""

    def __repr__(self) -> str:
        return f"<Statement {self.slug}>"


class Version(db.Model):
    """One saved state of a statement's text. Never updated once written."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("statement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    change_kind: Mapped[ChangeKind] = mapped_column(
        state_enum(ChangeKind, "change_kind"), default=ChangeKind.INITIAL
    )
    note: Mapped[str] = mapped_column(String(500), default="")

    statement: Mapped[Statement] = relationship(
        back_populates="versions", foreign_keys=[statement_id]
    )
    author: Mapped[User | None] = relationship()

    @property
    def fingerprint(self) -> str:
        """The short form shown to signers: first 12 hex of the SHA-256."""
        return self.sha256[:12]
