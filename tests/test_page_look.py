"""What every team page shows: no needless flash, the status badge, its own tab."""

from __future__ import annotations

import re

import pytest


def test_first_visit_to_the_front_door_shows_the_login_without_a_flash(client):
    response = client.get("/")
    assert response.status_code == 302
    login = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Log in" in login
    assert "Please log in" not in login


def test_a_deep_link_says_why_it_asks_to_log_in(client, dummy_statement):
    response = client.get(f"/statements/{dummy_statement.slug}/history")
    assert response.status_code == 302
    assert "next=" in response.headers["Location"]
    login = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please log in to see this page." in login


TABS = [
    ("", "Text"),
    ("/signatures", "Signatures"),
    ("/history", "History"),
    ("/versions/1", "History"),
    ("/diff", "Changes"),
    ("/edit", "Edit"),
    ("/invitations", "Invitations"),
    ("/audit", "Audit trail"),
    ("/members", "Members"),
]


@pytest.mark.parametrize(("path", "tab"), TABS)
def test_every_statement_page_shows_the_status_and_marks_its_own_tab(
    web, dummy_user, dummy_statement, path, tab
):
    web.login(dummy_user)
    page = web.get(f"/statements/{dummy_statement.slug}{path}").get_data(as_text=True)
    assert re.search(r'<span class="badge badge-draft">Draft</span>', page)
    current = re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', page)
    assert current == [tab]


def test_closing_asks_first_and_says_who_has_not_answered(app, web, dummy_user, dummy_statement):
    from signon.extensions import db
    from signon.statements.models import Statement, Status

    from .mail_support import invite, open_for_signing

    open_for_signing(app, dummy_statement.id)
    invite(app, dummy_statement.id, dummy_user.id, "Article 19, a19@example.org")
    web.login(dummy_user)
    url = f"/statements/{dummy_statement.slug}/close"
    asked = web.post(url)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Close signatures?" in page
    assert "1 invited partner has not answered yet." in page
    assert 'name="confirm" value="yes"' in page
    with app.app_context():
        assert db.session.get(Statement, dummy_statement.id).status is Status.OPEN
    assert web.post(url, {"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Statement, dummy_statement.id).status is Status.CLOSED


def test_removing_a_member_asks_first(app, web, dummy_user, create_user, create_statement):
    from sqlalchemy import select

    from signon.accounts.models import Membership
    from signon.extensions import db

    partner = create_user(name="Pat Partner")
    statement = create_statement(members={partner: "editor"})
    with app.app_context():
        member_id = db.session.scalar(select(Membership.id).where(Membership.user_id == partner.id))
    web.login(dummy_user)
    url = f"/statements/{statement.slug}/members/{member_id}/remove"
    asked = web.post(url)
    assert asked.status_code == 200
    assert "Remove Pat Partner" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Membership, member_id) is not None
    assert web.post(url, {"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Membership, member_id) is None


def test_a_scheduled_statement_reads_scheduled_everywhere_the_team_looks(
    app, web, dummy_user, dummy_statement
):
    from datetime import timedelta

    from signon.columns import utcnow

    from .public_steps import close_statement, publish, sign_as
    from .sign_on_steps import open_for_signing

    open_for_signing(app, dummy_statement)
    sign_as(app, dummy_statement, dummy_user, "Article 19")
    close_statement(app, dummy_statement)
    publish(app, dummy_statement, embargo_until=utcnow() + timedelta(days=2))
    web.login(dummy_user)
    for path in ("", "/signatures", "/publish", "/publication"):
        page = web.get(f"/statements/{dummy_statement.slug}{path}").get_data(as_text=True)
        assert re.search(
            r'<span class="badge badge-scheduled">Scheduled for [^<]+\(Europe/Paris\)</span>', page
        )
        assert ">Published</span>" not in page
    current = re.findall(
        r'aria-current="page">([^<]+)</a>',
        web.get(f"/statements/{dummy_statement.slug}/publish").get_data(as_text=True),
    )
    assert current == ["Publication"]
    dashboard = web.get("/").get_data(as_text=True)
    assert "badge-scheduled" in dashboard
    editions = web.get(f"/statements/{dummy_statement.slug}/publication").get_data(as_text=True)
    assert "<dt>Scheduled</dt>" in editions and "<dt>Published</dt>" not in editions


def test_revoking_and_a_new_link_ask_first(app, web, dummy_user, dummy_statement):
    from signon.extensions import db
    from signon.signatures.models import Invitation

    from .mail_support import invite, open_for_signing

    open_for_signing(app, dummy_statement.id)
    (invitation_id,) = invite(app, dummy_statement.id, dummy_user.id, "Article 19, a@a19.org")
    with app.app_context():
        nonce = db.session.get(Invitation, invitation_id).nonce
    web.login(dummy_user)
    base = f"/statements/{dummy_statement.slug}/invitations/{invitation_id}"
    for action, heading in (("resend", "Send a new link?"), ("revoke", "Revoke this invitation?")):
        asked = web.post(f"{base}/{action}")
        assert asked.status_code == 200
        assert heading in asked.get_data(as_text=True)
        with app.app_context():
            invitation = db.session.get(Invitation, invitation_id)
            assert (invitation.nonce, invitation.revoked_at) == (nonce, None)
    assert web.post(f"{base}/revoke", {"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is not None
    assert web.post(f"{base}/unknown").status_code == 404


def test_the_invitations_page_says_who_must_reconfirm(app, web, dummy_user, dummy_statement):
    from .public_steps import new_version, sign_as
    from .sign_on_steps import open_for_signing

    open_for_signing(app, dummy_statement)
    sign_as(app, dummy_statement, dummy_user, "Article 19")
    new_version(app, dummy_statement, "A new demand.\n", by=dummy_user)
    web.login(dummy_user)
    page = web.get(f"/statements/{dummy_statement.slug}/invitations").get_data(as_text=True)
    assert "Signed v1: needs re-confirmation" in page
