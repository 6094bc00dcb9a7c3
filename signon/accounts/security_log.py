"""The security log: what happened to an account (log-ins, failed log-ins,
password changes and resets). Each user reads their own (the account page)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from ..columns import UTCDateTime, utcnow
from ..extensions import db

LOGGED_IN = "logged in"
LOGIN_FAILED = "log-in failed (wrong password)"
PASSWORD_CHANGED = "password changed"  # noqa: S105 (an event's name)
RESET_REQUESTED = "password reset requested"
PASSWORD_RESET = "password reset through the emailed link"  # noqa: S105
LOGGED_OUT_EVERYWHERE = "logged out everywhere"
TWO_FACTOR_ON = "two-factor authentication turned on"
TWO_FACTOR_OFF = "two-factor authentication turned off"
TWO_FACTOR_RESET = "two-factor authentication removed by an administrator"
RECOVERY_CODE_USED = "recovery code used to log in"
TWO_FACTOR_FAILED = "log-in failed (wrong two-factor code)"
EMAIL_CHANGE_REQUESTED = "change of email requested"
EMAIL_CHANGED = "email changed"
REQUIRED_TWO_FACTOR = "required two-factor authentication of every account"
UNREQUIRED_TWO_FACTOR = "stopped requiring two-factor authentication of every account"
DISABLED_LOGIN = "log-in refused (the account is disabled)"
ACCOUNT_CREATED = "account created by an administrator"
ACCOUNT_DISABLED = "account disabled by an administrator"
ACCOUNT_ENABLED = "account enabled again by an administrator"
MADE_ADMIN = "made an administrator"
NO_LONGER_ADMIN = "no longer an administrator"

# What the log shows for each event: the codes above are stored, these are read.
DESCRIPTIONS = {
    LOGGED_IN: _l("Logged in"),
    LOGIN_FAILED: _l("Log-in failed (wrong password)"),
    PASSWORD_CHANGED: _l("Password changed"),
    RESET_REQUESTED: _l("Password reset requested"),
    PASSWORD_RESET: _l("Password reset through the emailed link"),
    LOGGED_OUT_EVERYWHERE: _l("Logged out everywhere"),
    TWO_FACTOR_ON: _l("Two-factor authentication turned on"),
    TWO_FACTOR_OFF: _l("Two-factor authentication turned off"),
    TWO_FACTOR_RESET: _l("Two-factor authentication removed by an administrator"),
    RECOVERY_CODE_USED: _l("Recovery code used to log in"),
    TWO_FACTOR_FAILED: _l("Log-in failed (wrong two-factor code)"),
    EMAIL_CHANGE_REQUESTED: _l("Change of email requested"),
    EMAIL_CHANGED: _l("Email changed"),
    REQUIRED_TWO_FACTOR: _l("Required two-factor authentication of every account"),
    UNREQUIRED_TWO_FACTOR: _l("Stopped requiring two-factor authentication of every account"),
    DISABLED_LOGIN: _l("Log-in refused (the account is disabled)"),
    ACCOUNT_CREATED: _l("Account created by an administrator"),
    ACCOUNT_DISABLED: _l("Account disabled by an administrator"),
    ACCOUNT_ENABLED: _l("Account enabled again by an administrator"),
    MADE_ADMIN: _l("Made an administrator"),
    NO_LONGER_ADMIN: _l("No longer an administrator"),
}


class SecurityEvent(db.Model):
    """One event of one account. No IP address or browser is kept: signon stores
    nothing derived from where a person connects from."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def description(self) -> str:
        """What happened, for people, in the page's language."""
        known = DESCRIPTIONS.get(self.action)
        return str(known) if known is not None else self.action.capitalize()


def note(user, action: str, **detail) -> SecurityEvent:
    """Add an event to the current transaction (not committed)."""
    event = SecurityEvent(user_id=user.id, action=action, detail=detail)
    db.session.add(event)
    return event


def events_of(user, *, limit: int = 200) -> list[SecurityEvent]:
    """The account's latest events, newest first."""
    return list(
        db.session.scalars(
            select(SecurityEvent)
            .where(SecurityEvent.user_id == user.id)
            .order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
            .limit(limit)
        )
    )
