"""Logging out ends the session on the server, not only in the browser (issue 10.4).

A session cookie is signed, not stored: before the session generation, a copy
taken before logout still opened every page afterwards.
"""

from __future__ import annotations

from sqlalchemy import select

from signon.accounts.models import User
from signon.extensions import db

from .support import Web


def copy_of_session(app, web) -> Web:
    """A second browser holding a copy of `web`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", web.client.get_cookie("session").value)
    return Web(thief)


def generation_of(app, user) -> int:
    with app.app_context():
        return db.session.scalar(select(User.session_generation).where(User.id == user.id))


def asks_to_log_in(response) -> bool:
    return response.status_code == 302 and response.location.startswith("/login")


def test_copied_session_cookie_stops_working_after_logout(app, web, dummy_user, dummy_statement):
    web.login(dummy_user)
    thief = copy_of_session(app, web)
    members_page = f"/statements/{dummy_statement.slug}/members"
    assert thief.get(members_page).status_code == 200  # the copy works while logged in

    response = web.logout()

    assert "You are logged out, in this browser and any other." in (
        web.get(response.location).get_data(as_text=True)
    )
    assert asks_to_log_in(thief.get(members_page))
    assert asks_to_log_in(thief.get("/account"))
    assert thief.get("/").status_code == 302


def test_logging_in_again_after_logout_works(web, dummy_user):
    web.login(dummy_user)
    web.logout()
    assert asks_to_log_in(web.get("/account"))

    response = web.login(dummy_user)

    assert response.status_code == 302
    assert web.get("/account").status_code == 200


def test_a_session_cookie_from_before_the_generation_existed_is_anonymous(web, dummy_user):
    """A cookie signed before this change carries no generation: it must not pass
    for the current one (the user logs in once more)."""
    web.login(dummy_user)
    with web.client.session_transaction() as session:
        del session["session_generation"]

    assert asks_to_log_in(web.get("/account"))


def test_log_out_everywhere_asks_first_then_ends_every_browser(app, client, dummy_user):
    laptop = Web(client)
    phone = Web(app.test_client())
    laptop.login(dummy_user)
    phone.login(dummy_user)
    stolen = copy_of_session(app, phone)
    assert 'href="/account"' in laptop.get("/").get_data(as_text=True)  # the name in the header
    account_page = laptop.get("/account").get_data(as_text=True)
    assert "Log out everywhere" in account_page

    question = laptop.post("/account/log-out-everywhere")

    assert question.status_code == 200
    assert "End every session of your account" in question.get_data(as_text=True)
    assert phone.get("/account").status_code == 200  # asking changed nothing
    assert generation_of(app, dummy_user) == 0

    done = laptop.post("/account/log-out-everywhere", {"confirm": "yes"})

    assert asks_to_log_in(done)
    assert "You are logged out everywhere." in laptop.get("/login").get_data(as_text=True)
    assert asks_to_log_in(phone.get("/account"))
    assert asks_to_log_in(stolen.get("/account"))
    assert asks_to_log_in(laptop.get("/account"))
    assert generation_of(app, dummy_user) == 1


def test_log_out_everywhere_leaves_other_people_logged_in(app, web, dummy_user, create_user):
    colleague = create_user(email="pat@partner.example", name="Pat Partner")
    other = Web(app.test_client())
    other.login(colleague)
    web.login(dummy_user)

    web.post("/account/log-out-everywhere", {"confirm": "yes"})

    assert other.get("/account").status_code == 200


def test_log_out_everywhere_needs_the_form_token(app, web, dummy_user):
    web.login(dummy_user)

    response = web.post("/account/log-out-everywhere", {"confirm": "yes"}, csrf=False)

    assert response.status_code == 400
    assert web.get("/account").status_code == 200
    assert generation_of(app, dummy_user) == 0


def test_log_out_everywhere_is_a_post_for_logged_in_users(web):
    assert web.get("/account/log-out-everywhere").status_code == 405
    assert asks_to_log_in(web.post("/account/log-out-everywhere", {"confirm": "yes"}))
    assert asks_to_log_in(web.get("/account"))


def test_logout_without_a_session_changes_nothing(web, app, dummy_user):
    response = web.logout()

    assert asks_to_log_in(response)
    assert generation_of(app, dummy_user) == 0


def test_logging_out_in_one_browser_ends_the_others_too(app, client, dummy_user):
    """The price of one generation per account, said in the logout message."""
    laptop = Web(client)
    phone = Web(app.test_client())
    laptop.login(dummy_user)
    phone.login(dummy_user)

    laptop.logout()

    assert asks_to_log_in(phone.get("/account"))
