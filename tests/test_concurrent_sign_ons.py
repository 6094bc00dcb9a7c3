"""Many partners signing at the same moment, against a live server on the test's
database (a SQLite file, or PostgreSQL when SIGNON_TEST_DATABASE_URL is set):
one signature each, no error, and "database is locked" never reaches anyone."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from signon.extensions import db
from signon.mail.models import OutboxMessage
from signon.signatures.models import Signature

from .sign_on_steps import invite_partners, open_for_signing, sign_form
from .support import csrf_token_in

PARTNERS = 50
SAME_INVITATION_POSTS = 10


@pytest.fixture
def app_config(app_config):
    # Every client here is 127.0.0.1: the per-address limit on link pages would
    # otherwise answer 429 long before 50 partners are through.
    return {**app_config, "RATELIMIT_TOKEN_PAGES": "10000 per minute"}


@pytest.fixture
def live_server(app):
    """The test's app on a free loopback port, one thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@dataclass
class Browser:
    """One signer's browser: its own connection and session cookie."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def request(self, method: str, path: str, body: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for set_cookie in response.msg.get_all("Set-Cookie") or []:
                name, _, value = set_cookie.split(";", 1)[0].partition("=")
                if value:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
            return response.status, text
        finally:
            connection.close()

    def open_form(self, path: str) -> None:
        status, page = self.request("GET", path)
        assert status == 200, page
        self.token = csrf_token_in(page)

    def sign(self, path: str, **fields) -> tuple[int, str]:
        data = {**sign_form(**fields), "csrf_token": self.token}
        return self.request("POST", path, urllib.parse.urlencode(data))


def post_all_at_once(jobs) -> list[tuple[int, str]]:
    """Run every job in its own thread, released together; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list[tuple[int, str] | None] = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        try:
            results[index] = job()
        except Exception as error:  # a refused or dropped connection counts as a failure
            results[index] = (0, repr(error))

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(r is not None for r in results), "a request never finished"
    return results


def assert_all_signed(results) -> None:
    failures = [
        (status, body[body.find("<h1") :][:300]) for status, body in results if status != 303
    ]
    assert not failures, failures
    assert not any("database is locked" in body for _, body in results)


def test_fifty_partners_sign_at_the_same_moment(app, live_server, dummy_user, dummy_statement):
    open_for_signing(app, dummy_statement)
    paths = invite_partners(
        app,
        dummy_statement,
        [(f"Partner {n}", f"partner{n}@ngo.example") for n in range(PARTNERS)],
        by=dummy_user,
    )
    browsers = [Browser(live_server) for _ in paths]
    for browser, path in zip(browsers, paths, strict=True):
        browser.open_form(path + "/sign")

    results = post_all_at_once(
        [
            lambda b=browser, p=path, n=n: b.sign(
                p + "/sign", name=f"Partner {n}", contact_email=f"partner{n}@ngo.example"
            )
            for n, (browser, path) in enumerate(zip(browsers, paths, strict=True))
        ]
    )

    assert_all_signed(results)
    with app.app_context():
        rows = db.session.execute(select(Signature.invitation_id, Signature.name)).all()
        assert len(rows) == PARTNERS
        assert len({invitation for invitation, _ in rows}) == PARTNERS
        assert {name for _, name in rows} == {f"Partner {n}" for n in range(PARTNERS)}
        confirmations = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "confirmation")
        )
        assert confirmations == PARTNERS


def test_the_same_invitation_posted_ten_times_at_once_gives_one_signature(
    app, live_server, dummy_user, dummy_statement
):
    open_for_signing(app, dummy_statement)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    # Ten tabs, or a partner and colleagues sharing the link, each with its own session.
    browsers = [Browser(live_server) for _ in range(SAME_INVITATION_POSTS)]
    for browser in browsers:
        browser.open_form(path + "/sign")

    results = post_all_at_once([lambda b=browser: b.sign(path + "/sign") for browser in browsers])

    assert_all_signed(results)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
        confirmations = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "confirmation")
        )
        assert confirmations == 1
