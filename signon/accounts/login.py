"""Flask-Login wiring."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url

from ..extensions import db, login_manager
from .models import User
from .service import SESSION_GENERATION_KEY, session_is_current
from .site_settings import two_factor_required


def init_app(app: Flask) -> None:
    """Attach the login manager: strong session protection, our login page."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.unauthorized_handler(ask_to_log_in)
    app.before_request(require_two_factor)


# What an account without two-factor may still open when the setting requires it:
# the pages to set it up, to log out, and the pages that need no account at all.
OPEN_WITHOUT_TWO_FACTOR = {
    "accounts.two_factor", "accounts.logout", "accounts.account", "accounts.password",
    "accounts.security", "accounts.language", "static", "healthz",
}  # fmt: skip
OPEN_BLUEPRINTS = {"public", "signer"}


def require_two_factor():
    """When two-factor is required (SIGNON_REQUIRE_TWO_FACTOR, or an administrator's
    setting), a logged-in account without it is sent to set it up before any team
    page."""
    if not current_user.is_authenticated or current_user.has_two_factor:
        return None
    if request.endpoint in OPEN_WITHOUT_TWO_FACTOR or request.blueprint in OPEN_BLUEPRINTS:
        return None
    if not two_factor_required():
        return None
    flash(_("Your signon requires two-factor authentication: turn it on to go on."), "info")
    return redirect(url_for("accounts.two_factor"))


def ask_to_log_in():
    """Send an anonymous visitor to the login page. The front door needs no
    explanation; a deep link (from an email, a bookmark) says why it stopped."""
    if request.path != "/":
        flash(_("Please log in to see this page."), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, unless the session is from before their last logout:
    a session of an older generation (or none) is anonymous."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not session_is_current(user, session.get(SESSION_GENERATION_KEY)):
        return None
    if user.disabled_at is not None:
        return None
    return user
