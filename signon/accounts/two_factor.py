"""Two-factor authentication: a TOTP authenticator app (pyotp), its QR code drawn
on the server (segno, inline SVG: no JavaScript, no request to another host),
ten single-use recovery codes stored hashed, and the second step of a log-in."""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, select

from ..columns import utcnow
from ..database import outside_transaction
from ..extensions import db
from ..mail.compose import queue_mail
from . import security_log
from .models import RecoveryCode, User
from .passwords import verify_password

ISSUER = "signon"
RECOVERY_CODES = 10
STEP_SECONDS = 30
VALID_WINDOW = 1  # a code of the step before or after is accepted too (clocks drift)


class TwoFactorError(ValueError):
    """A code or password that does not do, with a message for people."""


def new_secret() -> str:
    """A fresh TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(user: User, secret: str) -> Markup:
    """The secret as a QR code for an authenticator app, as inline SVG."""
    svg = segno.make(provisioning_uri(user, secret), error="m").svg_inline(
        scale=4, title=_("QR code for your authenticator app")
    )
    return Markup(svg)  # noqa: S704 (segno's own SVG of a URI we made)


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step `code` belongs to, within the window, or None."""
    totp = pyotp.TOTP(secret)
    code = _normalised(code)
    if not code.isdigit() or len(code) != 6:
        return None
    step = int(now // STEP_SECONDS)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if secrets.compare_digest(totp.at((step + offset) * STEP_SECONDS), code):
            return step + offset
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode("utf-8")).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = secrets.token_hex(5).upper()  # 40 bits, shown as XXXXX-XXXXX
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def turn_on(user: User, secret: str, code: str, *, now: float | None = None) -> list[str]:
    """Turn two-factor on with the secret the user's app now holds, proven by a code
    from it (not committed). Returns the ten recovery codes, shown once."""
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None:
        raise TwoFactorError(
            _("That code does not match. Check the app's clock, and try the next code.")
        )
    user.totp_secret = secret
    user.totp_last_step = step
    security_log.note(user, security_log.TWO_FACTOR_ON)
    tell(user, "on")
    return _new_recovery_codes(user)


def turn_off(user: User, password: str) -> None:
    """Turn two-factor off, the password given (not committed)."""
    if not outside_transaction(verify_password, user.password_hash, password):
        raise TwoFactorError(_("That is not your password."))
    user.totp_secret = ""
    user.totp_last_step = 0
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    security_log.note(user, security_log.TWO_FACTOR_OFF)
    tell(user, "off")


def remove_by_administrator(user: User) -> None:
    """Two-factor off without the password, for an administrator (a lost phone): the
    caller notes who did it. Not committed."""
    user.totp_secret = ""
    user.totp_last_step = 0
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def tell(user: User, change: str, *, admin: User | None = None) -> None:
    """Mail the account's address that its two-factor changed (not committed):
    `change` is "on", "off" or "removed" (by `admin`); the mail, in the account's
    language, says it in a whole sentence."""
    queue_mail("two_factor_changed", user.email, user=user, change=change, admin=admin)


def second_step(user: User, code: str, *, now: float | None = None) -> None:
    """Check the second factor of a log-in (not committed): a code from the app,
    never one already used, or an unused recovery code, which is then spent.
    Raises TwoFactorError."""
    step = _matching_step(user.totp_secret, code, time.time() if now is None else now)
    if step is not None:
        if step <= user.totp_last_step:
            raise TwoFactorError(_("That code was used already. Wait for the next one."))
        user.totp_last_step = step
        return
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        raise TwoFactorError(_("That code does not match, or was used already."))
    recovery.used_at = utcnow()
    security_log.note(user, security_log.RECOVERY_CODE_USED, left=recovery_codes_left(user) - 1)


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
