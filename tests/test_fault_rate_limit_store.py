"""The rate-limit store (Redis) is down: signing goes on with limits counted in the
process, the log says so, and no page claims a saved signature failed.

The store is "down" for real: RATELIMIT_STORAGE_URI names a Redis port where
nothing listens, in a started gunicorn, set as an operator sets it.
"""

from __future__ import annotations

import sqlite3

import pytest
from flask import request

from signon import create_app
from signon.extensions import db

from .mail_support import invite, link_for, open_for_signing, sign_through_link
from .mailbox import SMTPServer, free_port, links_in
from .running_server import Server, Visitor, operator_environment
from .sign_on_steps import count_signatures, sign_form
from .support import csrf_token_in
from .test_settings_from_environment import log_in, open_and_invite, set_up

pytest.importorskip("redis")


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


def test_partner_signs_while_the_rate_limit_store_is_down(tmp_path, smtp_server):
    closed_port = free_port()  # nothing listens here: Redis is down
    database = tmp_path / "signon.db"
    env = operator_environment(
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{database}",
        BASE_URL="http://signon.test",
        SECRET_KEY="a-secret-key-for-the-redis-outage-test-0123456789",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/0",
        MAIL_BACKEND="smtp",
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=str(smtp_server.port),
        MAIL_WORKER_THREAD="true",
        MAIL_POLL_SECONDS="0.2",
    )
    password, slug = set_up(env)
    server = Server(env, tmp_path / "gunicorn.log", gunicorn=True)
    try:
        lead, _ = log_in(server.url, password)  # a rate-limited POST
        open_and_invite(lead, slug, "Article 19, info@a19.example")
        (invitation,) = smtp_server.mailbox.wait_for(1, timeout=20)
        link = links_in(invitation)[0].removeprefix("http://signon.test")

        partner = Visitor(server.url)
        landing = partner.get(link)
        signed = partner.submit(f"{link}/sign", f"{link}/sign", sign_form())

        assert landing.status == 200, landing.text
        assert signed.status == 303, signed.text
        signed = partner.get(signed.headers["Location"].removeprefix("http://signon.test"))
        assert "Thank you: your signature is recorded" in signed.text
        confirmation = smtp_server.mailbox.wait_for(2, timeout=20)[1]
        assert "info@a19.example" in str(confirmation["To"])
    finally:
        server.stop()
    with sqlite3.connect(database) as connection:
        (signatures,) = connection.execute(
            "SELECT count(*) FROM signatures WHERE source = 'invitation'"
        ).fetchone()
    assert signatures == 1
    assert "falling back to in-memory storage" in server.log
    assert "Internal Server Error" not in server.log


def test_limits_still_hold_in_the_process_while_the_store_is_down(app_config):
    """The fallback still counts: the login limit answers 429 with the store away."""
    app = create_app(
        {
            **app_config,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0",
            "RATELIMIT_LOGIN": "2 per minute",
        }
    )
    client = app.test_client()
    try:
        answers = []
        for _ in range(3):
            token = csrf_token_in(client.get("/login").get_data(as_text=True))
            data = {"email": "nobody@example.org", "password": "not the password"}
            answers.append(client.post("/login", data={**data, "csrf_token": token}).status_code)
    finally:
        with app.app_context():
            db.engine.dispose()
    assert answers[:2] == [401, 401]
    assert answers[2] == 429


def test_an_error_after_the_commit_says_the_signature_was_saved(app, create_statement, dummy_user):
    """A fault after the commit (here an after-request hook that fails, as
    Flask-Limiter's header hook did) must not say "nothing was half-saved"."""
    statement = create_statement()
    open_for_signing(app, statement.id)
    (invitation_id,) = invite(app, statement.id, dummy_user.id, "Article 19, a@a19.example")
    link = link_for(app, invitation_id)

    def fail_after_the_view(response):
        if request.method == "POST":
            raise RuntimeError("a hook failed after the commit")
        return response

    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not raise
    app.after_request_funcs.setdefault(None, []).insert(0, fail_after_the_view)
    answer = sign_through_link(app.test_client(), link)

    page = answer.get_data(as_text=True)
    assert answer.status_code == 500
    assert "What you sent was saved" in page
    assert "half-saved" not in page
    assert count_signatures(app) == 1


def test_an_error_before_any_commit_says_nothing_was_saved(app, create_statement, dummy_user):
    statement = create_statement()
    open_for_signing(app, statement.id)
    (invitation_id,) = invite(app, statement.id, dummy_user.id, "Article 19, a@a19.example")
    link = link_for(app, invitation_id)

    def fail_before_the_view():
        if request.method == "POST":
            raise RuntimeError("a fault before anything was written")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.before_request_funcs.setdefault(None, []).append(fail_before_the_view)
    answer = sign_through_link(app.test_client(), link)

    assert answer.status_code == 500
    assert "nothing you sent was half-saved" in answer.get_data(as_text=True)
    assert count_signatures(app) == 0
