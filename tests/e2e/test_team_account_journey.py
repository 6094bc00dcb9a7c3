"""A colleague's account from the team invitation to a log-in with a recovery code,
in Chromium with JavaScript off, against signon started the way an operator starts
it: gunicorn with its settings as SIGNON_* variables, mail through SMTP (aiosmtpd)
sent by the web process's own worker thread.

The lead invites a colleague by email to a statement's team; the colleague follows
the link, chooses a name and a password, turns on two-factor authentication with the
key read from the page (the codes computed with pyotp, as an authenticator app does)
and keeps the recovery codes; then logs out and logs in with a code from the app,
and again with a recovery code.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from ..mailbox import free_port, links_in, text_of
from ..running_server import Server, operator_environment, signon
from .launch_steps import Person, database_of_its_own, log_in

pytestmark = pytest.mark.browser

LEAD_EMAIL = "lena@coalition.example"
LEAD_NAME = "Lena Lindqvist"
LEAD_PASSWORD = "a long passphrase the lead types in 2026"
COLLEAGUE_EMAIL = "colleague@coalition.example"
COLLEAGUE_NAME = "Colm Okafor"
COLLEAGUE_PASSWORD = "quiet harbour lanterns drift"
TITLE = "Protect the human rights defenders of Meridia"
SLUG = "protect-defenders-meridia"
STATEMENT_FILE = f"""---
title: "{TITLE}"
slug: {SLUG}
language: en
---
We, the undersigned organisations, call on the authorities of Meridia to end the
harassment of human rights defenders and to release those detained for their work.
"""


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server.mailbox


@pytest.fixture
def started(tmp_path, smtp_server):
    """signon on gunicorn, configured only by SIGNON_* variables; the lead's account
    made with `signon create-user`, the statement with `signon import`. Yields the
    server."""
    with database_of_its_own(tmp_path) as database_url:
        port = free_port()
        env = operator_environment(
            INSTANCE_PATH=str(tmp_path / "instance"),
            BASE_URL=f"http://127.0.0.1:{port}",
            DATABASE_URL=database_url,
            SECRET_KEY="the-team-journey-server-key-0123456789abcdefghij",
            MAIL_BACKEND="smtp",
            MAIL_SMTP_HOST="127.0.0.1",
            MAIL_SMTP_PORT=str(smtp_server.port),
            MAIL_SMTP_SECURITY="none",
            MAIL_FROM="Meridia coalition <statements@coalition.example>",
            MAIL_REPLY_TO=LEAD_EMAIL,
            MAIL_WORKER_THREAD="true",
            MAIL_POLL_SECONDS="0.2",
        )
        upgrade = signon(env, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        created = signon(env, "create-user", LEAD_EMAIL, "--name", LEAD_NAME, stdin=LEAD_PASSWORD)
        assert created.returncode == 0, created.stderr
        source = tmp_path / "statement.md"
        source.write_text(STATEMENT_FILE, encoding="utf-8")
        imported = signon(env, "import", str(source), "--owner", LEAD_EMAIL)
        assert imported.returncode == 0, imported.stderr
        assert imported.stdout.strip() == SLUG
        server = Server(env, tmp_path / "gunicorn.log", gunicorn=True, port=port)
        try:
            yield server
        finally:
            server.stop()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Your statements")).to_have_count(0)


def test_invited_colleague_joins_turns_on_two_factor_and_logs_in_with_codes(
    browser, started, mailbox, screenshots
):
    base = started.url
    assert "matches no signon setting" not in started.log  # every variable was taken

    # The lead invites a colleague to the statement's team, as editor.
    lead = Person(browser, base)
    try:
        page = lead.page
        log_in(page, LEAD_EMAIL, LEAD_PASSWORD)
        page.get_by_role("link", name=TITLE).click()
        page.get_by_role("link", name="Members").click()
        expect(page.get_by_role("heading", name="Invite a member")).to_be_visible()
        page.get_by_label("Their email").fill(COLLEAGUE_EMAIL)
        page.get_by_label("Role", exact=True).select_option("editor")
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_text(f"Invitation sent to {COLLEAGUE_EMAIL}")).to_be_visible()
        waiting = page.locator(
            "section", has=page.get_by_role("heading", name="Invitations waiting")
        )
        expect(waiting.locator("tbody tr")).to_have_count(1)
        expect(waiting.locator("tbody tr")).to_contain_text(COLLEAGUE_EMAIL)
        expect(waiting.locator("tbody tr")).to_contain_text("Editor")
        expect(waiting.locator("tbody tr")).to_contain_text(f"by {LEAD_NAME}")
        page.screenshot(path=screenshots / "01-members-invitation-waiting.png", full_page=True)
    finally:
        lead.close()

    # The web process's worker sends the invitation by SMTP.
    (message,) = mailbox.wait_for(1, timeout=30)
    assert message["To"] == COLLEAGUE_EMAIL
    assert message["Subject"].startswith("Join the team of"), message["Subject"]
    assert TITLE in message["Subject"]
    assert f"{LEAD_NAME} invites you" in text_of(message)
    (link,) = [url for url in links_in(message) if "/team/join/" in url]
    assert link.startswith(f"{base}/team/join/"), link

    colleague = Person(browser, base)
    try:
        page = colleague.page

        # The colleague has no account: a name and a password, and they are in.
        page.goto(link)
        expect(page.get_by_role("heading", name="Join the team")).to_be_visible()
        expect(page.locator("main")).to_contain_text(f"{LEAD_NAME} invites you")
        expect(page.locator("main")).to_contain_text(COLLEAGUE_EMAIL)
        page.get_by_label("Your name, as your team sees it").fill(COLLEAGUE_NAME)
        page.get_by_label("Choose a password").fill(COLLEAGUE_PASSWORD)
        page.get_by_label("The password again").fill(COLLEAGUE_PASSWORD)
        page.screenshot(path=screenshots / "02-join-form.png", full_page=True)
        page.get_by_role("button", name="Create my account and join").click()
        expect(
            page.get_by_text(f"Welcome, {COLLEAGUE_NAME}: you are on the team as editor.")
        ).to_be_visible()
        assert page.url == f"{base}/statements/{SLUG}", page.url
        expect(page.get_by_role("heading", name=TITLE).first).to_be_visible()

        # Two-factor on: the key read from the page, as typed into an app.
        page.goto("/account/two-factor")
        expect(
            page.get_by_role("heading", name="Turn on two-factor authentication")
        ).to_be_visible()
        expect(page.locator(".qr-code svg")).to_be_visible()
        shown = page.locator("code.secret").inner_text()
        assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", shown), shown
        totp = pyotp.TOTP(shown.replace(" ", ""))
        page.screenshot(path=screenshots / "03-two-factor-setup.png", full_page=True)
        page.get_by_label("Code").fill(totp.now())
        page.get_by_role("button", name="Turn on").click()
        expect(page.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
        recovery_codes = page.locator("ul.recovery-codes code").all_inner_texts()
        assert len(recovery_codes) == 10, recovery_codes
        assert len(set(recovery_codes)) == 10, recovery_codes
        assert all(re.fullmatch(r"[0-9A-F]{5}-[0-9A-F]{5}", c) for c in recovery_codes), (
            recovery_codes
        )
        page.screenshot(path=screenshots / "04-recovery-codes.png", full_page=True)

        # Log out; log in with the password, then the app's next code (the one that
        # turned two-factor on is spent).
        log_out(page)
        log_in(page, COLLEAGUE_EMAIL, COLLEAGUE_PASSWORD)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        assert page.url.split("?")[0] == f"{base}/login/code", page.url
        page.screenshot(path=screenshots / "05-log-in-code-step.png", full_page=True)
        page.get_by_label("Code").fill(totp.at(time.time() + 30))
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Your statements")).to_be_visible()
        assert page.url == f"{base}/", page.url
        expect(page.get_by_role("link", name=TITLE)).to_be_visible()

        # Log out; log in with the password, then a recovery code.
        log_out(page)
        log_in(page, COLLEAGUE_EMAIL, COLLEAGUE_PASSWORD)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(recovery_codes[0])
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Your statements")).to_be_visible()
        assert page.url == f"{base}/", page.url
        expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    finally:
        colleague.close()
