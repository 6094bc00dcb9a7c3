"""A slow word diff never keeps other users waiting on SQLite's write lock.

The attack of issue 10: an editor previews (or saves) a text whose diff against the
signed version takes about a second, while others log in. With the diff computed
inside the POST's write transaction, every login in that second waited for the
lock and, past the busy timeout, failed with "database is locked" (a 500).

Here signon runs as an operator starts it (gunicorn, a SQLite file, SMTP to
aiosmtpd, settings as SIGNON_* variables) with a short busy timeout, so a lock
held through a diff shows as failed logins. A partner signs a 170 KB text; the
lead then previews, and later saves as a substantive change, texts in which every
paragraph differs, while a second person logs in again and again.
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from .mailbox import SMTPServer, links_in, text_of
from .running_server import Server, Visitor, operator_environment
from .sign_on_steps import sign_form
from .test_settings_from_environment import DEMO_EMAIL, log_in, open_and_invite, set_up

# A lock held through a diff (over a second) outlasts it; the short transactions of
# a login, slowed while the diff holds the interpreter, stay well inside it.
BUSY_TIMEOUT_MS = 600


def many_short_paragraphs(seed: int) -> str:
    """About 170 KB: 10,000 paragraphs of eight words from a two-word vocabulary,
    the shape that costs the diff most (every pair of paragraphs looks alike)."""
    rng = random.Random(seed)
    return "\n\n".join(" ".join(rng.choice("ab") for _ in range(8)) for _ in range(10_000))


@pytest.fixture(scope="module")
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def signed_big_text(tmp_path_factory, smtp_server):
    """The lead's statement holds the 170 KB text, which one partner signed."""
    root = tmp_path_factory.mktemp("slow-diff")
    env = operator_environment(
        INSTANCE_PATH=str(root / "instance"),
        BASE_URL="http://x.example",
        DATABASE_URL=f"sqlite:///{root / 'signon.db'}",
        SQLITE_BUSY_TIMEOUT_MS=str(BUSY_TIMEOUT_MS),
        MAIL_BACKEND="smtp",
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=str(smtp_server.port),
        MAIL_SMTP_SECURITY="none",
        MAIL_WORKER_THREAD="true",
        MAIL_POLL_SECONDS="0.2",
        RATELIMIT_LOGIN="1000 per minute",
        RATELIMIT_LOGIN_ACCOUNT="1000 per hour",
    )
    password, _demo = set_up(env)
    server = Server(env, root / "gunicorn.log", gunicorn=True)
    try:
        lead, _page = log_in(server.url, password)
        created = lead.submit(
            "/statements/new",
            "/statements/new",
            {"title": "A long text", "body": many_short_paragraphs(1), "language": "en"},
        )
        assert created.status == 302, created.text
        slug = created.headers["Location"].rsplit("/", 1)[-1]
        open_and_invite(lead, slug, "Article 19, info@a19.example")
        (invitation,) = smtp_server.mailbox.wait_for(1, timeout=20)
        link = links_in(invitation)[0].removeprefix("http://x.example")
        signed = Visitor(server.url).submit(link + "/sign", link + "/sign", sign_form())
        assert signed.status == 303, signed.text
        # the invitation, the confirmation (to the invitation's address) and the link
        # that asks the contact typed into the form to confirm itself
        smtp_server.mailbox.wait_for(3, timeout=20)
        yield server, lead, slug, password
    finally:
        server.stop()


def logins_during(server: Server, password: str, request) -> tuple[object, list]:
    """Run `request()` in a thread while a second person logs in over and over;
    its answer and each login's (start, end, status), with the request's span."""
    answer: dict = {}

    def run() -> None:
        answer["started"] = time.monotonic()
        answer["response"] = request()
        answer["ended"] = time.monotonic()

    worker = threading.Thread(target=run)
    worker.start()
    logins = []
    while worker.is_alive():
        other = Visitor(server.url)
        started = time.monotonic()
        status = other.submit("/login", "/login", {"email": DEMO_EMAIL, "password": password})
        logins.append((started, time.monotonic(), status.status))
    worker.join()
    inside = [s for start, end, s in logins if answer["started"] < start and end < answer["ended"]]
    return answer["response"], inside


def test_a_login_succeeds_while_a_preview_diffs_a_large_text(signed_big_text):
    server, lead, slug, password = signed_big_text
    edit = f"/statements/{slug}/edit"
    token_page = lead.get(edit).text

    def preview():
        from .support import csrf_token_in

        fields = {
            "title": "A long text",
            "body": many_short_paragraphs(2),
            "language": "en",
            "preview": "y",
            "csrf_token": csrf_token_in(token_page),
        }
        return lead.request("POST", edit, fields)

    response, inside = logins_during(server, password, preview)

    assert response.status == 200, response.text[-2000:]
    assert "Say what kind of change this is" in response.text or "ins" in response.text
    assert inside, "no login ran while the diff was computed"
    assert set(inside) == {302}, (inside, server.log[-3000:])
    assert "database is locked" not in server.log


def test_a_login_succeeds_while_a_substantive_save_emails_the_diff(signed_big_text, smtp_server):
    server, lead, slug, password = signed_big_text
    edit = f"/statements/{slug}/edit"
    token_page = lead.get(edit).text

    def save():
        from .support import csrf_token_in

        fields = {
            "title": "A long text",
            "body": many_short_paragraphs(3),
            "language": "en",
            "change_kind": "substantive",
            "note": "Rewritten throughout",
            "csrf_token": csrf_token_in(token_page),
        }
        return lead.request("POST", edit, fields)

    response, inside = logins_during(server, password, save)

    assert response.status == 302, response.text[-2000:]
    assert response.headers["Location"].endswith(f"/statements/{slug}"), response.headers
    assert inside, "no login ran while the save diffed the text"
    assert set(inside) == {302}, (inside, server.log[-3000:])
    asked = smtp_server.mailbox.wait_for(4, timeout=20)[3]
    assert asked["To"] == "info@a19.example"  # the contact is not confirmed yet
    assert "Rewritten throughout" in text_of(asked)
    assert "and 9950 more changed paragraphs, too many for an" in text_of(asked)
    assert len(asked.as_bytes()) < 200_000  # not the 8 MB of every paragraph inline
    assert "database is locked" not in server.log
