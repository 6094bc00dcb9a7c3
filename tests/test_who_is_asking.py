"""Invitations say who is asking, so that a signer in a repressive country can tell
them from phishing: the statement's lead organisations, the team member who
invited them, and where replies go (only when a reply-to address is configured)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from signon.accounts.models import User
from signon.columns import utcnow
from signon.extensions import db
from signon.signatures.invitations.service import remind_unanswered, resend
from signon.signatures.models import Invitation
from signon.statements.models import Statement

from .mailbox import html_of, links_in, text_of
from .sign_on_steps import invite, open_statement

BASE = "http://signon.test"
LEADS = "Civil Rights Defenders\nKloop Friends\n"
ASKED_BY = (
    "This statement is led by Civil Rights Defenders and Kloop Friends. "
    "Lena Lead, of the organising team, sent you this invitation."
)


def one_line(text: str) -> str:
    return " ".join(text.split())


def set_leads(app, statement, leads: str) -> None:
    # The statement's edit form gets this field elsewhere; here it is set directly.
    with app.app_context():
        db.session.get(Statement, statement.id).lead_organisations = leads
        db.session.commit()


@pytest.fixture
def invited(app, web, dummy_user, dummy_statement, mail_via_smtp, send_outbox):
    """Lena Lead invites Article 19 through the Invitations page; the email arrives."""
    set_leads(app, dummy_statement, LEADS)
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug, deadline="2099-01-01T12:00")
    assert invite(web, dummy_statement.slug, "Article 19, info@a19.example").status_code == 302
    send_outbox()
    (message,) = mail_via_smtp.wait_for(1)
    return message


def test_the_invitation_email_and_page_say_who_is_asking(app, invited):
    message = invited
    assert message["Reply-To"] == "lead@coalition.example"
    text = one_line(text_of(message))
    assert "Who is asking" in text
    assert ASKED_BY in text
    assert "Replies to this email go to lead@coalition.example." in text
    assert "Signing needs no account and no password: a page that asks for one is not ours." in text
    assert "check with Civil Rights Defenders and Kloop Friends through a channel" in text
    html = one_line(html_of(message))
    assert "led by <strong>Civil Rights Defenders and Kloop Friends</strong>" in html
    assert "Lena Lead, of the organising team, sent you this invitation." in html
    assert "Reply to this email to reach them (lead@coalition.example)." in html

    # The link in the email opens a page that says the same.
    landing = app.test_client().get(links_in(message)[0].removeprefix(BASE))
    page = one_line(landing.get_data(as_text=True))
    assert '<h2 id="asking-heading">Who is asking</h2>' in page
    assert "<dt>Led by</dt><dd>Civil Rights Defenders and Kloop Friends</dd>" in page
    assert "<dt>Invited by</dt><dd>Lena Lead, of the organising team</dd>" in page
    assert "<dt>Replies go to</dt><dd>lead@coalition.example</dd>" in page


def test_a_new_link_and_a_reminder_name_whoever_invited(
    app, invited, create_user, dummy_statement, mail_via_smtp, send_outbox
):
    editor = create_user(email="eddie@coalition.example", name="Eddie Editor")
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        eddie = db.session.get(User, editor.id)
        resend(invitation, actor=eddie)  # a new link, sent by another member
        db.session.execute(update(Invitation).values(sent_at=utcnow() - timedelta(days=2)))
        assert remind_unanswered(db.session.get(Statement, dummy_statement.id), actor=eddie) == 1
        db.session.commit()
    send_outbox()
    _, new_link, reminder = mail_via_smtp.wait_for(3)
    assert reminder["Subject"].startswith("Reminder:")
    for message in (new_link, reminder):
        text = one_line(text_of(message))
        assert ASKED_BY in text
        assert "Eddie" not in text
        assert message["Reply-To"] == "lead@coalition.example"


def test_without_a_reply_to_address_nothing_claims_that_replies_reach_the_team(
    app, web, dummy_user, dummy_statement, mail_via_smtp, send_outbox
):
    app.config["MAIL_REPLY_TO"] = ""
    set_leads(app, dummy_statement, LEADS)
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug)
    assert invite(web, dummy_statement.slug, "Article 19, info@a19.example").status_code == 302
    send_outbox()
    (message,) = mail_via_smtp.wait_for(1)
    assert message["Reply-To"] is None
    text, html = one_line(text_of(message)), one_line(html_of(message))
    assert ASKED_BY in text  # who asks is still said
    for body in (text, html):
        assert "Replies" not in body and "Reply to this email" not in body
    page = app.test_client().get(links_in(message)[0].removeprefix(BASE)).get_data(as_text=True)
    assert "Replies go to" not in page
    assert "<dt>Invited by</dt><dd>Lena Lead, of the organising team</dd>" in one_line(page)


def test_without_lead_organisations_the_inviter_is_still_named(
    app, web, dummy_user, dummy_statement, mail_via_smtp, send_outbox
):
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug)
    assert invite(web, dummy_statement.slug, "Article 19, info@a19.example").status_code == 302
    send_outbox()
    (message,) = mail_via_smtp.wait_for(1)
    text = one_line(text_of(message))
    assert "led by" not in text
    assert "Lena Lead, of the organising team, sent you this invitation." in text
    assert "check with the organisers through a channel you already know" in text
    page = app.test_client().get(links_in(message)[0].removeprefix(BASE)).get_data(as_text=True)
    assert "Led by" not in page
