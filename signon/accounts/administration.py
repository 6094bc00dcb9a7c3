"""What administrators do to accounts: create one (its owner chooses the password
from an emailed link), disable and enable, make or unmake an administrator,
remove two-factor authentication. Each is noted in the account's security log
with the administrator who did it."""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..columns import utcnow
from ..extensions import db
from ..mail.compose import queue_mail
from ..tokens import Purpose, make_token
from . import security_log
from .credentials import reset_nonce
from .models import User
from .service import AccountError, create_user, end_sessions
from .two_factor import remove_by_administrator, tell


def _by(admin: User) -> dict:
    return {"by": f"{admin.name} <{admin.email}>"}


def set_password_link(user: User) -> str:
    """A link to choose the first password (two days, once)."""
    token = make_token(Purpose.SET_PASSWORD, user.id, reset_nonce(user))
    return current_app.config["BASE_URL"].rstrip("/") + f"/password/set/{token}"


def create_account(email: str, name: str, *, admin: User, make_admin: bool = False) -> User:
    """A new account whose owner chooses the password from an emailed link (not
    committed). Raises AccountError (a taken email, a bad address or name)."""
    # A long random password nobody knows, only to satisfy the rules; the link
    # replaces it.
    user = create_user(email, name, secrets.token_urlsafe(32), is_admin=make_admin)
    db.session.flush()
    security_log.note(user, security_log.ACCOUNT_CREATED, **_by(admin))
    queue_mail("account_created", user.email, user=user, admin=admin, link=set_password_link(user))
    return user


def disable(user: User, *, admin: User) -> None:
    """The account cannot log in any more; every session of it ends (not committed)."""
    if user.id == admin.id:
        raise AccountError(_("You cannot disable your own account."))
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        end_sessions(user)
        security_log.note(user, security_log.ACCOUNT_DISABLED, **_by(admin))


def enable(user: User, *, admin: User) -> None:
    if user.disabled_at is not None:
        user.disabled_at = None
        security_log.note(user, security_log.ACCOUNT_ENABLED, **_by(admin))


def set_admin(user: User, value: bool, *, admin: User) -> None:
    if user.id == admin.id and not value:
        raise AccountError(_("You cannot take away your own administrator role."))
    if user.is_admin != value:
        user.is_admin = value
        security_log.note(
            user, security_log.MADE_ADMIN if value else security_log.NO_LONGER_ADMIN, **_by(admin)
        )


def reset_two_factor(user: User, *, admin: User) -> None:
    if user.has_two_factor:
        remove_by_administrator(user)
        security_log.note(user, security_log.TWO_FACTOR_RESET, **_by(admin))
        tell(user, "removed", admin=admin)


def all_accounts() -> list[User]:
    return list(db.session.scalars(select(User).order_by(func.lower(User.email))))
