"""Who is asking a partner to sign: what an invitation names so that a signer in a
repressive country can tell it from phishing (the lead organisations, the team
member who invited them, and where replies go)."""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list
from flask import current_app

from ..accounts.models import User
from ..extensions import db
from ..locale_choice import current_language
from ..times import babel_locale
from .models import Invitation


@dataclass(frozen=True)
class WhoIsAsking:
    leads: tuple[str, ...]  # the statement's lead organisations, as the team wrote them
    inviter: str  # the name of the member who invited; "" once their account is gone
    reply_to: str  # the team's MAIL_REPLY_TO; "" when none is configured

    @property
    def leads_text(self) -> str:
        """The lead organisations in a sentence, in the page's language: A; A and B;
        A, B and C (CLDR's list patterns; English without the serial comma)."""
        if len(self.leads) < 2:
            return "".join(self.leads)
        return format_list(list(self.leads), locale=babel_locale(current_language()))


def reply_address() -> str:
    """The address replies reach (MAIL_REPLY_TO), or "" when none is configured:
    then no page or email claims that a reply reaches the organisers."""
    return (current_app.config.get("MAIL_REPLY_TO") or "").strip()


def who_is_asking(invitation: Invitation) -> WhoIsAsking:
    """Who asks, for the invitation's emails (first, reminders, new links: always
    the member who made the invitation) and its landing page."""
    inviter = db.session.get(User, invitation.created_by_id) if invitation.created_by_id else None
    return WhoIsAsking(
        leads=tuple(invitation.statement.lead_organisation_names),
        inviter=inviter.name if inviter else "",
        reply_to=reply_address(),
    )
