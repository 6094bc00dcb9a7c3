"""Every email the app sends, produced by the service that sends it, read as a person would.

One statement goes through invitation, reminder, signing, withdrawal and the open
call with verification, a duplicate and approval; each queued message is built
exactly as the worker builds it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from signon.accounts.models import User
from signon.columns import utcnow
from signon.extensions import db
from signon.mail.compose import build_email
from signon.mail.models import OutboxMessage
from signon.signatures.invitations.service import remind_unanswered
from signon.signatures.models import Invitation
from signon.signatures.moderation import approve
from signon.signatures.sign_on import (
    SignatureInput,
    sign_from_invitation,
    submit_open_call,
    verify_email,
    withdraw,
)
from signon.statements.models import Statement

from .mail_support import invite, open_for_signing
from .mailbox import html_of, text_of

BASE = "http://signon.test"
TITLE = "Release the Kloop journalists"
REPLY_TO = "Meridia coalition <team@coalition.example>"
ORGANISATIONS = ("Article 19", "PEN International", "Open Voices", "A19")
KINDS = (
    "invitation",
    "reminder",
    "confirmation",
    "confirm_contact",
    "withdrawn",
    "verify_email",
    "already_signed",
    "approved",
)


@pytest.fixture
def mails(app, dummy_user, create_statement) -> dict:
    """kind -> (EmailMessage, to address), one of each kind."""
    app.config["MAIL_REPLY_TO"] = REPLY_TO
    statement = create_statement(title=TITLE)
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        record.lead_organisations = "Civil Rights Defenders\nMeridia Press Freedom Network"
        db.session.commit()
    open_for_signing(app, statement.id, open_call=True)
    signed_id, unanswered_id = invite(
        app,
        statement.id,
        dummy_user.id,
        "Article 19, info@a19.example, Ana Pérez\nPEN International, pen@pen.example",
    )
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        lead = db.session.get(User, dummy_user.id)
        # A day later PEN International has not answered: a reminder.
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == unanswered_id)
            .values(sent_at=utcnow() - timedelta(days=2))
        )
        assert remind_unanswered(record, actor=lead) == 1
        # Article 19 signs, then withdraws.
        signature = sign_from_invitation(
            db.session.get(Invitation, signed_id),
            SignatureInput(
                name="Article 19",
                acronym="A19",
                country="Kyrgyzstan",
                note="within the framework of the Observatory",
                contact_email="ana@a19.example",
            ),
        )
        withdraw(signature)
        # The open call: a submission, its verification, the approval, a duplicate
        # of a name now on the public list.
        submitted = submit_open_call(
            record, SignatureInput(name="Open Voices", contact_email="hello@voices.example")
        )
        verify_email(submitted)
        approve(submitted, actor=lead)
        assert (
            submit_open_call(
                record, SignatureInput(name="open voices", contact_email="other@voices.example")
            )
            is None
        )
        db.session.commit()

        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert sorted(row.kind for row in rows) == sorted([*KINDS, "invitation"])  # two invited
        built = {
            row.kind: (build_email(row, app.config), row.to_address)
            for row in reversed(rows)  # the first of a kind wins: Article 19's invitation
        }
        for message, _ in built.values():  # as it travels: bytes, parsed back
            assert message.as_bytes()
        return built


def read(mails, kind):
    """The message of `kind` and its address, after the checks every mail passes:
    both parts, the title but no organisation in the subject, links from the base
    URL in the text and the same links in the HTML, nothing left unrendered."""
    message, to = mails[kind]
    assert message["To"] == to
    text, html = text_of(message), html_of(message)
    assert TITLE in message["Subject"]
    for name in ORGANISATIONS:
        assert name not in message["Subject"]
    assert text.count(TITLE) >= 1
    assert "<!doctype html>" in html
    assert f"<title>{message['Subject']}</title>" in html.replace("&#34;", '"')
    assert message["Reply-To"] == REPLY_TO
    assert (
        "Reply to this email to reach them (Meridia coalition &lt;team@coalition.example&gt;)"
        in html
    )
    links = [word for word in text.split() if word.startswith("http")]
    for link in links:
        assert link.startswith(f"{BASE}/")
        assert f'href="{link}"' in html
    assert "{{" not in text + html and "{%" not in text + html
    return message, to


def lines(message) -> list[str]:
    return [line.strip() for line in text_of(message).splitlines() if line.strip()]


def test_invitation(mails):
    message, to = read(mails, "invitation")
    assert to == "info@a19.example"
    assert message["Subject"] == f"Invitation to sign: {TITLE}"
    body = lines(message)
    assert body[0] == "Dear Ana Pérez,"
    assert "Article 19 is invited to sign the joint statement" in body
    assert f"“{TITLE}”." in body
    assert any(
        line.startswith("Signatures close on ") and "(Europe/Paris)" in line for line in body
    )
    assert "Who is asking" in body
    assert (
        "This statement is led by Civil Rights Defenders and Meridia Press Freedom Network. "
        "Lena Lead, of the organising team, sent you this invitation." in body
    )
    assert f"Replies to this email go to {REPLY_TO}." in body
    assert "Read the text and sign here (no account needed):" in body
    # Who asks comes before the link: read first, then click.
    assert body.index("Who is asking") < body.index(
        "Read the text and sign here (no account needed):"
    )
    link = body[body.index("Read the text and sign here (no account needed):") + 1]
    assert link.startswith(f"{BASE}/i/")
    assert "This link is personal to your organisation; please do not forward it." in body
    assert "Read the text and sign</a>" in html_of(message)


def test_reminder(mails):
    message, to = read(mails, "reminder")
    assert to == "pen@pen.example"
    assert message["Subject"] == f"Reminder: invitation to sign “{TITLE}”"
    body = lines(message)
    assert body[0] == "Hello,"  # no contact name was given for PEN International
    assert "A reminder: PEN International is invited to sign the joint statement" in body
    assert body[body.index("Read the text and sign here:") + 1].startswith(f"{BASE}/i/")
    assert "If you do not wish to sign, you can ignore this email." in body
    # A reminder names who invited, as the first invitation did.
    assert "Lena Lead, of the organising team, sent you this invitation." in " ".join(body)


def test_confirmation(mails):
    message, to = read(mails, "confirmation")
    assert to == "info@a19.example"  # the invitation's: the contact typed in is not confirmed
    assert message["Subject"] == f"Signature recorded: {TITLE}"
    body = lines(message)
    assert "Thank you. This signature is recorded:" in body
    assert "Article 19 (A19), within the framework of the Observatory (Kyrgyzstan)" in body
    assert f"Statement: “{TITLE}”" in body
    (version,) = [line for line in body if line.startswith("Text signed: version 1, fingerprint ")]
    assert len(version.rsplit(" ", 1)[1]) == 12
    assert body[-1].startswith(f"{BASE}/m/")
    # The line as the documents print it (signatories.py / text.py), in one piece.
    assert (
        "<strong>Article 19 (A19), within the framework of the Observatory (Kyrgyzstan)</strong>"
        in html_of(message)
    )


def test_confirm_contact(mails):
    message, to = read(mails, "confirm_contact")
    assert to == "ana@a19.example"  # the contact typed into the form, asked first
    assert message["Subject"] == f"Confirm this contact address: {TITLE}"
    body = lines(message)
    assert body[0].startswith(f"Someone signing the joint statement “{TITLE}” for")
    assert "Article 19 gave this email address as their contact." in body
    link = body[
        body.index("If that was you, confirm it here (open the link and press the button):") + 1
    ]
    assert link.startswith(f"{BASE}/c/")
    assert "Until it is confirmed, nothing more is sent to this address. If this was not" in body
    assert "Confirm this address</a>" in html_of(message)


def test_withdrawn(mails):
    message, to = read(mails, "withdrawn")
    assert to == "info@a19.example"
    assert message["Subject"] == f"Signature withdrawn: {TITLE}"
    body = lines(message)
    assert body[0] == f"The signature of Article 19 on “{TITLE}” is withdrawn."
    assert "It will not appear in the published statement." in body
    assert "If you did not ask for this, reply to this email." in body
    # Signing is still open: the private link to sign again.
    link = body[body.index("While signing is open you can sign again from your private link:") + 1]
    assert link.startswith(f"{BASE}/m/")
    assert "Sign again</a>" in html_of(message)


def test_verify_email(mails):
    message, to = read(mails, "verify_email")
    assert to == "hello@voices.example"
    assert message["Subject"] == f"Confirm your signature: {TITLE}"
    body = lines(message)
    assert "Someone, hopefully you, signed the joint statement “" + TITLE + "”" in body
    link = body[body.index("To confirm, open this link and press the button on the page:") + 1]
    assert link.startswith(f"{BASE}/v/")
    assert "If this was not you, ignore this email: nothing is listed without confirmation." in body
    assert "Confirm my signature</a>" in html_of(message)


def test_already_signed(mails):
    message, to = read(mails, "already_signed")
    assert to == "other@voices.example"
    assert message["Subject"] == f"About your signature: {TITLE}"
    text = " ".join(lines(message))
    assert "This email address or this organisation has already signed" in text
    assert "nothing new was recorded" in text
    assert "Open Voices" not in text  # it does not say who signed
    assert "http" not in text


def test_approved(mails):
    message, to = read(mails, "approved")
    assert to == "hello@voices.example"
    assert message["Subject"] == f"Your signature is listed: {TITLE}"
    body = lines(message)
    assert f"The organisers approved your signature on “{TITLE}”:" in body
    assert "Open Voices" in body
    assert body[-1].startswith(f"{BASE}/m/")
    assert "View, change or withdraw</a>" in html_of(message)
