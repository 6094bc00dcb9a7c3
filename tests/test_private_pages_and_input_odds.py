"""Issue 10, points 6 and 9: private pages are never cached; odd input is read
the way people mean it (time zones of places only, "0" and "off" are no)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from signon.extensions import db
from signon.statements.models import Statement

from .public_steps import sign_as
from .sign_on_steps import open_for_signing

PRIVATE = ("", "/signatures", "/invitations", "/members", "/history", "/export.md", "/audit")


def test_team_pages_with_contacts_or_unlisted_names_are_not_stored(
    app, web, dummy_user, dummy_statement
):
    open_for_signing(app, dummy_statement)
    sign_as(app, dummy_statement, dummy_user, "Quiet Collective", listed_publicly=None)
    web.login(dummy_user)
    assert web.get("/").headers["Cache-Control"] == "no-store"
    for path in PRIVATE:
        response = web.get(f"/statements/{dummy_statement.slug}{path}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_public_and_login_pages_keep_their_own_caching(client, dummy_statement):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    with client.get("/static/signon.css") as response:
        assert response.headers.get("Cache-Control") != "no-store"


def _open_with(web, slug, **fields):
    form = {
        "time_zone": "UTC",
        "link_grace_hours": "0",
        "signatories_intro": "Signed by:",
        "signatory_order": "alphabetical",
        **fields,
    }
    return web.post(f"/statements/{slug}/open", form)


@pytest.mark.parametrize("name", ["posix/Europe/Paris", "right/UTC", "localtime", "Factory"])
def test_only_time_zones_of_places_are_accepted(app, web, dummy_user, dummy_statement, name):
    web.login(dummy_user)
    response = _open_with(web, dummy_statement.slug, time_zone=name)
    assert response.status_code == 400
    assert "Unknown time zone" in response.get_data(as_text=True)
    with app.app_context():
        statement = db.session.scalar(
            select(Statement).where(Statement.slug == dummy_statement.slug)
        )
        assert statement.status.value == "draft"


def test_a_zone_typed_in_another_case_is_stored_by_its_iana_name(
    app, web, dummy_user, dummy_statement
):
    web.login(dummy_user)
    assert _open_with(web, dummy_statement.slug, time_zone="asia/bishkek").status_code == 302
    with app.app_context():
        statement = db.session.scalar(
            select(Statement).where(Statement.slug == dummy_statement.slug)
        )
        assert statement.time_zone == "Asia/Bishkek"


@pytest.mark.parametrize("no", ["0", "n", "no", "off", "false", "OFF", " False "])
def test_a_box_sent_as_no_is_no(app, web, dummy_user, dummy_statement, no):
    web.login(dummy_user)
    assert _open_with(web, dummy_statement.slug, open_call=no, live_list=no).status_code == 302
    with app.app_context():
        statement = db.session.scalar(
            select(Statement).where(Statement.slug == dummy_statement.slug)
        )
        assert (statement.open_call, statement.live_list) == (False, False)


def test_a_ticked_box_is_yes(app, web, dummy_user, dummy_statement):
    web.login(dummy_user)
    assert _open_with(web, dummy_statement.slug, open_call="y").status_code == 302
    with app.app_context():
        statement = db.session.scalar(
            select(Statement).where(Statement.slug == dummy_statement.slug)
        )
        assert statement.open_call is True
