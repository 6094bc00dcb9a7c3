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
