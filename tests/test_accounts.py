"""Accounts: logging in and out, passwords, and the owner managing a statement's team."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from signon.accounts.models import Membership, TeamInvitation, User
from signon.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from signon.accounts.service import AccountError, create_user
from signon.accounts.team import join_link
from signon.extensions import db

from .support import Web, csrf_token_in

WRONG = "not my password at all"
NO_MATCH = "That email and password do not match an account."


def members_of(app, statement) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            select(User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.statement_id == statement.id)
        ).all()
    return {email: role.value for email, role in rows}


def membership_id(app, statement, user) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Membership.id).where(
                Membership.statement_id == statement.id, Membership.user_id == user.id
            )
        )


# Logging in


def test_lead_logs_in_and_lands_on_dashboard(web, dummy_user):
    web.get("/login")
    cookie_before = web.client.get_cookie("session").value

    response = web.login(dummy_user)

    assert response.status_code == 302
    assert response.location == "/"
    assert web.client.get_cookie("session").value != cookie_before
    assert "Welcome, Lena Lead." in web.get("/").get_data(as_text=True)


def test_form_token_from_before_login_is_void_after_login(web, dummy_user):
    # A new session at login: whatever a planted pre-login session held is gone.
    old_token = web.token()
    web.login(dummy_user)

    response = web.post("/logout", {"csrf_token": old_token})

    assert response.status_code == 400
    assert web.get("/").status_code == 200  # still logged in


def test_wrong_password_is_refused_with_a_clear_message(web, dummy_user):
    response = web.login(dummy_user, password=WRONG)

    assert response.status_code == 401
    assert NO_MATCH in response.get_data(as_text=True)
    assert web.get("/").status_code == 302  # not logged in


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(web, dummy_user):
    response = web.post("/login", {"email": "nobody@nowhere.example", "password": WRONG})

    assert response.status_code == 401
    assert NO_MATCH in response.get_data(as_text=True)


def test_login_email_is_case_insensitive(web, dummy_user):
    response = web.post(
        "/login", {"email": "  LEAD@Coalition.EXAMPLE ", "password": dummy_user.password}
    )

    assert response.status_code == 302
    assert web.get("/").status_code == 200


@pytest.mark.parametrize("typed", ["Éva@partner.example", "ÉVA@Partner.EXAMPLE"])
def test_partner_with_an_accented_email_logs_in(web, create_user, typed):
    eva = create_user(email="Éva@partner.example", name="Éva Partner")

    response = web.post("/login", {"email": typed, "password": eva.password})

    assert response.status_code == 302


def test_login_returns_to_the_page_asked_for(web, dummy_user, dummy_statement):
    asked = f"/statements/{dummy_statement.slug}"
    sent_to_login = web.get(asked)
    assert sent_to_login.location == f"/login?next=%2Fstatements%2F{dummy_statement.slug}"

    response = web.post(
        "/login",
        {"email": dummy_user.email, "password": dummy_user.password},
        query_string={"next": asked},
    )

    assert response.status_code == 302
    assert response.location == asked


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(document.cookie)",
        "statements/x",
        "",
    ],
)
def test_login_ignores_next_pointing_off_site(web, dummy_user, target):
    response = web.post(
        "/login",
        {"email": dummy_user.email, "password": dummy_user.password},
        query_string={"next": target},
    )

    assert response.status_code == 302
    assert response.location == "/"


def test_login_without_form_token_is_refused_with_a_clear_message(web, dummy_user):
    response = web.post(
        "/login", {"email": dummy_user.email, "password": dummy_user.password}, csrf=False
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Form expired" in page
    assert "missing its security token" in page
    assert web.get("/").status_code == 302  # not logged in


def test_eleventh_wrong_password_in_a_minute_is_slowed_down(web, dummy_user):
    for _ in range(10):
        assert web.login(dummy_user, password=WRONG).status_code == 401

    response = web.login(dummy_user)  # even the right password has to wait now

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Please wait a little before trying again." in response.get_data(as_text=True)
    assert web.get("/").status_code == 302  # not logged in


# Logging out


def test_logout_is_a_post_with_a_form_token(web, dummy_user):
    web.login(dummy_user)

    assert web.get("/logout").status_code == 405
    assert web.post("/logout", csrf=False).status_code == 400
    assert web.get("/").status_code == 200  # neither logged the user out

    response = web.logout()

    assert response.status_code == 302
    assert response.location == "/login"
    assert web.get("/").status_code == 302


# Passwords


def test_passwords_are_stored_as_argon2id_hashes(app, dummy_user):
    with app.app_context():
        stored = db.session.get(User, dummy_user.id).password_hash

    assert stored.startswith("$argon2id$")
    assert dummy_user.password not in stored


@pytest.mark.parametrize("length", [MIN_LENGTH, MAX_LENGTH])
def test_password_of_allowed_length_is_accepted(app, web, length):
    password = ("Wm3$Tz8!" + "plum orbit tundra " * 8)[:length]  # not guessable at either length
    with app.app_context():
        create_user("pat@partner.example", "Pat Partner", password)
        db.session.commit()

    response = web.post("/login", {"email": "pat@partner.example", "password": password})

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("length", "message"),
    [
        (0, "Use at least 8 characters."),
        (7, "Use at least 8 characters."),
        (129, "Use at most 128 characters."),
    ],
)
def test_password_outside_the_policy_is_refused(app, length, message):
    with app.app_context():
        with pytest.raises(AccountError, match=message):
            create_user("pat@partner.example", "Pat Partner", "p" * length)
        db.session.rollback()
        assert db.session.scalar(select(User.id)) is None


# A statement's team


@pytest.fixture
def owner_on_members_page(web, dummy_user, dummy_statement):
    web.login(dummy_user)
    return f"/statements/{dummy_statement.slug}/members"


def accept_invitation(app, statement, email: str, person) -> int:
    """`person` (logged in as the invited account) follows the join link and accepts."""
    with app.test_request_context():
        invitation = db.session.scalar(
            select(TeamInvitation).where(
                TeamInvitation.statement_id == statement.id, TeamInvitation.email == email
            )
        )
        path = join_link(invitation).removeprefix("http://signon.test")
    page = person.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return person.post(path).status_code


def test_owner_invites_a_partner_who_joins_as_editor_once_they_accept(
    app, web, create_user, dummy_statement, owner_on_members_page
):
    partner = create_user(email="pat@partner.example", name="Pat Partner")

    response = web.post(owner_on_members_page, {"email": "Pat@PARTNER.example", "role": "editor"})

    assert response.status_code == 302
    page = web.get(owner_on_members_page).get_data(as_text=True)
    assert "Invitation sent to Pat@PARTNER.example: they join as editor once they accept" in page
    assert partner.email not in members_of(app, dummy_statement)  # not without consent
    pat = Web(app.test_client())
    pat.login(partner)
    assert accept_invitation(app, dummy_statement, "Pat@partner.example", pat) == 302
    assert members_of(app, dummy_statement)[partner.email] == "editor"
    assert "Pat Partner" in web.get(owner_on_members_page).get_data(as_text=True)


def test_inviting_an_address_without_an_account_adds_nobody_yet(
    app, web, dummy_statement, owner_on_members_page
):
    before = members_of(app, dummy_statement)

    response = web.post(owner_on_members_page, {"email": "nobody@partner.example"})

    assert response.status_code == 302
    page = web.get(owner_on_members_page).get_data(as_text=True)
    assert "Invitation sent to nobody@partner.example" in page
    assert members_of(app, dummy_statement) == before


def test_owner_inviting_a_member_or_a_waiting_address_again_is_told_so(
    app, web, create_user, create_statement, dummy_user
):
    partner = create_user(email="pat@partner.example", name="Pat Partner")
    statement = create_statement(members={partner: "editor"})
    web.login(dummy_user)
    members_page = f"/statements/{statement.slug}/members"

    member = web.post(members_page, {"email": "pat@partner.example", "role": "viewer"})
    web.post(members_page, {"email": "sam@partner.example", "role": "viewer"})
    waiting = web.post(members_page, {"email": "SAM@partner.example", "role": "editor"})

    assert member.status_code == 400
    assert "Pat Partner is already a member, as editor." in member.get_data(as_text=True)
    assert waiting.status_code == 400
    assert "is waiting already; revoke it to send a new one" in waiting.get_data(as_text=True)
    assert members_of(app, statement)["pat@partner.example"] == "editor"


def test_add_member_with_an_invalid_email_is_a_field_error(
    app, web, dummy_statement, owner_on_members_page
):
    before = members_of(app, dummy_statement)

    response = web.post(owner_on_members_page, {"email": "pat at partner", "role": "editor"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.get_data(as_text=True)
    assert members_of(app, dummy_statement) == before


def test_owner_changes_an_editor_to_viewer(app, web, create_user, create_statement, dummy_user):
    partner = create_user(email="pat@partner.example", name="Pat Partner")
    statement = create_statement(members={partner: "editor"})
    web.login(dummy_user)

    response = web.post(
        f"/statements/{statement.slug}/members/{membership_id(app, statement, partner)}/role",
        {"role": "viewer"},
    )

    assert response.status_code == 302
    assert members_of(app, statement)[partner.email] == "viewer"


def test_owner_removes_a_member(app, web, create_user, create_statement, dummy_user):
    partner = create_user(email="pat@partner.example", name="Pat Partner")
    statement = create_statement(members={partner: "editor"})
    web.login(dummy_user)

    response = web.post(
        f"/statements/{statement.slug}/members/{membership_id(app, statement, partner)}/remove",
        {"confirm": "yes"},
    )

    assert response.status_code == 302
    assert partner.email not in members_of(app, statement)
    assert web.get(f"/statements/{statement.slug}").status_code == 200
    web.logout()
    web.login(partner)
    assert web.get(f"/statements/{statement.slug}").status_code == 404


def test_last_owner_cannot_remove_themselves(app, web, dummy_user, dummy_statement):
    web.login(dummy_user)
    own = membership_id(app, dummy_statement, dummy_user)

    response = web.post(
        f"/statements/{dummy_statement.slug}/members/{own}/remove",
        {"confirm": "yes"},
        follow_redirects=True,
    )

    assert "A statement needs at least one owner." in response.get_data(as_text=True)
    assert members_of(app, dummy_statement) == {dummy_user.email: "owner"}


def test_last_owner_cannot_step_down_to_editor(app, web, dummy_user, dummy_statement):
    web.login(dummy_user)
    own = membership_id(app, dummy_statement, dummy_user)

    response = web.post(
        f"/statements/{dummy_statement.slug}/members/{own}/role",
        {"role": "editor"},
        follow_redirects=True,
    )

    assert "A statement needs at least one owner." in response.get_data(as_text=True)
    assert members_of(app, dummy_statement) == {dummy_user.email: "owner"}


def test_owner_steps_down_once_a_second_owner_is_there(
    app, web, create_user, create_statement, dummy_user
):
    partner = create_user(email="pat@partner.example", name="Pat Partner")
    statement = create_statement(members={partner: "owner"})
    web.login(dummy_user)
    own = membership_id(app, statement, dummy_user)

    response = web.post(f"/statements/{statement.slug}/members/{own}/role", {"role": "viewer"})

    assert response.status_code == 302
    assert members_of(app, statement) == {dummy_user.email: "viewer", partner.email: "owner"}


def test_role_change_to_an_unknown_role_changes_nothing(
    app, web, create_user, create_statement, dummy_user
):
    partner = create_user(email="pat@partner.example", name="Pat Partner")
    statement = create_statement(members={partner: "viewer"})
    web.login(dummy_user)

    response = web.post(
        f"/statements/{statement.slug}/members/{membership_id(app, statement, partner)}/role",
        {"role": "superuser"},
        follow_redirects=True,
    )

    assert "Choose one of the listed roles." in response.get_data(as_text=True)
    assert members_of(app, statement)[partner.email] == "viewer"


def test_member_id_of_another_statement_is_not_found(
    app, web, create_user, create_statement, dummy_user, dummy_statement
):
    outsider = create_user(email="otto@other.example", name="Otto Outsider")
    other = create_statement(owner=outsider)
    web.login(dummy_user)
    their_owner = membership_id(app, other, outsider)

    response = web.post(
        f"/statements/{dummy_statement.slug}/members/{their_owner}/remove", {"confirm": "yes"}
    )

    assert response.status_code == 404
    assert members_of(app, other) == {outsider.email: "owner"}


def test_every_form_on_the_members_page_carries_a_token(web, dummy_user, dummy_statement):
    web.login(dummy_user)

    page = web.get(f"/statements/{dummy_statement.slug}/members").get_data(as_text=True)

    assert csrf_token_in(page)
    assert page.count('name="csrf_token"') == page.count("<form")


def test_a_login_with_a_nul_byte_is_a_clear_400(web, dummy_user):
    for form in (
        {"email": "lead\x00@coalition.example", "password": "whatever-it-is"},
        {"email": dummy_user.email, "password": "pass\x00word"},
    ):
        response = web.post("/login", form)
        assert response.status_code == 400
        assert "cannot contain" in response.get_data(as_text=True)
