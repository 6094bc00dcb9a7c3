"""Passwords an account holder sets: a reset by email, a change with the current
password. Either ends every other session of the account and is noted in its
security log; the account's address is told by email."""

from __future__ import annotations

import hashlib
import re

from flask import current_app
from flask_babel import gettext as _

from ..database import outside_transaction
from ..mail.compose import queue_mail
from ..tokens import Purpose, make_token, record_for
from . import security_log
from .models import User
from .passwords import hash_password, password_problem, verify_password
from .service import end_sessions, find_user


class CredentialError(ValueError):
    """A password that cannot be set, with a message for people and the form field
    it is about."""

    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.field = field


class ResetLinkProblem(Exception):
    """A reset link that cannot be used: `status` 400 (invalid) or 410 (expired, or
    used already), `kind` names the page's explanation."""

    def __init__(self, status: int, kind: str):
        self.status, self.kind = status, kind


def reset_nonce(user: User) -> str:
    """What a reset link is bound to: the account's current password. Setting a
    password, through the link or otherwise, voids every link sent before."""
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:24]


def reset_link(user: User) -> str:
    token = make_token(Purpose.RESET_PASSWORD, user.id, reset_nonce(user))
    return current_app.config["BASE_URL"].rstrip("/") + f"/password/reset/{token}"


def request_reset(email: str) -> None:
    """Email a reset link if an account uses `email` (not committed). The caller
    answers the same either way: the page never tells who has an account."""
    user = find_user(email)
    if user is None or user.disabled_at is not None:
        return  # a disabled account gets nothing: an administrator enables it
    security_log.note(user, security_log.RESET_REQUESTED)
    queue_mail("password_reset", user.email, user=user, link=reset_link(user))


def user_for_reset(token: str, purpose: Purpose = Purpose.RESET_PASSWORD) -> User:
    """The account a reset link (or a first password's link) is for, or ResetLinkProblem."""
    user, nonce = record_for(purpose, token, User, ResetLinkProblem)
    if user.disabled_at is not None:
        raise ResetLinkProblem(400, "invalid")
    if nonce != reset_nonce(user):
        raise ResetLinkProblem(410, "used")
    return user


def _check_new(user: User, password: str) -> None:
    about = (user.email, *re.split(r"[\W_]+", f"{user.email} {user.name}"))
    problem = password_problem(password, about=about)
    if problem:
        raise CredentialError(problem)


def _set(user: User, password: str, action: str) -> None:
    user.password_hash = hash_password(password)
    end_sessions(user)
    security_log.note(user, action)
    queue_mail("password_changed", user.email, user=user)


def reset_password(user: User, password: str) -> None:
    """Set the password a reset link asked for (not committed); every session of the
    account ends, this browser's too: the holder logs in with the new password."""
    _check_new(user, password)
    _set(user, password, security_log.PASSWORD_RESET)


def change_password(user: User, current: str, password: str) -> None:
    """Set a new password, the current one given (not committed). Every session of
    the account ends; the caller keeps its own by storing the new session number."""
    if not outside_transaction(verify_password, user.password_hash, current):
        raise CredentialError(_("That is not your current password."), field="current")
    if current == password:
        raise CredentialError(_("Choose a password other than the current one."))
    _check_new(user, password)
    _set(user, password, security_log.PASSWORD_CHANGED)
