"""Settings given the way the README documents them: SIGNON_* variables of a started
process (gunicorn, `signon run`), checked the way an operator would see them: the
links in a real email, the cookie flags, the database file, the mail backend, the
rate-limit counters in Redis, the files published, the start-up log.

Two servers carry the settings: a production one (gunicorn, https base URL, SMTP
to aiosmtpd, Redis, its own database file) and a development one (`signon run`,
file backend, stray variables). Each runs one team's day once; the tests below
read what that day left. The database is always a SQLite file here: choosing it
is one of the settings under test.
"""

from __future__ import annotations

import io
import sqlite3
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from .mailbox import SMTPServer, free_port, links_in
from .running_server import BIN, Response, Server, Visitor, operator_environment, signon
from .support import input_value

DEMO_EMAIL = "demo@example.org"  # `signon demo`'s owner
OLD_KEY = "the-production-key-of-last-year-0123456789abcdef"
NEW_KEY = "the-production-key-rotated-in-today-0123456789ab"
OPEN_FORM = {
    "time_zone": "Europe/Paris",
    "signatories_intro": "Signed by:",
    "signatory_order": "alphabetical",
    "link_grace_hours": "0",
}


def set_up(env: dict[str, str]) -> tuple[str, str]:
    """`signon db upgrade` and `signon demo`: the demo owner's password and the
    example statement's slug, as the demo prints them."""
    upgrade = signon(env, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    demo = signon(env, "demo")
    assert demo.returncode == 0, demo.stderr
    password = demo.stdout.split("with the password ")[1].split()[0]
    slug = demo.stdout.split("/statements/")[1].split()[0]
    return password, slug


def log_in(server_url: str, password: str) -> tuple[Visitor, Response]:
    """The lead logs in: their browser, and the login page as it came."""
    lead = Visitor(server_url)
    page = lead.get("/login")
    answer = lead.submit("/login", "/login", {"email": DEMO_EMAIL, "password": password})
    assert answer.status == 302, answer.text
    return lead, page


def open_and_invite(lead: Visitor, slug: str, rows: str) -> None:
    opened = lead.submit(f"/statements/{slug}/open", f"/statements/{slug}/open", OPEN_FORM)
    assert opened.status == 302, opened.text
    invitations = f"/statements/{slug}/invitations"
    checked = lead.submit(invitations, f"{invitations}/check", {"rows": rows})
    assert checked.status == 200, checked.text
    confirmed = lead.submit(
        invitations, f"{invitations}/confirm", {"rows": input_value(checked.text, "rows")}
    )
    assert confirmed.status == 302, confirmed.text


def close_and_publish(lead: Visitor, slug: str):
    closed = lead.submit(f"/statements/{slug}", f"/statements/{slug}/close", {"confirm": "yes"})
    assert closed.status == 302, closed.text
    publish = f"/statements/{slug}/publish"
    return lead.submit(publish, publish, {"embargo": "", "confirm": "y"})


@pytest.fixture(scope="module")
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_db():
    """An empty Redis database of the local server (None without one)."""
    redis = pytest.importorskip("redis")
    for number in range(15, 0, -1):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number, socket_timeout=2)
        try:
            if client.dbsize() == 0:
                break
        except redis.exceptions.ConnectionError:
            yield None
            return
    else:
        yield None
        return
    yield SimpleNamespace(number=number, client=client)
    for key in client.scan_iter("LIMITS*"):
        client.delete(key)
    client.close()


# The production server: gunicorn behind an https address, SMTP, Redis


@pytest.fixture(scope="module")
def production(tmp_path_factory, smtp_server, redis_db):
    """One day of the coalition's lead on the production server, recorded."""
    root = tmp_path_factory.mktemp("production")
    (root / "data").mkdir()
    day = SimpleNamespace(root=root, instance=root / "instance", database=root / "data" / "c.db")
    day.settings = {
        "INSTANCE_PATH": str(day.instance),
        "BASE_URL": "https://x.example",
        "DATABASE_URL": f"sqlite:///{day.database}",
        "SECRET_KEY": OLD_KEY,
        "MAIL_BACKEND": "smtp",
        "MAIL_SMTP_HOST": "127.0.0.1",
        "MAIL_SMTP_PORT": str(smtp_server.port),
        "MAIL_SMTP_SECURITY": "none",
        "MAIL_FROM": "Meridia Coalition <coalition@x.example>",
        "MAIL_REPLY_TO": "lead-team@x.example",
        "MAIL_WORKER_THREAD": "true",
        "MAIL_POLL_SECONDS": "0.2",
        "RATELIMIT_LOGIN": "2 per minute",
        "MAX_INVITATIONS_PER_PASTE": "1",
        "DOCUMENT_AUTHOR": "Meridia Coalition",
    }
    if redis_db is not None:
        day.settings["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:6379/{redis_db.number}"
    env = operator_environment(**day.settings)
    password, day.slug = set_up(env)
    day.server = Server(env, root / "gunicorn.log", gunicorn=True)
    try:
        day.lead, day.login_page = log_in(day.server.url, password)
        stranger = Visitor(day.server.url)  # the same address: the limit is per address
        day.stranger_attempts = [
            stranger.submit("/login", "/login", {"email": DEMO_EMAIL, "password": "guess"}).status
            for _ in range(2)
        ]
        invitations = f"/statements/{day.slug}/invitations"
        open_and_invite(day.lead, day.slug, "Article 19, info@a19.example")
        day.two_rows = day.lead.submit(
            invitations,
            f"{invitations}/check",
            {"rows": "PEN International, pen@pen.example\nCPJ, info@cpj.example"},
        )
        (day.invitation,) = smtp_server.mailbox.wait_for(1, timeout=20)
        # The partner follows the link (the proxy would send x.example's requests here).
        day.link = links_in(day.invitation)[0].removeprefix("https://x.example")
        day.landing = Visitor(day.server.url).get(day.link)
        day.published = close_and_publish(day.lead, day.slug)
        day.pdf = day.lead.get(f"/s/{day.slug}.pdf")
        day.link_once_published = Visitor(day.server.url).get(day.link)
        yield day
    finally:
        day.server.stop()


def test_emailed_links_point_at_the_configured_base_url(production):
    links = links_in(production.invitation)

    assert links
    assert all(link.startswith("https://x.example/") for link in links), links
    assert production.landing.status == 200
    assert "Article 19" in production.landing.text


def test_mail_goes_by_smtp_with_the_configured_from_and_reply_to(production):
    message = production.invitation

    assert message["To"] == "info@a19.example"
    assert message["From"] == "Meridia Coalition <coalition@x.example>"
    assert message["Reply-To"] == "lead-team@x.example"
    assert message["Message-ID"].endswith("@x.example>")
    assert not list(production.instance.glob("outbox/*.eml"))  # not the file backend


def test_https_base_url_makes_the_session_cookie_secure(production):
    cookie = production.login_page.cookie("session")

    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie


def test_the_configured_database_file_holds_the_data(production):
    with sqlite3.connect(production.database) as connection:
        users = connection.execute("SELECT email FROM users").fetchall()
        invited = connection.execute("SELECT email FROM invitations").fetchall()

    assert users == [(DEMO_EMAIL,)]
    assert invited == [("info@a19.example",)]  # the refused paste added nothing
    assert not (production.instance / "signon.db").exists()


def test_the_configured_secret_key_is_used_not_a_generated_one(production):
    assert not (production.instance / "secret_key").exists()


def test_the_third_login_attempt_within_the_minute_is_refused(production):
    # The lead's login was the first attempt from this address, the stranger's guess
    # the second; the limit is SIGNON_RATELIMIT_LOGIN=2 per minute.
    assert production.stranger_attempts == [401, 429]


def test_login_attempts_are_counted_in_the_configured_redis(production, redis_db):
    if redis_db is None:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    keys = [key.decode() for key in redis_db.client.keys("*")]

    assert any("login" in key for key in keys), keys


def test_a_paste_longer_than_the_configured_limit_is_refused(production):
    assert production.two_rows.status == 413
    assert "more than 1 rows" in production.two_rows.text


def test_published_files_name_the_configured_author(production):
    assert production.published.status == 302, production.published.text
    assert production.pdf.status == 200

    assert PdfReader(io.BytesIO(production.pdf.body)).metadata.author == "Meridia Coalition"


def test_a_rotated_key_keeps_yesterdays_sessions_and_links(production):
    """The operator rotates the key: the old one moves to SIGNON_SECRET_KEY_FALLBACKS,
    the server restarts, and nobody is logged out nor any emailed link voided."""
    production.server.stop()
    rotated = {**production.settings, "SECRET_KEY": NEW_KEY, "SECRET_KEY_FALLBACKS": OLD_KEY}
    production.server = Server(
        operator_environment(**rotated), production.root / "rotated.log", gunicorn=True
    )
    lead = Visitor(production.server.url)
    lead.cookies = dict(production.lead.cookies)  # the session signed with the old key

    dashboard = lead.get("/")
    partner = Visitor(production.server.url)
    link = partner.get(production.link)  # the statement is published: "signing closed"
    forged = partner.get(production.link[:-4] + "AAAA")

    assert dashboard.status == 200, dashboard.headers
    assert "Demo Owner" in dashboard.text
    assert (link.status, link.text) == (
        production.link_once_published.status,
        production.link_once_published.text,
    )
    assert forged.status != link.status  # a signature the keys refuse reads otherwise


# The development server: `signon run`, the file backend, stray variables


@pytest.fixture(scope="module")
def development(tmp_path_factory):
    """The same day on a developer's `signon run`, with two mistyped variables."""
    root = tmp_path_factory.mktemp("development")
    port = free_port()
    day = SimpleNamespace(instance=root / "instance", base_url=f"http://127.0.0.1:{port}")
    env = operator_environment(
        INSTANCE_PATH=str(day.instance),
        BASE_URL=day.base_url,
        MAIL_BACKEND="file",
        RENDER_TIME_LIMIT="0.01",
        FOO="bar",
        MAIL_SMTP_HOTS="mail.example",
        TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/unused",
    )
    password, day.slug = set_up(env)
    server = Server(env, root / "signon-run.log", gunicorn=False, port=port)
    try:
        day.lead, day.login_page = log_in(server.url, password)
        open_and_invite(day.lead, day.slug, "Article 19, info@a19.example")
        day.send_mail = signon(env, "send-mail")
        day.published = close_and_publish(day.lead, day.slug)
        day.server = server
        yield day
    finally:
        server.stop()


def test_unknown_variables_are_reported_at_start_up(development):
    log = development.server.log
    warnings = [line for line in log.splitlines() if "WARNING" in line]

    assert any("SIGNON_FOO matches no signon setting and is ignored." in w for w in warnings), log
    assert any(
        "SIGNON_MAIL_SMTP_HOTS matches no signon setting" in w
        and "did you mean SIGNON_MAIL_SMTP_HOST?" in w
        for w in warnings
    ), log
    assert not any("SIGNON_INSTANCE_PATH" in w or "SIGNON_TEST_DATABASE_URL" in w for w in warnings)


def test_file_backend_writes_the_mail_under_instance_outbox(development):
    assert development.send_mail.returncode == 0, development.send_mail.stderr
    (eml,) = development.instance.glob("outbox/*.eml")
    text = eml.read_text()

    assert "info@a19.example" in text
    assert f"{development.base_url}/i/" in text  # links from SIGNON_BASE_URL


def test_plain_http_base_url_leaves_the_session_cookie_usable_without_https(development):
    cookie = development.login_page.cookie("session")

    assert "; Secure" not in cookie
    assert "; HttpOnly" in cookie


@pytest.mark.parametrize("day", ["development", "production"])
def test_the_server_header_names_no_version(day, request):
    """Neither `signon run` nor gunicorn tells a prober its version or Python's."""
    server = request.getfixturevalue(day).login_page.headers["Server"]

    assert server in ("signon", "gunicorn"), server


def test_the_database_defaults_to_the_instance_folder(development):
    with sqlite3.connect(development.instance / "signon.db") as connection:
        assert connection.execute("SELECT email FROM users").fetchall() == [(DEMO_EMAIL,)]


def test_a_render_slower_than_the_time_limit_stops_the_publication(development):
    assert development.published.status == 503
    assert "nothing was published" in development.published.text
    assert "took longer than 0.01 s" in development.server.log


# Values that cannot work stop the start, saying which variable


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SECRET_KEY", "changeme", "SECRET_KEY is too short (8 characters)"),
        ("MAIL_SMTP_PORT", "abc", "SIGNON_MAIL_SMTP_PORT is 'abc': give a whole number."),
        ("MAIL_WORKER_THREAD", "sometimes", "SIGNON_MAIL_WORKER_THREAD is 'sometimes'"),
        ("RATELIMIT_LOGIN", "2 per minit", "RATELIMIT_LOGIN is '2 per minit'"),
        # A lease shorter than a send could let a second worker send it again.
        ("MAIL_CLAIM_SECONDS", "5", "MAIL_CLAIM_SECONDS is 5.0; give at least three times"),
        ("MAIL_BATCH_SIZE", "0", "MAIL_BATCH_SIZE is 0; give a number from 1 to 1000."),
    ],
)
def test_a_setting_that_cannot_work_stops_signon_run(tmp_path, setting, value, message):
    env = operator_environment(INSTANCE_PATH=str(tmp_path / "instance"), **{setting: value})

    started = signon(env, "run", "--port", str(free_port()))

    assert started.returncode == 1
    assert message in started.stderr
    assert "Traceback" not in started.stderr  # the message, not a stack


def test_a_short_secret_key_stops_gunicorn(tmp_path):
    env = operator_environment(INSTANCE_PATH=str(tmp_path / "instance"), SECRET_KEY="changeme")
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{free_port()}", "signon:create_app()"]

    started = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert started.returncode == 3  # gunicorn's "worker failed to boot"
    assert "SECRET_KEY is too short (8 characters)" in started.stderr
    assert not (tmp_path / "instance" / "secret_key").exists()  # nothing generated instead


def test_the_settings_table_names_every_variable_the_tests_set():
    """The README's Configuration table lists each setting by its SIGNON_* name."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]

    for name in (
        "SIGNON_BASE_URL",
        "SIGNON_DATABASE_URL",
        "SIGNON_SECRET_KEY",
        "SIGNON_SECRET_KEY_FALLBACKS",
        "SIGNON_RATELIMIT_STORAGE_URI",
        "SIGNON_RATELIMIT_LOGIN",
        "SIGNON_MAIL_BACKEND",
        "SIGNON_MAX_INVITATIONS_PER_PASTE",
        "SIGNON_RENDER_TIME_LIMIT",
        "SIGNON_DOCUMENT_AUTHOR",
        "SIGNON_MAIL_BATCH_SIZE",
        "SIGNON_MAIL_CLAIM_SECONDS",
    ):
        assert f"`{name}`" in table, name
