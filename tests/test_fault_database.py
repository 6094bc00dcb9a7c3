"""PostgreSQL restarts, drops connections and stops for a while under a started
gunicorn: stale connections are replaced before a request fails, an outage
answers 503 with Retry-After and a page saying to try again, and nothing answers
a 500 or gunicorn's bare "Internal Server Error".

The server is the test's own (tests/private_postgres.py), never the shared one.
"""

from __future__ import annotations

import subprocess
import time
from email import message_from_bytes
from email.policy import default

import pytest

from .mailbox import links_in
from .private_postgres import PrivateCluster, wait_until
from .running_server import BIN, Server, Visitor, operator_environment, stop_process
from .sign_on_steps import sign_form
from .support import csrf_token_in
from .test_settings_from_environment import log_in, open_and_invite, set_up

pytest.importorskip("psycopg")


@pytest.fixture(scope="module")
def cluster():
    cluster = PrivateCluster()
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def site(cluster, tmp_path_factory):
    root = tmp_path_factory.mktemp("database-faults")
    env = operator_environment(
        INSTANCE_PATH=str(root / "instance"),
        DATABASE_URL=cluster.url,
        BASE_URL="http://signon.test",
        SECRET_KEY="a-secret-key-for-the-database-fault-tests-0123456789",
        MAIL_BACKEND="file",
        MAIL_WORKER_THREAD="true",
        MAIL_POLL_SECONDS="0.2",
        RATELIMIT_TOKEN_PAGES="1000 per minute",
    )
    password, slug = set_up(env)
    server = Server(env, root / "gunicorn.log", gunicorn=True)
    try:
        lead, _ = log_in(server.url, password)
        open_and_invite(lead, slug, "Article 19, info@a19.example\nPEN, pen@pen.example")
        yield server, lead, slug
    finally:
        server.stop()


def statement_page(lead: Visitor, slug: str) -> int:
    return lead.get(f"/statements/{slug}").status


def drop_every_connection(cluster: PrivateCluster) -> int:
    return int(
        cluster.sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = 'signon' AND pid <> pg_backend_pid()"
        )
    )


def test_dropped_connections_are_replaced_before_a_request_fails(cluster, site):
    server, lead, slug = site
    assert statement_page(lead, slug) == 200
    assert drop_every_connection(cluster) >= 1

    answers = [statement_page(lead, slug) for _ in range(10)]

    assert answers == [200] * 10
    assert "Error handling request" not in server.log


def test_a_restart_costs_no_request(cluster, site):
    _server, lead, slug = site
    assert statement_page(lead, slug) == 200

    cluster.restart()
    answers = [statement_page(lead, slug) for _ in range(10)]

    assert answers == [200] * 10


def test_an_outage_answers_503_and_signing_resumes_after_it(cluster, site):
    server, lead, slug = site
    assert statement_page(lead, slug) == 200

    stranger = Visitor(server.url)
    login_form = stranger.get("/login")
    cluster.stop()
    try:
        during = [lead.get(f"/statements/{slug}") for _ in range(3)]
        public = Visitor(server.url).get(f"/s/{slug}")
        missing = lead.get("/no-such-page")  # its 404 page would ask who is logged in
        login = stranger.request(  # a rate-limited form: the limiter writes Retry-After too
            "POST",
            "/login",
            {"email": "a@b.example", "password": "x", "csrf_token": csrf_token_in(login_form.text)},
        )
    finally:
        cluster.start()
    after = [statement_page(lead, slug) for _ in range(5)]

    for answer in [*during, public, missing, login]:
        assert answer.status == 503, answer.text
        assert answer.headers["Retry-After"] == "5"  # seconds, not the limiter's window
        assert answer.headers["Cache-Control"] == "no-store"
        assert "Try again in a moment" in answer.text
        assert "half-saved" not in answer.text
        assert "Back to your statements" not in answer.text  # no one is known to be logged in
    assert after == [200] * 5
    assert "Internal Server Error" not in server.log
    assert "Error handling request" not in server.log
    assert "Traceback" not in server.log


def test_a_mail_worker_says_once_that_the_database_is_away_and_once_that_it_is_back(
    cluster, site, tmp_path
):
    server, _lead, _slug = site
    env = operator_environment(
        INSTANCE_PATH=str(server.log_path.parent / "instance"),
        DATABASE_URL=cluster.url,
        SECRET_KEY="a-secret-key-for-the-database-fault-tests-0123456789",
    )
    log = tmp_path / "worker.log"
    with open(log, "w") as output:
        worker = subprocess.Popen(
            [str(BIN / "signon"), "send-mail", "--loop", "--interval", "0.2"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        time.sleep(1)
        cluster.stop()
        try:
            wait_until(lambda: "cannot be reached" in log.read_text(), timeout=20)
            time.sleep(2)  # ten rounds more, all failing
        finally:
            cluster.start()
        wait_until(lambda: "answers again" in log.read_text(), timeout=20)
    finally:
        stop_process(worker)
    text = log.read_text()
    assert text.count("The database cannot be reached") == 1
    assert "Traceback" not in text


def test_a_sign_on_during_an_outage_is_refused_and_saved_after(cluster, site):
    server, _lead, _slug = site
    outbox = server.log_path.parent / "instance" / "outbox"
    invitation = wait_until(lambda: sorted(outbox.glob("*.eml")))[0]
    link = links_in(message_from_bytes(invitation.read_bytes(), policy=default))[0]
    link = link.removeprefix("http://signon.test")
    partner = Visitor(server.url)
    form = partner.get(f"{link}/sign")
    assert form.status == 200

    cluster.stop()
    try:
        token = csrf_token_in(form.text)
        refused = partner.request("POST", f"{link}/sign", {**sign_form(), "csrf_token": token})
    finally:
        cluster.start()
    signed = partner.submit(f"{link}/sign", f"{link}/sign", sign_form())

    assert refused.status == 503, refused.text
    assert signed.status == 303, signed.text
    assert cluster.sql("SELECT count(*) FROM signatures WHERE source = 'invitation'") == "1"
