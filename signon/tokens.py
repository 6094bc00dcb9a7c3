"""Every signed token of signon, one serializer and salt per purpose.

Tokens carry opaque ids and a nonce, nothing else: they are signed, not
encrypted, so no email or organisation name goes in. Revoking or re-sending
rotates the stored nonce, which kills every earlier token for that record.
SECRET_KEY_FALLBACKS keeps tokens signed with an old key valid during rotation.
"""

from __future__ import annotations

import secrets
from enum import Enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .extensions import db
from .routing import MAX_ID

DAY = 24 * 3600


class Purpose(Enum):
    """What a token is for; the value is its salt, the max age its longest life."""

    INVITE = ("signon.invite", 365 * DAY)
    VERIFY_EMAIL = ("signon.verify-email", 3 * DAY)
    CONFIRM_CONTACT = ("signon.confirm-contact", 14 * DAY)
    MANAGE_SIGNATURE = ("signon.manage-signature", 365 * DAY)
    RECONFIRM = ("signon.reconfirm", 90 * DAY)
    SET_PASSWORD = ("signon.set-password", 2 * DAY)
    RESET_PASSWORD = ("signon.reset-password", 3600)  # one hour
    JOIN_TEAM = ("signon.join-team", 7 * DAY)
    CHANGE_EMAIL = ("signon.change-email", DAY)

    @property
    def salt(self) -> str:
        return self.value[0]

    @property
    def max_age(self) -> int:
        return self.value[1]


class InvalidToken(Exception):
    """Tampered with, or made for another purpose: 'invalid link' (400)."""


class ExpiredToken(Exception):
    """Older than its purpose allows: 'this link has expired' (410)."""


def new_nonce() -> str:
    """A fresh random nonce to store beside a record its tokens point at."""
    return secrets.token_urlsafe(12)


def _keys() -> list[str | bytes]:
    """Old keys first, the current one last: itsdangerous signs with the last key
    and accepts every key in the list."""
    config = current_app.config
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str | bytes):
        # SIGNON_SECRET_KEY_FALLBACKS=oldkey arrives as a string, not a list;
        # unpacking it would make every single character a valid signing key.
        fallbacks = [fallbacks]
    return [*(key for key in fallbacks if key), config["SECRET_KEY"]]


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_keys(), salt=purpose.salt)


def make_token(purpose: Purpose, record_id: int, nonce: str) -> str:
    """A token for one record of one purpose."""
    return _serializer(purpose).dumps([record_id, nonce])


def record_for(purpose: Purpose, token: str, model, problem, *, options=()):
    """The record a link's token names, and the nonce it carries (still to compare
    with the record's). Raises `problem(410, "expired")` for an expired token and
    `problem(400, "invalid")` for a tampered one, one of another purpose or one whose
    record is gone: every link page of signon answers these the same way."""
    try:
        record_id, nonce = read_token(purpose, token)
    except ExpiredToken:
        raise problem(410, "expired") from None
    except InvalidToken:
        raise problem(400, "invalid") from None
    record = db.session.get(model, record_id, options=list(options))
    if record is None:
        raise problem(400, "invalid")
    return record, nonce


def read_token(purpose: Purpose, token: str) -> tuple[int, str]:
    """(record id, nonce) from a token, or InvalidToken / ExpiredToken.

    The nonce still has to be compared with the record's current one.
    """
    try:
        payload = _serializer(purpose).loads(token, max_age=purpose.max_age)
    except SignatureExpired:  # a subclass of BadSignature: must come first
        raise ExpiredToken from None
    except BadSignature:
        raise InvalidToken from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or isinstance(payload[0], bool)
        # Only a key holder can sign one, but an id no database integer holds
        # would still be an OverflowError at the query, not an invalid link.
        or not 1 <= payload[0] <= MAX_ID
        or not isinstance(payload[1], str)
    ):
        raise InvalidToken
    return payload[0], payload[1]
