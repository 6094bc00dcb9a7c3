"""Settings an administrator changes on a page, kept in the database (the
operator's settings are SIGNON_* variables): whether every account must use
two-factor authentication."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from . import security_log

REQUIRE_TWO_FACTOR = "require_two_factor"


class SiteSetting(db.Model):
    __tablename__ = "site_settings"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON, default=dict)


def two_factor_required() -> bool:
    """Required by the operator (SIGNON_REQUIRE_TWO_FACTOR) or by an administrator."""
    if current_app.config.get("REQUIRE_TWO_FACTOR"):
        return True
    setting = db.session.get(SiteSetting, REQUIRE_TWO_FACTOR)
    return bool(setting and setting.value.get("on"))


def require_two_factor(on: bool, *, admin) -> None:
    """An administrator requires two-factor of every account, or stops (not committed)."""
    setting = db.session.get(SiteSetting, REQUIRE_TWO_FACTOR)
    if setting is None:
        setting = SiteSetting(name=REQUIRE_TWO_FACTOR, value={})
        db.session.add(setting)
    if bool(setting.value.get("on")) != on:
        setting.value = {"on": on}
        action = security_log.REQUIRED_TWO_FACTOR if on else security_log.UNREQUIRED_TWO_FACTOR
        security_log.note(admin, action)
