"""What an email is: queued with the change that causes it, built right, linked right.

Everything goes through the routes or the services and a real SMTP server
(aiosmtpd on a loopback port); nothing of ours is replaced.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr, parsedate_to_datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from signon import create_app
from signon.extensions import db
from signon.mail.models import MailState
from signon.signatures.models import Invitation

from .mail_support import SIGNATURE_FORM, link_for, outbox, sign_through_link
from .mailbox import SMTPServer, html_of, links_in, text_of
from .support import Web, csrf_token_in, input_value

BASE = "http://signon.test"
FROM = "Meridia coalition <statements@coalition.example>"  # what mail_via_smtp configures


def open_through_web(web, slug):
    response = web.post(
        f"/statements/{slug}/open",
        {
            "time_zone": "Europe/Paris",
            "signatories_intro": "Signed by:",
            "signatory_order": "alphabetical",
            "link_grace_hours": "0",
            "deadline": "2099-01-01T12:00",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def check_through_web(web, slug, rows: str, **request) -> str:
    """The team's first step; the checked list the confirmation form carries."""
    page = web.post(f"/statements/{slug}/invitations/check", {"rows": rows}, **request)
    assert page.status_code == 200, page.get_data(as_text=True)
    return input_value(page.get_data(as_text=True), "rows")


def confirm_through_web(web, slug, checked: str, **request):
    return web.post(f"/statements/{slug}/invitations/confirm", {"rows": checked}, **request)


class EvilHostClient(FlaskClient):
    """A test client whose requests name another host than BASE_URL's."""

    def open(self, *args, **kwargs):
        if not args or isinstance(args[0], str):
            kwargs.setdefault("base_url", "http://evil.example")
        return super().open(*args, **kwargs)


def counts(app) -> tuple[int, int]:
    """(invitations, outbox rows)."""
    from signon.mail.models import OutboxMessage

    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Invitation)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        )


@pytest.fixture
def team(web, dummy_user, dummy_statement):
    """The lead logged in, the statement open for signatures."""
    web.login(dummy_user)
    open_through_web(web, dummy_statement.slug)
    return web


def test_inviting_queues_one_mail_with_the_invitation_and_a_failed_confirm_queues_none(
    app, team, dummy_statement
):
    slug = dummy_statement.slug
    checked = check_through_web(team, slug, "Article 19, info@a19.example, Ana")
    assert counts(app) == (0, 0)  # checking saves nothing

    assert confirm_through_web(team, slug, checked).status_code == 302
    assert counts(app) == (1, 1)
    (row,) = outbox(app)
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.sent_at is not None
    assert (row.kind, row.to_address, row.state) == (
        "invitation",
        "info@a19.example",
        MailState.PENDING,
    )
    assert (row.invitation_id, row.statement_id) == (invitation.id, dummy_statement.id)
    assert row.attempts == 0

    # The same checked list again: the address is invited now, so the request is
    # refused and neither an invitation nor a mail appears.
    again = confirm_through_web(team, slug, checked)
    assert again.status_code == 400
    assert counts(app) == (1, 1)


def test_invitation_email_has_both_parts_and_the_configured_headers(
    app, team, dummy_statement, mail_via_smtp, send_outbox
):
    slug = dummy_statement.slug
    confirm_through_web(team, slug, check_through_web(team, slug, "Article 19, info@a19.example"))
    before = datetime.now(UTC).replace(microsecond=0)
    assert send_outbox().sent == 1

    (message,) = mail_via_smtp.wait_for(1)
    (row,) = outbox(app)
    assert row.state is MailState.SENT and row.sent_at is not None
    assert message["Message-ID"] == row.message_id
    assert row.message_id.endswith("@signon.test>")  # the domain of BASE_URL
    assert message["From"] == FROM
    assert message["Reply-To"] == "lead@coalition.example"
    assert message["To"] == "info@a19.example"
    assert message["Auto-Submitted"] == "auto-generated"
    sent = parsedate_to_datetime(message["Date"])
    assert before <= sent <= datetime.now(UTC) + timedelta(seconds=1)
    assert message.is_multipart()
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert message["Subject"] == f"Invitation to sign: {dummy_statement.title}"
    assert "Article 19" not in message["Subject"]
    assert "Article 19 is invited to sign" in text_of(message)
    assert "Article 19 is invited to sign" in html_of(message)
    (envelope,) = mail_via_smtp.envelopes
    assert envelope.mail_from == parseaddr(FROM)[1]
    assert envelope.rcpt_tos == ["info@a19.example"]


def test_links_come_from_the_base_url_whatever_host_the_request_named(
    app, dummy_user, dummy_statement, mail_via_smtp, send_outbox
):
    # The team works on pages served as evil.example (every request says Host: evil.example).
    team = Web(EvilHostClient(app, app.response_class, use_cookies=True))
    team.login(dummy_user)
    assert team.get("/", follow_redirects=True).request.host_url == "http://evil.example/"
    slug = dummy_statement.slug
    open_through_web(team, slug)
    confirm_through_web(team, slug, check_through_web(team, slug, "Article 19, info@a19.example"))
    send_outbox()
    (invitation,) = mail_via_smtp.wait_for(1)
    (link,) = links_in(invitation)
    assert link.startswith(f"{BASE}/i/")
    assert f'href="{link}"' in html_of(invitation)

    # The partner signs on a page served as evil.example: the manage link in the
    # confirmation comes from the base URL as well.
    partner = app.test_client()
    path = link.removeprefix(BASE)
    form = partner.get(path + "/sign", base_url="http://evil.example")
    data = {**SIGNATURE_FORM, "csrf_token": csrf_token_in(form.get_data(as_text=True))}
    signed = partner.post(path + "/sign", base_url="http://evil.example", data=data)
    assert signed.status_code == 303, signed.get_data(as_text=True)
    send_outbox()
    # The confirmation goes to the invitation's address; the contact typed into the
    # form gets a link to confirm it. Both carry links from the base URL.
    invitation, confirmation, confirm_contact = mail_via_smtp.wait_for(3)
    assert confirmation["To"] == "info@a19.example"
    assert links_in(confirmation)[0].startswith(f"{BASE}/m/")
    assert confirm_contact["To"] == "ana@a19.example"
    assert links_in(confirm_contact)[0].startswith(f"{BASE}/c/")
    for message in (invitation, confirmation, confirm_contact):
        assert "evil.example" not in text_of(message) + html_of(message)
        assert all(found.startswith(f"{BASE}/") for found in links_in(message))


def test_a_title_of_the_longest_allowed_length_still_gives_a_mail(
    app, web, dummy_user, create_statement, mail_via_smtp, send_outbox
):
    """The subject column holds 300 characters, a title can have 300: the reminder's
    subject wrapped it past that and PostgreSQL refused the whole invitation."""
    statement = create_statement(title=("Kyrgyzstan: end the crackdown on Kloop " * 8)[:300])
    web.login(dummy_user)
    open_through_web(web, statement.slug)
    checked = check_through_web(web, statement.slug, "Article 19, info@a19.example")
    assert confirm_through_web(web, statement.slug, checked).status_code == 302
    (row,) = outbox(app)
    assert len(row.subject) <= 150
    assert row.subject.startswith("Invitation to sign: Kyrgyzstan: end the crackdown")
    assert row.subject.endswith("Kloop…") or row.subject.endswith("…")
    send_outbox()
    (message,) = mail_via_smtp.wait_for(1)
    assert message["Subject"] == row.subject
    assert statement.title in text_of(message)  # the body keeps the whole title


def test_an_internationalised_domain_reaches_a_server_without_smtputf8(
    app, team, dummy_statement, send_outbox
):
    server = SMTPServer()
    server.controller.SMTP_kwargs["enable_SMTPUTF8"] = False
    server.start()
    try:
        app.config.update(
            MAIL_BACKEND="smtp", MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=server.port
        )
        slug = dummy_statement.slug
        confirm_through_web(team, slug, check_through_web(team, slug, "Ana org, ana@exämple.org"))
        assert send_outbox().sent == 1
        (message,) = server.mailbox.wait_for(1)
    finally:
        server.stop()
    assert server.mailbox.envelopes[0].rcpt_tos == ["ana@xn--exmple-cua.org"]
    assert message["To"] == "ana@xn--exmple-cua.org"
    assert outbox(app)[0].to_address == "ana@exämple.org"  # stored as the team typed it


def test_signing_queues_the_confirmation_with_the_signature(
    app, team, dummy_statement, send_outbox
):
    from signon.signatures.models import Signature

    slug = dummy_statement.slug
    confirm_through_web(team, slug, check_through_web(team, slug, "Article 19, info@a19.example"))
    (invitation_row,) = outbox(app)
    link = link_for(app, invitation_row.invitation_id)
    assert sign_through_link(app.test_client(), link).status_code == 303
    rows = outbox(app)
    assert [row.kind for row in rows] == ["invitation", "confirmation", "confirm_contact"]
    with app.app_context():
        signature = db.session.scalar(select(Signature))
    assert signature is not None
    # The contact typed when signing is not proven yet: the confirmation goes to the
    # invitation's address, the contact gets only the link that confirms it.
    assert rows[1].to_address == "info@a19.example"
    assert rows[2].to_address == "ana@a19.example"
    assert rows[1].statement_id == dummy_statement.id

    # The same form again changes nothing the signer sees: no second confirmation.
    assert sign_through_link(app.test_client(), link).status_code == 303
    assert len(outbox(app)) == 3


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("MAIL_BACKEND", "smtps"),
        ("MAIL_BACKEND", ""),
        ("MAIL_SMTP_SECURITY", "ssl"),
        ("MAIL_FROM", "signon"),
        ("MAIL_FROM", "a@b.example\nBcc: c@d.example"),
        ("MAIL_REPLY_TO", "the organisers"),
    ],
)
def test_a_mail_setting_that_cannot_work_stops_the_app_at_start(app_config, setting, value):
    with pytest.raises(RuntimeError, match=setting):
        create_app({**app_config, setting: value})


def test_mail_settings_are_read_case_insensitively(app_config):
    app = create_app({**app_config, "MAIL_BACKEND": "SMTP", "MAIL_SMTP_SECURITY": " StartTLS"})
    assert (app.config["MAIL_BACKEND"], app.config["MAIL_SMTP_SECURITY"]) == ("smtp", "starttls")
    with app.app_context():
        db.engine.dispose()


def test_mail_text_settings_from_the_environment_stay_text(app_config, monkeypatch):
    """SIGNON_* values are read as JSON: a numeric password became a number and
    "null" became None, which skipped the login altogether."""
    monkeypatch.setenv("SIGNON_MAIL_SMTP_PASSWORD", "123456")
    monkeypatch.setenv("SIGNON_MAIL_SMTP_USERNAME", "null")
    monkeypatch.setenv("SIGNON_MAIL_FROM", '"Coalition" <c@coalition.example>')
    monkeypatch.setenv("SIGNON_MAIL_SMTP_PORT", "2525")
    app = create_app(app_config)
    assert app.config["MAIL_SMTP_PASSWORD"] == "123456"
    assert app.config["MAIL_SMTP_USERNAME"] == "null"
    assert app.config["MAIL_FROM"] == '"Coalition" <c@coalition.example>'
    assert app.config["MAIL_SMTP_PORT"] == 2525
    with app.app_context():
        db.engine.dispose()
