"""Lena forgets her password and resets it from the emailed link; later she changes
it on her account page. Every mail goes through a real SMTP server (aiosmtpd)
and every link is followed out of the message."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from signon.accounts.credentials import reset_link, reset_nonce
from signon.accounts.models import User
from signon.accounts.security_log import SecurityEvent
from signon.extensions import db
from signon.mail.models import OutboxMessage
from signon.tokens import Purpose, make_token

from .mailbox import links_in, text_of
from .support import Web, csrf_token_in

BASE = "http://signon.test"
NEW_PASSWORD = "quiet harbour lanterns drift"
OTHER_PASSWORD = "copper meadow violin"


def reset_path(message) -> str:
    (link,) = [u for u in links_in(message) if "/password/reset/" in u]
    assert link.startswith(f"{BASE}/password/reset/")
    return link.removeprefix(BASE)


def ask_for_a_link(client, email: str):
    page = client.get("/password/forgot")
    token = csrf_token_in(page.get_data(as_text=True))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def set_password(client, path: str, password: str, repeat: str | None = None):
    page = client.get(path)
    token = csrf_token_in(page.get_data(as_text=True))
    return client.post(
        path, data={"password": password, "repeat": repeat or password, "csrf_token": token}
    )


def can_log_in(app, email: str, password: str) -> bool:
    return Web(app.test_client()).login(_Who(email, password)).status_code == 302


class _Who:
    def __init__(self, email, password):
        self.email, self.password = email, password


def password_hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def events(app, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(SecurityEvent.action)
                .where(SecurityEvent.user_id == user_id)
                .order_by(SecurityEvent.id)
            )
        )


def mail_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


@pytest.fixture
def lena(dummy_user):
    return dummy_user


def test_lena_resets_her_password_from_the_emailed_link(app, lena, mail_via_smtp, send_outbox):
    elsewhere = Web(app.test_client())  # a session she left open on another computer
    assert elsewhere.login(lena).status_code == 302
    visitor = app.test_client()

    asked = ask_for_a_link(visitor, "LEAD@coalition.example")
    assert asked.status_code == 200
    assert "If a signon account uses" in asked.get_data(as_text=True)
    send_outbox()
    (message,) = mail_via_smtp.wait_for(1)
    assert message["To"] == lena.email
    assert "works for one hour, once" in text_of(message)
    path = reset_path(message)

    page = visitor.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    done = set_password(visitor, path, NEW_PASSWORD)

    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert can_log_in(app, lena.email, NEW_PASSWORD)
    assert not can_log_in(app, lena.email, lena.password)
    # Every earlier session ended: the other computer is sent to the login page.
    assert elsewhere.get("/account").status_code == 302
    send_outbox()
    told = mail_via_smtp.wait_for(2)[1]
    assert told["Subject"] == "Your signon password was changed"
    assert "password reset requested" in events(app, lena.id)
    assert "password reset through the emailed link" in events(app, lena.id)

    # The link works once: the password it was bound to is gone.
    again = visitor.get(path)
    assert again.status_code == 410
    assert "This link was used already" in again.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, lena):
    visitor = app.test_client()
    known = ask_for_a_link(visitor, lena.email).get_data(as_text=True)
    before = mail_count(app)
    unknown = ask_for_a_link(visitor, "nobody@nowhere.example")

    assert unknown.status_code == 200
    page = unknown.get_data(as_text=True)
    assert page.replace("nobody@nowhere.example", "X") == known.replace(lena.email, "X")
    assert mail_count(app) == before


def test_a_too_common_or_mismatched_new_password_changes_nothing(app, lena):
    with app.test_request_context():
        path = reset_link(db.session.get(User, lena.id)).removeprefix(BASE)
    client = app.test_client()
    before = password_hash(app, lena.id)

    common = set_password(client, path, "password123")
    mismatched = set_password(client, path, NEW_PASSWORD, "something else entirely")

    assert common.status_code == 400
    assert "too easy to guess" in common.get_data(as_text=True)
    assert mismatched.status_code == 400
    assert "The two passwords are not the same." in mismatched.get_data(as_text=True)
    assert password_hash(app, lena.id) == before
    assert client.get(path).status_code == 200  # the link still works


def test_expired_tampered_and_wrong_purpose_links_are_refused(app, lena):
    before = password_hash(app, lena.id)
    with app.test_request_context():
        user = db.session.get(User, lena.id)
        good = reset_link(user).removeprefix(BASE)

        class TwoHoursAgo(TimestampSigner):
            def get_timestamp(self):
                return int(time.time()) - 2 * 3600

        old = URLSafeTimedSerializer(
            app.config["SECRET_KEY"], salt=Purpose.RESET_PASSWORD.salt, signer=TwoHoursAgo
        )
        expired = "/password/reset/" + old.dumps([user.id, reset_nonce(user)])
        wrong_purpose = "/password/reset/" + make_token(Purpose.INVITE, user.id, "n")
    client = app.test_client()

    assert client.get(expired).status_code == 410
    assert "This link has expired" in client.get(expired).get_data(as_text=True)
    assert client.get(good[:-3] + "abc").status_code == 400
    assert client.get(wrong_purpose).status_code == 400
    token = csrf_token_in(client.get("/password/forgot").get_data(as_text=True))
    posted = client.post(
        good[:-3] + "abc",
        data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD, "csrf_token": token},
    )
    assert posted.status_code == 400
    assert password_hash(app, lena.id) == before


def test_reset_requests_are_limited_per_address_and_per_account(app_config, lena):
    from signon import create_app

    limited = create_app(
        {**app_config, "RATELIMIT_PASSWORD_RESET": "3 per hour",
         "RATELIMIT_PASSWORD_RESET_ACCOUNT": "2 per hour"}
    )  # fmt: skip
    client = limited.test_client()
    from_a = [ask_for_a_link(client, lena.email).status_code for _ in range(3)]
    assert from_a == [200, 200, 429]  # the account's two, from any address
    others = [ask_for_a_link(client, f"x{n}@example.org").status_code for n in range(2)]
    assert others == [200, 429]  # this address's three are used up
    with limited.app_context():
        db.engine.dispose()


def test_lena_changes_her_password_and_keeps_this_session_only(
    app, lena, mail_via_smtp, send_outbox
):
    here, elsewhere = Web(app.test_client()), Web(app.test_client())
    assert here.login(lena).status_code == 302
    assert elsewhere.login(lena).status_code == 302
    before = password_hash(app, lena.id)

    wrong = here.post(
        "/account/password",
        {"current": "not it at all", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.get_data(as_text=True)
    assert password_hash(app, lena.id) == before

    changed = here.post(
        "/account/password",
        {"current": lena.password, "password": OTHER_PASSWORD, "repeat": OTHER_PASSWORD},
    )
    assert changed.status_code == 302
    assert here.get("/account").status_code == 200  # this session carries on
    assert elsewhere.get("/account").status_code == 302  # the other one ended
    assert can_log_in(app, lena.email, OTHER_PASSWORD)
    send_outbox()
    (notice,) = mail_via_smtp.wait_for(1)
    assert notice["Subject"] == "Your signon password was changed"

    log = here.get("/account/security").get_data(as_text=True)
    assert "Password changed" in log and "Logged in" in log
    assert events(app, lena.id).count("log-in failed (wrong password)") == 0


def test_the_security_log_shows_failed_log_ins_to_the_account_holder_only(app, lena, create_user):
    someone = create_user(email="someone@elsewhere.example")
    stranger = Web(app.test_client())
    stranger.login(_Who(lena.email, "a wrong guess"))
    mine, theirs = Web(app.test_client()), Web(app.test_client())
    mine.login(lena)
    theirs.login(someone)

    assert "Log-in failed (wrong password)" in mine.get("/account/security").get_data(as_text=True)
    assert "Log-in failed" not in theirs.get("/account/security").get_data(as_text=True)
