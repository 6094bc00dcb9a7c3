"""Password hashing with argon2id, and which new passwords are acceptable."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn's estimate of the guesses an attacker needs, who tries common and leaked
# passwords, names, dates, keyboard walks, l33t spellings and the account's own
# email and name first. 10^8 is the most 8 random characters can score, so the
# 8-character minimum stays reachable; behind argon2id and the login limits that
# is years online and weeks of a core offline.
MIN_GUESSES = 10**8


@cache
def _hasher_for(parameters: tuple) -> PasswordHasher:
    return PasswordHasher(**dict(parameters))


def _hasher() -> PasswordHasher:
    """argon2id with the library's recommended costs, unless PASSWORD_HASH_PARAMETERS
    says otherwise (the test suite lowers them; production should not)."""
    parameters = {}
    if has_app_context():
        parameters = current_app.config.get("PASSWORD_HASH_PARAMETERS") or {}
    return _hasher_for(tuple(sorted(parameters.items())))


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verified against when the email is unknown, so a miss costs as much as a hit.
    return hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    """An argon2id hash of password."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when password matches; always does the same work."""
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, *, about: tuple[str, ...] = ()) -> str | None:
    """Why a new password is not acceptable, or None. `about`: what a guesser
    would try first for this account (its email, its name)."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    verdict = zxcvbn(password, user_inputs=[part for part in about if part], max_length=MAX_LENGTH)
    if verdict["guesses"] >= MIN_GUESSES:
        return None
    warning = verdict["feedback"]["warning"].rstrip(".")
    return (
        "This password is too easy to guess"
        + (f" ({warning[0].lower() + warning[1:]})" if warning else "")
        + ". A few unrelated words together make a strong one that is easy to remember."
    )
