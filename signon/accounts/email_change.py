"""Changing an account's email: the new address confirms itself through a link
sent to it, and the old one is told once it has. Until then nothing changes."""

from __future__ import annotations

import hashlib

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from ..database import outside_transaction
from ..mail.compose import queue_mail
from ..tokens import Purpose, make_token, record_for
from . import security_log
from .models import User
from .passwords import verify_password
from .service import AccountError, find_user


class EmailLinkProblem(Exception):
    """A confirmation link that cannot be used: 400 invalid, 410 expired or used."""

    def __init__(self, status: int, kind: str):
        self.status, self.kind = status, kind


def _nonce(user: User) -> str:
    """Bound to the address waiting: asking for another one voids the earlier link."""
    return hashlib.sha256(user.pending_email.lower().encode("utf-8")).hexdigest()[:24]


def confirm_link(user: User) -> str:
    token = make_token(Purpose.CHANGE_EMAIL, user.id, _nonce(user))
    return current_app.config["BASE_URL"].rstrip("/") + f"/account/email/{token}"


def request_change(user: User, new_email: str, password: str) -> str:
    """Ask to move the account to `new_email` (not committed): the password is
    checked, and the new address gets a link, unless another account uses it (the
    page answers the same either way). Returns the address as normalised."""
    if not outside_transaction(verify_password, user.password_hash, password):
        raise AccountError(_("That is not your password."), field="password")
    try:
        new_email = validate_email(new_email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError(_("Invalid email address: %(reason)s", reason=error)) from None
    if new_email.lower() == user.email.lower():
        raise AccountError(_("That is the address the account has already."))
    user.pending_email = new_email
    security_log.note(user, security_log.EMAIL_CHANGE_REQUESTED)
    if find_user(new_email) is None:
        queue_mail("confirm_email", new_email, user=user, link=confirm_link(user))
    return new_email


def user_for_link(token: str) -> User:
    """The account an email-change link is for, or EmailLinkProblem."""
    user, nonce = record_for(Purpose.CHANGE_EMAIL, token, User, EmailLinkProblem)
    if not user.pending_email or nonce != _nonce(user):
        raise EmailLinkProblem(410, "used")
    return user


def confirm(user: User) -> None:
    """The new address proved itself: it becomes the account's (not committed); the
    old one is told."""
    old, new = user.email, user.pending_email
    if find_user(new) is not None:
        raise AccountError(_("Another account uses that address now; nothing was changed."))
    user.email = new
    user.pending_email = ""
    security_log.note(user, security_log.EMAIL_CHANGED)
    queue_mail("email_changed", old, user=user, old=old, new=new)
