"""Lena turns on two-factor authentication, logs in with a code from her app, then
with a recovery code; codes outside the window or used once are refused.
TOTP codes are computed with pyotp from the secret the page shows, at the moment
they are typed (or at a fixed earlier time, for the window)."""

from __future__ import annotations

import html
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from signon import create_app
from signon.accounts.models import User
from signon.accounts.security_log import SecurityEvent
from signon.extensions import db

from .support import Web

SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
CODE = re.compile(r"<li><code>([0-9A-F]{5}-[0-9A-F]{5})</code></li>")


def turn_on(web: Web) -> tuple[pyotp.TOTP, list[str]]:
    """Through the account page: scan (read) the key, type the app's code."""
    page = web.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page and "<script" not in page  # the QR code, drawn on the server
    totp = pyotp.TOTP(SECRET.search(page).group(1).replace(" ", ""))
    shown = web.post("/account/two-factor", {"code": totp.now()})
    assert shown.status_code == 200, shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    return totp, CODE.findall(shown.get_data(as_text=True))


def log_in_to_code_step(app, user) -> Web:
    web = Web(app.test_client())
    answer = web.login(user)
    assert answer.status_code == 302 and "/login/code" in answer.headers["Location"]
    return web


def second_step(web: Web, code: str):
    return web.post("/login/code", {"code": code})


def events(app, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(SecurityEvent.action)
                .where(SecurityEvent.user_id == user_id)
                .order_by(SecurityEvent.id)
            )
        )


def test_lena_logs_in_with_her_app_then_with_a_recovery_code(app, dummy_user):
    lena = Web(app.test_client())
    lena.login(dummy_user)
    totp, codes = turn_on(lena)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        stored = db.session.get(User, dummy_user.id)
        assert stored.has_two_factor
    lena.logout()

    # A password alone no longer logs in: the dashboard still sends to the login.
    web = log_in_to_code_step(app, dummy_user)
    assert web.get("/").status_code == 302
    code = totp.at(time.time() + 30)  # the app's next code: the one shown was used to turn on
    assert second_step(web, code).status_code == 302
    assert web.get("/").status_code == 200
    web.logout()

    # The same code again, within its window: refused.
    web = log_in_to_code_step(app, dummy_user)
    replayed = second_step(web, code)
    assert replayed.status_code == 401
    assert "That code was used already" in replayed.get_data(as_text=True)

    # A recovery code instead; it works once.
    assert second_step(web, codes[0].lower()).status_code == 302
    web.logout()
    web = log_in_to_code_step(app, dummy_user)
    again = second_step(web, codes[0])
    assert again.status_code == 401
    assert "used already" in html.unescape(again.get_data(as_text=True))

    log = events(app, dummy_user.id)
    assert "two-factor authentication turned on" in log
    with app.app_context():
        from signon.mail.models import OutboxMessage

        told = db.session.scalars(select(OutboxMessage.kind)).all()
    assert "two_factor_changed" in told  # the account's address is told
    assert "recovery code used to log in" in log
    assert log.count("log-in failed (wrong two-factor code)") == 2


def test_a_code_outside_the_window_is_refused(app, dummy_user):
    lena = Web(app.test_client())
    lena.login(dummy_user)
    totp, _codes = turn_on(lena)
    lena.logout()
    web = log_in_to_code_step(app, dummy_user)

    stale = second_step(web, totp.at(time.time() - 120))  # four steps ago
    future = second_step(web, totp.at(time.time() + 120))

    assert stale.status_code == 401 and future.status_code == 401
    assert web.get("/").status_code == 302


def test_a_wrong_code_while_turning_on_changes_nothing(app, dummy_user):
    lena = Web(app.test_client())
    lena.login(dummy_user)
    lena.get("/account/two-factor")
    refused = lena.post("/account/two-factor", {"code": "000000"})
    assert refused.status_code == 400
    with app.app_context():
        assert not db.session.get(User, dummy_user.id).has_two_factor


def test_turning_off_needs_the_password(app, dummy_user):
    lena = Web(app.test_client())
    lena.login(dummy_user)
    turn_on(lena)

    wrong = lena.post("/account/two-factor", {"password": "not my password"})
    assert wrong.status_code == 400
    with app.app_context():
        assert db.session.get(User, dummy_user.id).has_two_factor
    right = lena.post("/account/two-factor", {"password": dummy_user.password})
    assert right.status_code == 302
    with app.app_context():
        assert not db.session.get(User, dummy_user.id).has_two_factor
    assert "two-factor authentication turned off" in events(app, dummy_user.id)


@pytest.fixture
def strict_app(app_config):
    strict = create_app({**app_config, "REQUIRE_TWO_FACTOR": True})
    yield strict
    with strict.app_context():
        db.engine.dispose()


def test_when_two_factor_is_required_the_team_pages_wait_until_it_is_on(strict_app, dummy_user):
    lena = Web(strict_app.test_client())
    assert lena.login(dummy_user).status_code == 302

    held = lena.get("/")
    assert held.status_code == 302 and held.headers["Location"].endswith("/account/two-factor")
    assert lena.get("/account").status_code == 200  # her own account page stays open
    turn_on(lena)
    assert lena.get("/").status_code == 200


def test_an_administrator_requires_two_factor_of_every_account(app, dummy_user, create_user):
    admin = create_user(email="admin@coalition.example", name="Ada Admin", admin=True)
    ada = Web(app.test_client())
    ada.login(admin)
    lena = Web(app.test_client())
    lena.login(dummy_user)
    assert lena.get("/").status_code == 200
    turn_on(ada)  # or she is held at the setup page herself, like everyone
    assert ada.post("/admin/require-two-factor", {"required": "maybe"}).status_code == 400

    assert ada.post("/admin/require-two-factor", {"required": "on"}).status_code == 302

    held = lena.get("/")
    assert held.status_code == 302 and held.headers["Location"].endswith("/account/two-factor")
    turn_on(lena)
    assert lena.get("/").status_code == 200
    assert "required two-factor authentication of every account" in events(app, admin.id)
    assert ada.post("/admin/require-two-factor", {"required": "off"}).status_code == 302


def test_the_second_step_at_fixed_times(app, dummy_user):
    """The service itself, at fixed moments: a code of the step, one either side, not two
    steps off, and never one at or before the last step accepted."""
    from signon.accounts import two_factor

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    totp = pyotp.TOTP(secret)
    moment = 1_800_000_000  # a step boundary: 1_800_000_000 / 30 is whole
    with app.app_context():
        user = db.session.get(User, dummy_user.id)
        two_factor.turn_on(user, secret, totp.at(moment), now=moment)
        with pytest.raises(two_factor.TwoFactorError, match="used already"):
            two_factor.second_step(user, totp.at(moment), now=moment)
        with pytest.raises(two_factor.TwoFactorError):
            two_factor.second_step(user, totp.at(moment + 60), now=moment)  # two steps on
        two_factor.second_step(user, totp.at(moment + 30), now=moment)  # the next one
        with pytest.raises(two_factor.TwoFactorError, match="used already"):
            two_factor.second_step(user, totp.at(moment + 30), now=moment + 30)
        two_factor.second_step(user, totp.at(moment + 60), now=moment + 90)  # one step late
        db.session.rollback()
