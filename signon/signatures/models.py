"""Signatures: an organisation's or a person's consent to one version of a text."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, state_enum, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..statements.models import Statement, Version
    from ..statements.translation_models import TranslationVersion


class SignatureState(enum.Enum):
    UNVERIFIED = "unverified"  # public form, email not yet verified
    PENDING = "pending"  # verified, waiting for the team's approval
    SIGNED = "signed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        """The state as the team's pages name it, in the page's language."""
        return STATE_LABELS[self]


STATE_LABELS = {
    SignatureState.UNVERIFIED: _l("unverified"),
    SignatureState.PENDING: _l("pending"),
    SignatureState.SIGNED: _l("signed"),
    SignatureState.REJECTED: _l("rejected"),
    SignatureState.WITHDRAWN: _l("withdrawn"),
}

# A signature that holds or awaits consent: neither rejected nor withdrawn.
LIVE_STATES = (SignatureState.UNVERIFIED, SignatureState.PENDING, SignatureState.SIGNED)


class SignatoryKind(enum.Enum):
    ORGANISATION = "organisation"
    INDIVIDUAL = "individual"

    @property
    def label(self):
        """The kind as the team's pages name it, in the page's language."""
        return KIND_LABELS[self]


KIND_LABELS = {
    SignatoryKind.ORGANISATION: _l("organisation"),
    SignatoryKind.INDIVIDUAL: _l("individual"),
}


class SignatureSource(enum.Enum):
    IMPORT = "import"
    INVITATION = "invitation"
    OPEN_CALL = "open-call"
    TEAM = "team"

    @property
    def label(self):
        """Where the signature came from, as the team's pages name it ("via …")."""
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    SignatureSource.IMPORT: _l("import"),
    SignatureSource.INVITATION: _l("invitation"),
    SignatureSource.OPEN_CALL: _l("open-call"),
    SignatureSource.TEAM: _l("team"),
}


class Signature(db.Model):
    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    text_sha256: Mapped[str] = mapped_column(String(64), default="")
    # What the signer read when it was a translation (else None and ""): its version
    # and hash, beside the master version and hash above (statements/translations.py).
    translation_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("translation_versions.id", ondelete="SET NULL")
    )
    translation_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The name as the signatory gives it in other languages or scripts (code -> name):
    # the documents in those languages print it (documents/signatories.in_language).
    other_names: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    source: Mapped[SignatureSource] = mapped_column(state_enum(SignatureSource, "source"))
    state: Mapped[SignatureState] = mapped_column(state_enum(SignatureState, "state"))
    position: Mapped[int] = mapped_column(default=0)  # the agreed order ("as-listed")
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str] = mapped_column(String(50), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[SignatoryKind] = mapped_column(
        state_enum(SignatoryKind, "kind"), default=SignatoryKind.ORGANISATION
    )
    listed_publicly: Mapped[bool] = mapped_column(default=True)
    authorised_by: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # The contact address (lowercased) that confirmed itself: by the link sent to
    # it (/c/, or /v/ for the open call). Mail goes to a contact only once it has.
    contact_confirmed: Mapped[str] = mapped_column(String(254), default="", server_default="")
    name_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # One signature per invitation: a double POST updates, never duplicates.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), unique=True
    )
    nonce: Mapped[str] = mapped_column(String(32), default="")  # manage / verify links
    authoriser_title: Mapped[str] = mapped_column(String(200), default="")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")  # team only
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Re-confirmation after a substantive change: when asked, last reminded, how often.
    reconfirm_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reconfirm_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reconfirm_reminders: Mapped[int] = mapped_column(default=0, server_default="0")

    statement: Mapped[Statement] = relationship(back_populates="signatures")
    version: Mapped[Version | None] = relationship()
    translation_version: Mapped[TranslationVersion | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship(back_populates="signature")

    @property
    def is_organisation(self) -> bool:
        return self.kind is SignatoryKind.ORGANISATION

    def contact_is_proven(self, invitation_email: str = "") -> bool:
        """Has the contact address shown it belongs to the signer: it is the address
        the invitation went to, or it confirmed itself by its link?"""
        contact = self.contact_email.lower()
        if not invitation_email and self.invitation is not None:
            invitation_email = self.invitation.email
        return bool(contact) and contact in (self.contact_confirmed, invitation_email.lower())

    @property
    def read_text(self):
        """The version the signer consented to as they read it: the translation's
        version, else the master's."""
        return self.translation_version or self.version

    @property
    def read_sha256(self) -> str:
        return self.translation_sha256 or self.text_sha256

    @property
    def read_title(self) -> str:
        """The statement's title as the signer reads it now (their translation's latest)."""
        read = self.translation_version
        return read.translation.latest.title if read is not None else self.statement.title

    @property
    def read_language(self) -> str:
        """The language the signer reads the statement in: their translation's, else its own."""
        read = self.translation_version
        return read.translation.language if read is not None else self.statement.language

    @property
    def reply_address(self) -> str:
        """Where mail about this signature goes: its contact email once proven,
        else its invitation's address; none once contacts were purged (addresses
        under the reserved .invalid domain, see retention.py). A contact typed
        into the form never receives mail before it confirms itself."""
        invitation_email = self.invitation.email if self.invitation else ""
        proven = self.contact_is_proven(invitation_email)
        address = self.contact_email if proven else invitation_email
        return "" if address.lower().endswith(".invalid") else address


class Invitation(db.Model):
    """A partner organisation asked by email to sign; its link carries id + nonce."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index("uq_invitations_statement_email", "statement_id", func.lower("email"), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(254))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    # The language the invitation offers the text in ("": the master's).
    language: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # The line's place in the pasted list: its signature takes it (the agreed order).
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    nonce: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_count: Mapped[int] = mapped_column(default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    statement: Mapped[Statement] = relationship()
    signature: Mapped[Signature | None] = relationship(back_populates="invitation")

    @property
    def read_language(self) -> str:
        """The language the invitation offers the text in: its own, else the statement's."""
        return self.language or self.statement.language

    @property
    def read_title(self) -> str:
        """The statement's title in the invitation's language, where a translation has one."""
        for translation in self.statement.translations if self.language else ():
            if translation.language == self.language and translation.latest is not None:
                return translation.latest.title
        return self.statement.title


def signer_actor(signature: Signature) -> str:
    """How a signer appears in the audit trail: by invitation, never by contact."""
    if signature.invitation_id:
        return f"signer via invitation {signature.invitation_id}"
    return f"signer of signature {signature.id}"
