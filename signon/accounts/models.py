"""Users and their per-statement roles."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, state_enum, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..statements.models import Statement


class Role(enum.Enum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}[self]

    @property
    def label(self) -> str:
        """The role's name for people, capitalised, in the page's language."""
        if self is Role.OWNER:
            return _("Owner")
        if self is Role.EDITOR:
            return _("Editor")
        return _("Viewer")

    def allows(self, needed: Role) -> bool:
        """True when this role may do what `needed` may."""
        return self.rank >= needed.rank


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower("email"), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Stored in the session at login and compared on every request: raising it
    # (logout, "log out everywhere") ends every session the user had, copies too.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Two-factor: the TOTP secret (base32; empty: off) and the last time step a code
    # was accepted for, so a code cannot be used twice.
    totp_secret: Mapped[str] = mapped_column(String(64), default="", server_default="")
    totp_last_step: Mapped[int] = mapped_column(default=0, server_default="0")
    # An address the account asked to move to, until its link confirms it.
    pending_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # Set by an administrator: the account cannot log in, its sessions ended.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The interface language the account chose; "" follows the browser.
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(state_enum(Role, "role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    statement: Mapped[Statement] = relationship(back_populates="memberships")


class TeamInvitation(db.Model):
    """An owner's invitation to join a statement's team with a role. Nobody is added
    without accepting: a newcomer sets a name and password from the emailed link, an
    account holder accepts once logged in."""

    __tablename__ = "team_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(state_enum(Role, "role"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    nonce: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    statement: Mapped[Statement] = relationship()
    invited_by: Mapped[User | None] = relationship()
