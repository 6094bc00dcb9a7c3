"""Flask-Login wiring."""

from __future__ import annotations

from flask import Flask, flash, redirect, request
from flask_login import login_url

from ..extensions import db, login_manager
from .models import User


def init_app(app: Flask) -> None:
    """Attach the login manager: strong session protection, our login page."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.unauthorized_handler(ask_to_log_in)


def ask_to_log_in():
    """Send an anonymous visitor to the login page. The front door needs no
    explanation; a deep link (from an email, a bookmark) says why it stopped."""
    if request.path != "/":
        flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None
