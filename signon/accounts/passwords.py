"""Password hashing with argon2id, and which new passwords are acceptable."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn's estimate of the guesses an attacker needs, who tries common and leaked
# passwords, names, dates, keyboard walks, l33t spellings and the account's own
# email and name first. 10^8 is the most 8 random characters can score, so the
# 8-character minimum stays reachable; behind argon2id and the login limits that
# is years online and weeks of a core offline.
MIN_GUESSES = 10**8

# zxcvbn's warnings (English only), as the sentence about a weak password quotes them.
WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("straight rows of keys are easy to guess"),
    "Short keyboard patterns are easy to guess.": _l("short keyboard patterns are easy to guess"),
    'Repeats like "aaa" are easy to guess.': _l('repeats like "aaa" are easy to guess'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'repeats like "abcabcabc" are only slightly harder to guess than "abc"'
    ),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        'sequences like "abc" or "6543" are easy to guess'
    ),
    "Recent years are easy to guess.": _l("recent years are easy to guess"),
    "Dates are often easy to guess.": _l("dates are often easy to guess"),
    "This is a top-10 common password.": _l("this is a top-10 common password"),
    "This is a top-100 common password.": _l("this is a top-100 common password"),
    "This is a very common password.": _l("this is a very common password"),
    "This is similar to a commonly used password.": _l(
        "this is similar to a commonly used password"
    ),
    "A word by itself is easy to guess.": _l("a word by itself is easy to guess"),
    "Names and surnames by themselves are easy to guess.": _l(
        "names and surnames by themselves are easy to guess"
    ),
    "Common names and surnames are easy to guess.": _l(
        "common names and surnames are easy to guess"
    ),
}


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
        return ngettext(
            "Use at least %(num)s character.", "Use at least %(num)s characters.", MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        return ngettext(
            "Use at most %(num)s character.", "Use at most %(num)s characters.", MAX_LENGTH
        )
    verdict = zxcvbn(password, user_inputs=[part for part in about if part], max_length=MAX_LENGTH)
    if verdict["guesses"] >= MIN_GUESSES:
        return None
    warning = verdict["feedback"]["warning"]
    if not warning:
        return _(
            "This password is too easy to guess. A few unrelated words together make a "
            "strong one that is easy to remember."
        )
    known = WARNINGS.get(warning)
    if known is None:  # a warning of a later zxcvbn: quoted as it is
        warning = warning.rstrip(".")
        known = warning[0].lower() + warning[1:]
    return _(
        "This password is too easy to guess (%(reason)s). A few unrelated words together make "
        "a strong one that is easy to remember.",
        reason=known,
    )
