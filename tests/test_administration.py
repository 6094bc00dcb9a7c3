"""An administrator runs the accounts: creates one (its owner chooses the password
from the emailed link), disables and enables it, makes it an administrator, and
removes a lost phone's two-factor. Everyone else sees no such pages."""

from __future__ import annotations

from sqlalchemy import select

from signon.accounts.models import User
from signon.accounts.security_log import SecurityEvent
from signon.extensions import db

from .mailbox import links_in
from .support import Web
from .test_passwords import set_password
from .test_two_factor import log_in_to_code_step, turn_on

BASE = "http://signon.test"


def admin_web(app, create_user) -> tuple[Web, object]:
    admin = create_user(email="admin@coalition.example", name="Ada Admin", admin=True)
    web = Web(app.test_client())
    assert web.login(admin).status_code == 302
    return web, admin


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def log_of(app, uid: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.action, e.detail.get("by", ""))
            for e in db.session.scalars(
                select(SecurityEvent).where(SecurityEvent.user_id == uid).order_by(SecurityEvent.id)
            )
        ]


def test_an_administrator_creates_an_account_whose_owner_chooses_the_password(
    app, create_user, mail_via_smtp, send_outbox
):
    admin, _ = admin_web(app, create_user)
    created = admin.post("/admin/users", {"email": "omar@coalition.example", "name": "Omar Okafor"})
    assert created.status_code == 302
    send_outbox()
    (mail,) = mail_via_smtp.wait_for(1)
    assert mail["To"] == "omar@coalition.example"
    (link,) = [u for u in links_in(mail) if "/password/set/" in u]
    assert link.startswith(f"{BASE}/password/set/")

    omar = app.test_client()
    assert "Choose your password" in omar.get(link.removeprefix(BASE)).get_data(as_text=True)
    chosen = set_password(omar, link.removeprefix(BASE), "river stones under pale moon")
    assert chosen.status_code == 302

    web = Web(app.test_client())
    login = web.post(
        "/login", {"email": "omar@coalition.example", "password": "river stones under pale moon"}
    )
    assert login.status_code == 302
    uid = user_id(app, "omar@coalition.example")
    assert ("account created by an administrator", "Ada Admin <admin@coalition.example>") in log_of(
        app, uid
    )
    # The same address again: a clear message, nothing created.
    again = admin.post("/admin/users", {"email": "OMAR@coalition.example", "name": "Someone"})
    assert again.status_code == 400
    assert "already exists" in again.get_data(as_text=True)


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(app, create_user, dummy_user):
    admin, _ = admin_web(app, create_user)
    lena = Web(app.test_client())
    lena.login(dummy_user)
    assert lena.get("/").status_code == 200

    assert admin.post(f"/admin/users/{dummy_user.id}/disable").status_code == 302

    assert lena.get("/").status_code == 302  # the old session ended
    refused = Web(app.test_client()).login(dummy_user)
    assert refused.status_code == 401
    assert "That email and password do not match an account." in refused.get_data(as_text=True)
    assert ("account disabled by an administrator", "Ada Admin <admin@coalition.example>") in (
        log_of(app, dummy_user.id)
    )

    assert admin.post(f"/admin/users/{dummy_user.id}/enable").status_code == 302
    assert Web(app.test_client()).login(dummy_user).status_code == 302


def test_administrators_are_made_and_cannot_lock_themselves_out(app, create_user, dummy_user):
    admin, ada = admin_web(app, create_user)
    admin.post(f"/admin/users/{dummy_user.id}/make-admin")
    with app.app_context():
        assert db.session.get(User, dummy_user.id).is_admin
    own = admin.post(f"/admin/users/{ada.id}/disable", follow_redirects=True)
    assert "You cannot disable your own account." in own.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, ada.id).disabled_at is None


def test_an_administrator_removes_two_factor_of_a_lost_phone(app, create_user, dummy_user):
    lena = Web(app.test_client())
    lena.login(dummy_user)
    turn_on(lena)
    lena.logout()
    log_in_to_code_step(app, dummy_user)  # the second step is asked for

    admin, _ = admin_web(app, create_user)
    assert admin.post(f"/admin/users/{dummy_user.id}/reset-two-factor").status_code == 302

    assert Web(app.test_client()).login(dummy_user).status_code == 302
    assert any(
        action.startswith("two-factor authentication removed")
        for action, _ in (log_of(app, dummy_user.id))
    )


def test_no_one_else_sees_the_administration_pages(app, dummy_user):
    lena = Web(app.test_client())
    lena.login(dummy_user)
    assert lena.get("/admin/users").status_code == 404
    assert lena.get(f"/admin/users/{dummy_user.id}").status_code == 404
    assert lena.post(f"/admin/users/{dummy_user.id}/make-admin").status_code == 404
    with app.app_context():
        assert not db.session.get(User, dummy_user.id).is_admin
    anonymous = app.test_client().get("/admin/users")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_disabled_account_gets_no_reset_link_and_an_earlier_one_stops(
    app, create_user, dummy_user
):
    from signon.accounts.credentials import reset_link
    from signon.mail.models import OutboxMessage

    with app.test_request_context():
        earlier = reset_link(db.session.get(User, dummy_user.id)).removeprefix(BASE)
    admin, _ = admin_web(app, create_user)
    admin.post(f"/admin/users/{dummy_user.id}/disable")
    visitor = app.test_client()
    token = visitor.get("/password/forgot").get_data(as_text=True)
    from .support import csrf_token_in

    asked = visitor.post(
        "/password/forgot",
        data={"email": dummy_user.email, "csrf_token": csrf_token_in(token)},
    )

    assert asked.status_code == 200  # the same page as for anyone
    with app.app_context():
        kinds = db.session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.to_address == dummy_user.email)
        ).all()
    assert "password_reset" not in kinds
    assert visitor.get(earlier).status_code == 400
