"""The outbox: every email is a row, written in the transaction that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..columns import UTCDateTime, state_enum, utcnow
from ..extensions import db


class MailState(enum.Enum):
    PENDING = "pending"  # waiting to be sent (again, after a temporary failure)
    SENDING = "sending"  # claimed by a worker until claimed_until
    SENT = "sent"
    FAILED = "failed"  # permanently refused, or out of attempts


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "state", "next_attempt_at"),
        Index("ix_outbox_messages_recipient", "recipient_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # the template's name
    to_address: Mapped[str] = mapped_column(String(254))
    # The mailbox it reaches (compose.recipient_key), for the per-recipient limit.
    recipient_key: Mapped[str] = mapped_column(String(254), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    message_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[MailState] = mapped_column(
        state_enum(MailState, "mail_state"), default=MailState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
