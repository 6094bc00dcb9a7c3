"""Lena invites colleagues to her statement's team by email; nobody joins without
accepting. Omar is new to signon and sets his name and password from the link;
Pat has an account and accepts once logged in. Every mail goes through a real
SMTP server and every link is followed out of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from signon.accounts.models import TeamInvitation, User
from signon.columns import utcnow
from signon.extensions import db

from .mailbox import links_in, text_of
from .support import Web, csrf_token_in
from .test_accounts import members_of

BASE = "http://signon.test"
PASSWORD = "harbour lights over still water"


@pytest.fixture
def lena(app, web, dummy_user, dummy_statement):
    web.login(dummy_user)
    return web


def invite(lena, statement, email: str, role: str = "editor"):
    return lena.post(f"/statements/{statement.slug}/members", {"email": email, "role": role})


def join_path(mailbox, count: int) -> str:
    message = mailbox.wait_for(count)[count - 1]
    (link,) = [u for u in links_in(message) if "/team/join/" in u]
    assert link.startswith(f"{BASE}/team/join/")
    return link.removeprefix(BASE)


def post_form(client, path: str, data: dict):
    token = csrf_token_in(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_omar_is_new_and_joins_from_the_emailed_link(
    app, lena, dummy_statement, mail_via_smtp, send_outbox
):
    assert invite(lena, dummy_statement, "omar@coalition.example").status_code == 302
    send_outbox()
    message = mail_via_smtp.wait_for(1)[0]
    assert message["To"] == "omar@coalition.example"
    assert "invites you to the team" in text_of(message)
    path = join_path(mail_via_smtp, 1)
    omar = app.test_client()

    page = omar.get(path)
    assert page.status_code == 200
    assert "Choose a name and a password" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    weak = post_form(omar, path, {"name": "Omar", "password": "password1", "repeat": "password1"})
    assert weak.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "omar@coalition.example")) is None

    joined = post_form(
        omar, path, {"name": "Omar Okafor", "password": PASSWORD, "repeat": PASSWORD}
    )

    assert joined.status_code == 302
    assert joined.headers["Location"].endswith(f"/statements/{dummy_statement.slug}")
    assert omar.get(f"/statements/{dummy_statement.slug}").status_code == 200
    assert members_of(app, dummy_statement)["omar@coalition.example"] == "editor"
    used = omar.get(path)
    assert used.status_code == 410
    assert "This invitation was used already" in used.get_data(as_text=True)


def test_pat_has_an_account_and_accepts_once_logged_in(
    app, lena, create_user, dummy_statement, mail_via_smtp, send_outbox
):
    pat_record = create_user(email="pat@partner.example", name="Pat Partner")
    someone = create_user(email="someone@elsewhere.example", name="Someone Else")
    invite(lena, dummy_statement, "pat@partner.example", "viewer")
    send_outbox()
    path = join_path(mail_via_smtp, 1)

    anonymous = app.test_client().get(path).get_data(as_text=True)
    assert "Log in to accept" in anonymous
    other = Web(app.test_client())
    other.login(someone)
    assert other.get(path).status_code == 403
    assert "pat@partner.example" not in members_of(app, dummy_statement)

    pat = Web(app.test_client())
    pat.login(pat_record)
    assert "Join as viewer" in pat.get(path).get_data(as_text=True)
    assert pat.post(path).status_code == 302
    assert members_of(app, dummy_statement)["pat@partner.example"] == "viewer"


def test_a_revoked_expired_or_tampered_link_joins_nobody(
    app, lena, dummy_statement, mail_via_smtp, send_outbox
):
    invite(lena, dummy_statement, "sam@partner.example")
    invite(lena, dummy_statement, "kim@partner.example")
    send_outbox()
    sam_path, kim_path = join_path(mail_via_smtp, 1), join_path(mail_via_smtp, 2)
    if "sam" not in str(mail_via_smtp.messages[0]["To"]):
        sam_path, kim_path = kim_path, sam_path
    with app.app_context():
        sam = db.session.scalar(select(TeamInvitation).where(TeamInvitation.email.like("sam%")))
        sam_id = sam.id
    page = lena.get(f"/statements/{dummy_statement.slug}/members").get_data(as_text=True)
    assert "sam@partner.example" in page and "kim@partner.example" in page  # waiting

    revoked = lena.post(f"/statements/{dummy_statement.slug}/members/invitations/{sam_id}/revoke")
    assert revoked.status_code == 302
    with app.app_context():  # as if kim's week had passed
        db.session.execute(
            update(TeamInvitation)
            .where(TeamInvitation.email.like("kim%"))
            .values(created_at=utcnow() - timedelta(days=8))
        )
        db.session.commit()
    client = app.test_client()

    assert client.get(sam_path).status_code == 410
    assert "This invitation was withdrawn" in client.get(sam_path).get_data(as_text=True)
    assert client.get(kim_path).status_code == 410
    assert "This invitation has expired" in client.get(kim_path).get_data(as_text=True)
    assert client.get(sam_path[:-3] + "xyz").status_code == 400
    refused = client.post(
        kim_path,
        data={"name": "Kim", "password": PASSWORD, "repeat": PASSWORD,
              "csrf_token": csrf_token_in(client.get("/login").get_data(as_text=True))},
    )  # fmt: skip
    assert refused.status_code == 410
    assert set(members_of(app, dummy_statement)) == {"lead@coalition.example"}
    lena.get(f"/statements/{dummy_statement.slug}/members")  # shows the revoke's message
    page = lena.get(f"/statements/{dummy_statement.slug}/members").get_data(as_text=True)
    assert "sam@partner.example" not in page and "kim@partner.example" not in page
