"""One allowance for the team actions that send mail (re-sends, reminders of
invitations and of re-confirmations), shared by every route that sends it."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_login import current_user

SCOPE = "team-mail"
# At most one reminder a day, of an invitation or of a re-confirmation.
REMINDER_INTERVAL = timedelta(days=1)


def team_mail_limit() -> str:
    """RATELIMIT_RESENDS, read when the request is counted."""
    return current_app.config["RATELIMIT_RESENDS"]


def per_member() -> str:
    """Counted per account rather than per address: a team may share an office."""
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else "anonymous"
