"""Reminders and the invitations dashboard.

"Remind those who have not answered" sends one reminder per invitation that is
unanswered, not revoked and at least a day old, at most once a day. Days are
simulated by moving the stored timestamps back, never by faking the clock.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from signon.columns import utcnow
from signon.extensions import db
from signon.mail.models import MailState, OutboxMessage
from signon.signatures.models import Invitation

from .mailbox import links_in
from .sign_on_steps import invite, open_statement, partner, sign_form

BASE = "http://signon.test"
PARTNERS = {
    "waiting": ("Article 19", "info@a19.example"),
    "signed": ("CPJ", "press@cpj.example"),
    "revoked": ("Index on Censorship", "hello@index.example"),
    "withdrawn": ("PEN International", "pen@pen.example"),
    "new": ("RSF", "rsf@rsf.example"),
}


def email_of(who: str) -> str:
    return PARTNERS[who][1]


def link_to(app, email: str) -> str:
    """The path of the newest link mailed to `email`, read from the queued mail."""
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.text_body)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
    (link,) = re.findall(rf"{re.escape(BASE)}/i/\S+", body)
    return link.removeprefix(BASE)


def backdate(app, email: str, **ages: timedelta) -> None:
    """Move an invitation's timestamps into the past: `sent_at=timedelta(days=2)`."""
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.email == email))
        for column, age in ages.items():
            setattr(invitation, column, utcnow() - age)
        db.session.commit()


def invitation(app, email: str) -> Invitation:
    with app.app_context():
        record = db.session.scalar(select(Invitation).where(Invitation.email == email))
        db.session.expunge(record)
        return record


def reminders(app) -> list[str]:
    """The addresses reminded so far, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMessage.to_address)
                .where(OutboxMessage.kind == "reminder")
                .order_by(OutboxMessage.id)
            )
        )


def remind(web, statement):
    response = web.post(f"/statements/{statement.slug}/invitations/remind")
    assert response.status_code == 302
    return web.get(response.location).get_data(as_text=True)


def revoke(web, app, statement, email):
    invitation_id = invitation(app, email).id
    response = web.post(
        f"/statements/{statement.slug}/invitations/{invitation_id}/revoke", {"confirm": "yes"}
    )
    assert response.status_code == 302


def sign(app, email: str, **overrides):
    link = link_to(app, email)
    signer = partner(app, link + "/sign")
    response = signer.post(link + "/sign", sign_form(contact_email=email, **overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    return signer, link


@pytest.fixture
def campaign(app, web, dummy_user, dummy_statement):
    """Five partners invited two days ago: one waiting, one signed, one revoked,
    one who signed then withdrew; and one invited just now."""
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug, deadline="2099-06-30T18:00")
    invite(web, dummy_statement.slug, "\n".join(f"{o}, {e}" for o, e in PARTNERS.values()))
    for who in ("waiting", "signed", "revoked", "withdrawn"):
        backdate(app, email_of(who), sent_at=timedelta(days=2))
    sign(app, email_of("signed"))
    signer, _ = sign(app, email_of("withdrawn"))
    with app.app_context():
        manage = re.findall(
            rf"{re.escape(BASE)}(/m/\S+)",
            db.session.scalars(
                select(OutboxMessage.text_body).where(
                    OutboxMessage.kind == "confirmation",
                    OutboxMessage.to_address == email_of("withdrawn"),
                )
            ).one(),
        )[0]
    signer.get(manage)
    assert signer.post(manage + "/withdraw").status_code == 303
    revoke(web, app, dummy_statement, email_of("revoked"))
    return web


def test_only_unanswered_unrevoked_invitations_a_day_old_are_reminded(
    app, campaign, dummy_statement
):
    page = remind(campaign, dummy_statement)

    assert "Reminded 1 partner who have not answered." in page
    assert reminders(app) == [email_of("waiting")]
    waiting = invitation(app, email_of("waiting"))
    assert waiting.reminder_count == 1
    assert waiting.reminded_at is not None
    for who in ("signed", "revoked", "withdrawn", "new"):
        record = invitation(app, email_of(who))
        assert (record.reminder_count, record.reminded_at) == (0, None), who


def test_a_second_click_the_same_day_sends_nothing(app, campaign, dummy_statement):
    remind(campaign, dummy_statement)

    page = remind(campaign, dummy_statement)

    assert "Nobody to remind" in page
    assert reminders(app) == [email_of("waiting")]
    assert invitation(app, email_of("waiting")).reminder_count == 1


def test_reminders_come_again_once_a_day(app, campaign, dummy_statement):
    remind(campaign, dummy_statement)
    backdate(app, email_of("waiting"), reminded_at=timedelta(hours=23))
    remind(campaign, dummy_statement)
    assert reminders(app) == [email_of("waiting")]

    backdate(app, email_of("waiting"), reminded_at=timedelta(hours=24, minutes=1))
    remind(campaign, dummy_statement)

    assert reminders(app) == [email_of("waiting")] * 2
    assert invitation(app, email_of("waiting")).reminder_count == 2


def test_a_partner_invited_today_is_reminded_only_after_a_day(app, campaign, dummy_statement):
    remind(campaign, dummy_statement)
    assert email_of("new") not in reminders(app)

    backdate(app, email_of("new"), sent_at=timedelta(days=1, minutes=1))
    remind(campaign, dummy_statement)

    assert reminders(app) == [email_of("waiting"), email_of("new")]


def test_signed_revoked_and_withdrawn_are_never_reminded(app, campaign, dummy_statement):
    for days in range(1, 4):
        for who in PARTNERS:
            backdate(
                app,
                email_of(who),
                sent_at=timedelta(days=10),
                reminded_at=timedelta(days=1, minutes=days),
            )
        remind(campaign, dummy_statement)

    assert set(reminders(app)) == {email_of("waiting"), email_of("new")}


def test_the_reminder_carries_the_current_link(app, campaign, dummy_statement, client):
    invited_with = link_to(app, email_of("waiting"))

    remind(campaign, dummy_statement)

    reminded_with = link_to(app, email_of("waiting"))
    assert client.get(reminded_with).status_code == 200
    assert client.get(invited_with).status_code == 200  # a reminder does not void the first


def test_reminding_a_closed_statement_is_refused(app, campaign, dummy_statement):
    campaign.post(f"/statements/{dummy_statement.slug}/close", {"confirm": "yes"})

    page = remind(campaign, dummy_statement)

    assert "The statement is not open for signatures." in page
    assert reminders(app) == []


# The dashboard


def statuses(page: str) -> dict[str, str]:
    """Each invitation row's status cell as text, by email."""
    rows = re.findall(
        r'<td data-label="Email">([^<]+)</td>\s*<td data-label="Status">(.*?)</td>', page, re.S
    )
    return {email: " ".join(re.sub(r"<[^>]+>", " ", cell).split()) for email, cell in rows}


def test_dashboard_shows_sent_opened_signed_reminded_revoked_and_failed(
    app, web, dummy_user, dummy_statement, mail_via_smtp, send_outbox
):
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug, deadline="2099-06-30T18:00")
    invite(
        web,
        dummy_statement.slug,
        "Sent Org, sent@p.example\nOpened Org, opened@p.example\nSigned Org, signed@p.example\n"
        "Reminded Org, reminded@p.example\nRevoked Org, revoked@p.example\n"
        "Bounced Org, bounced@p.example",
    )
    page = web.get(f"/statements/{dummy_statement.slug}/invitations").get_data(as_text=True)
    assert set(statuses(page).values()) == {"Sending…"}

    assert send_outbox().sent == 6
    links = {m["To"]: links_in(m)[0].removeprefix(BASE) for m in mail_via_smtp.wait_for(6)}
    # Opened: the partner pressed the landing page's button (a POST).
    opener = partner(app, links["opened@p.example"])
    assert opener.post(links["opened@p.example"]).status_code == 303
    # Signed.
    signer = partner(app, links["signed@p.example"] + "/sign")
    signer.post(links["signed@p.example"] + "/sign", sign_form(name="Signed Org"))
    # Reminded, a day later.
    backdate(app, "reminded@p.example", sent_at=timedelta(days=2))
    remind(web, dummy_statement)  # the others were invited just now: not reminded
    # Revoked.
    revoke(web, app, dummy_statement, "revoked@p.example")
    send_outbox()
    # Bounced: a new link to an address the server refuses.
    mail_via_smtp.refuse_with = "550 5.1.1 No such user here"
    bounced_id = invitation(app, "bounced@p.example").id
    web.post(
        f"/statements/{dummy_statement.slug}/invitations/{bounced_id}/resend", {"confirm": "yes"}
    )
    send_outbox()

    page = web.get(f"/statements/{dummy_statement.slug}/invitations").get_data(as_text=True)

    shown = statuses(page)
    # Every time in the statement's own zone, which is named.
    zone = r"\(Europe/Paris\)"
    assert re.fullmatch(rf"Sent \d+ \w+ \d{{4}}, \d\d:\d\d {zone}", shown["sent@p.example"])
    assert re.fullmatch(rf"Sent .* {zone} Opened .* {zone}", shown["opened@p.example"])
    assert re.fullmatch(rf"Sent .* {zone} Opened .* {zone} Signed", shown["signed@p.example"])
    assert re.fullmatch(rf"Sent .* {zone} Reminded 1×, last .* {zone}", shown["reminded@p.example"])
    assert re.fullmatch(rf"Sent .* {zone} Revoked .* {zone}", shown["revoked@p.example"])
    assert shown["bounced@p.example"] == "Mail failed 550 5.1.1 No such user here"
    assert "Revoke</button>" in page
    with app.app_context():
        states = dict(
            db.session.execute(select(OutboxMessage.to_address, OutboxMessage.state)).all()
        )
    assert states["bounced@p.example"] is MailState.FAILED


def test_a_failure_that_a_later_mail_got_past_is_not_shown(
    app, web, dummy_user, dummy_statement, mail_via_smtp, send_outbox
):
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug, deadline="2099-06-30T18:00")
    mail_via_smtp.refuse_with = "550 mailbox full"
    invite(web, dummy_statement.slug, "Article 19, info@a19.example")
    send_outbox()
    page = web.get(f"/statements/{dummy_statement.slug}/invitations").get_data(as_text=True)
    assert statuses(page)["info@a19.example"] == "Mail failed 550 mailbox full"

    mail_via_smtp.refuse_with = None
    invitation_id = invitation(app, "info@a19.example").id
    web.post(
        f"/statements/{dummy_statement.slug}/invitations/{invitation_id}/resend", {"confirm": "yes"}
    )
    send_outbox()

    page = web.get(f"/statements/{dummy_statement.slug}/invitations").get_data(as_text=True)
    assert statuses(page)["info@a19.example"].startswith("Sent ")
