"""A coalition's launch week in Chromium, JavaScript off, against signon started the
way an operator starts it: gunicorn with its settings as SIGNON_* variables, mail
through SMTP (aiosmtpd) sent by the web process's own worker thread.

The lead writes the statement, opens it "As listed" and invites nine organisations
in the order the coalition agreed. Each partner follows the link in their real email,
in a browser of their own, in another order than the agreed one. Nothing of the list
is public while signing is open, once it is closed, nor under the embargo the lead
sets and moves; the lead then publishes now, and the public page and the PDF list
the nine in the agreed order under the day of publication.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from signon.documents.labels import long_date

from ..mailbox import SMTPServer, free_port, links_in, text_of
from ..running_server import Server, operator_environment, signon
from .launch_steps import (
    Person,
    database_of_its_own,
    fetch,
    log_in,
    pdf_text,
    positions_in,
    public_addresses,
)

pytestmark = pytest.mark.browser

ZONE = "Asia/Bishkek"
LEAD_EMAIL = "lena@crd.example"
LEAD_PASSWORD = "a long passphrase the lead types in 2026"
TITLE = "Release the journalists of Kyrgyzstan"
# The order the coalition agreed: the two lead authors first, then the partners.
AGREED = [
    ("Civil Rights Defenders", "crd@crd.example", "Sweden"),
    ("Norwegian Helsinki Committee", "nhc@nhc.example", "Norway"),
    ("Article 19", "a19@a19.example", "United Kingdom"),
    ("Bir Duino", "bd@birduino.example", "Kyrgyzstan"),
    ("Front Line Defenders", "fld@fld.example", "Ireland"),
    ("Index on Censorship", "ioc@ioc.example", "United Kingdom"),
    ("Justice for Journalists", "jfj@jfj.example", "United Kingdom"),
    ("Human Rights House Foundation", "hrhf@hrhf.example", "Norway"),
    ("Public Verdict Foundation", "pv@pv.example", "Russia"),
]
LEADS = ["Civil Rights Defenders", "Norwegian Helsinki Committee"]
NAMES = [name for name, _email, _country in AGREED]
PRINTED = [f"{name} ({country})" for name, _email, country in AGREED]
SIGNING_ORDER = [6, 2, 8, 0, 4, 7, 1, 5, 3]  # who answers first: not the agreed order


def in_zone(days: float) -> datetime:
    return datetime.now(ZoneInfo(ZONE)) + timedelta(days=days)


def form_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def badge_time(moment: datetime) -> str:
    return f"{moment:%-d %b %Y, %H:%M} ({ZONE})"


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server.mailbox


@pytest.fixture
def started(tmp_path, smtp_server):
    """signon on gunicorn, configured only by SIGNON_* variables; the lead's account
    made with `signon create-user`. Yields the server."""
    with database_of_its_own(tmp_path) as database_url:
        port = free_port()
        env = operator_environment(
            INSTANCE_PATH=str(tmp_path / "instance"),
            BASE_URL=f"http://127.0.0.1:{port}",
            DATABASE_URL=database_url,
            SECRET_KEY="the-coalition-server-key-0123456789abcdefghij",
            MAIL_BACKEND="smtp",
            MAIL_SMTP_HOST="127.0.0.1",
            MAIL_SMTP_PORT=str(smtp_server.port),
            MAIL_SMTP_SECURITY="none",
            MAIL_FROM="Kyrgyzstan Coalition <coalition@crd.example>",
            MAIL_REPLY_TO="campaign-team@crd.example",
            MAIL_WORKER_THREAD="true",
            MAIL_POLL_SECONDS="0.2",
            # Nine partners, each from an address of their own in life, all come from
            # 127.0.0.1 here: one shared allowance for the emailed-link pages would
            # stop the fourth of them within the minute.
            RATELIMIT_TOKEN_PAGES="500 per minute",
        )
        upgrade = signon(env, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        created = signon(
            env, "create-user", LEAD_EMAIL, "--name", "Lena Lindqvist", stdin=LEAD_PASSWORD + "\n"
        )
        assert created.returncode == 0, created.stderr
        server = Server(env, tmp_path / "gunicorn.log", gunicorn=True, port=port)
        try:
            yield server
        finally:
            server.stop()


def test_coalition_invites_nine_in_agreed_order_and_launches_under_embargo(
    browser, started, mailbox, screenshots
):
    base = started.url
    assert "matches no signon setting" not in started.log  # every variable was taken
    lead = Person(browser, base)
    page = lead.page
    try:
        # The lead writes the statement, naming the lead organisations.
        log_in(page, LEAD_EMAIL, LEAD_PASSWORD)
        page.get_by_role("link", name="New statement").click()
        page.get_by_label("Title").fill(TITLE)
        page.get_by_label("Lead organisations").fill("\n".join(LEADS))
        page.get_by_label("Text (Markdown)").fill(
            "We, the undersigned organisations, call on the authorities to release "
            "every detained journalist.\n\n## Our demands\n\n- Drop the charges.\n"
            "- Let the press work."
        )
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("heading", name=TITLE).first).to_be_visible()
        slug = page.url.rstrip("/").rsplit("/", 1)[1]

        # Open "As listed", with a public (moderated) form; the list stays private.
        page.get_by_role("link", name="Open for signatures").click()
        page.get_by_label("Deadline (optional)").fill(form_time(in_zone(2)))
        page.get_by_label("Time zone of the deadline").fill(ZONE)
        page.get_by_label("Sentence above the list of signatories").fill(
            "This statement is signed by:"
        )
        page.get_by_label("As listed (the order you curate)").check()
        page.get_by_label("Also let anyone sign through a public form (moderated)").check()
        expect(
            page.get_by_label("Show the list publicly while signatures are collected (live list)")
        ).not_to_be_checked()
        page.get_by_role("button", name="Open for signatures").click()

        # Nine lines pasted in the agreed order, checked, confirmed.
        page.get_by_label("Paste the list").fill(
            "\n".join(f"{name}; {email}; Contact at {name}" for name, email, _ in AGREED)
        )
        page.get_by_role("button", name="Check the list").click()
        page.get_by_role("heading", name="Check the list before sending").wait_for()
        expect(page.locator("table.list tbody tr")).to_have_count(9)
        page.screenshot(path=screenshots / "01-check-nine.png", full_page=True)
        page.get_by_role("button", name="Send 9 invitations").click()
        expect(page.get_by_text("9 invitations queued for sending.")).to_be_visible()

        # The web process's worker sends them by SMTP; each says who is asking.
        invitations = [
            m for m in mailbox.wait_for(9, timeout=30) if m["Subject"].startswith("Invitation")
        ]
        assert len(invitations) == 9
        links = {}
        for message in invitations:
            body = text_of(message)
            assert message["Subject"] == f"Invitation to sign: {TITLE}"
            assert message["From"] == "Kyrgyzstan Coalition <coalition@crd.example>"
            assert message["Reply-To"] == "campaign-team@crd.example"
            assert "This statement is led by Civil Rights Defenders and Norwegian Helsinki " in (
                body
            )
            assert "Lena Lindqvist, of the organising team" in " ".join(body.split())
            (link,) = [url for url in links_in(message) if "/i/" in url]
            assert link.startswith(f"{base}/i/"), link
            links[str(message["To"])] = link
        assert sorted(links) == sorted(email for _, email, _ in AGREED)

        # The partners answer in their own order, each from their email, no account.
        for turn, index in enumerate(SIGNING_ORDER):
            name, email, country = AGREED[index]
            partner = Person(browser, base)
            try:
                sign = partner.page
                sign.goto(links[email])
                expect(sign.get_by_text(f"{name} is invited to sign")).to_be_visible()
                expect(sign.locator(".who-is-asking")).to_contain_text(
                    "Civil Rights Defenders and Norwegian Helsinki Committee"
                )
                if turn == 0:
                    sign.screenshot(path=screenshots / "02-landing.png", full_page=True)
                sign.get_by_role("button", name="Read the statement and sign").click()
                expect(sign.get_by_label("Organisation name")).to_have_value(name)
                sign.get_by_label("Country").fill(country)
                sign.get_by_label("I am authorised to sign on behalf of this organisation").check()
                if turn == 0:
                    sign.screenshot(path=screenshots / "03-sign-page.png", full_page=True)
                sign.get_by_role("button", name="Sign this statement").click()
                expect(
                    sign.get_by_role("heading", name="Thank you: your signature is recorded")
                ).to_be_visible()
            finally:
                partner.close()

        # While open: no public address names anyone; the public form shows no list.
        assert_nothing_public(base, slug)
        status, body = fetch(f"{base}/s/{slug}/sign")
        assert status == 200
        assert "Sign this statement" in body.decode()
        assert not [n for n in NAMES if n in body.decode()]

        # The team sees the nine in the agreed order, not the order they signed in.
        page.goto(f"/statements/{slug}/signatures")
        expect(page.locator(".final-list li")).to_have_text(PRINTED)
        expect(page.locator("table.signatures tbody tr")).to_have_count(9)
        page.screenshot(path=screenshots / "04-signatures-agreed-order.png", full_page=True)

        # Close, confirming on the page that asks.
        page.get_by_role("link", name="Text").click()
        page.get_by_role("button", name="Close now").click()
        expect(page.get_by_role("heading", name="Close signatures?")).to_be_visible()
        page.screenshot(path=screenshots / "05-close-confirm.png", full_page=True)
        page.get_by_role("button", name="Close signatures").click()
        expect(page.get_by_text("Signatures are closed.")).to_be_visible()
        assert_nothing_public(base, slug)
        status, body = fetch(f"{base}/s/{slug}/sign")
        assert status == 410
        assert not [n for n in NAMES if n in body.decode()]

        # Friday: the launch is set for Monday 09:00 (Bishkek) …
        first = in_zone(3).replace(hour=9, minute=0, second=0, microsecond=0)
        page.get_by_role("link", name="Publish…").click()
        page.get_by_label("Embargo (optional)").fill(form_time(first))
        page.get_by_label("I have checked the text and the list: publish them as they are").check()
        page.get_by_role("button", name="Publish").click()
        page.goto(f"/statements/{slug}/publish")
        expect(page.locator(".status-panel .badge")).to_contain_text(
            f"Scheduled for {badge_time(first)}"
        )
        page.screenshot(path=screenshots / "06-publish-page-scheduled.png", full_page=True)
        assert_nothing_public(base, slug, *embargoed_addresses(slug, first))
        page.goto("/")
        page.screenshot(path=screenshots / "07-dashboard-scheduled.png", full_page=True)
        page.goto(f"/statements/{slug}/publish")

        # … the partners ask for Tuesday instead …
        moved = first + timedelta(days=1)
        page.get_by_label("Publication time").fill(form_time(moved))
        page.get_by_label("Publish at this time (or now, if the time is empty)").check()
        page.get_by_role("button", name="Save the publication time").click()
        expect(page.get_by_text("Embargo moved")).to_be_visible()
        page.goto(f"/statements/{slug}/publish")
        expect(page.locator(".status-panel .badge")).to_contain_text(
            f"Scheduled for {badge_time(moved)}"
        )
        assert_nothing_public(base, slug, *embargoed_addresses(slug, moved))

        # … then news breaks: publish now, with an empty time on the same form.
        day_before = in_zone(0).date()
        page.get_by_label("Publication time").fill("")
        page.get_by_label("Publish at this time (or now, if the time is empty)").check()
        page.get_by_role("button", name="Save the publication time").click()
        expect(page.get_by_text("Published now")).to_be_visible()
        day_after = in_zone(0).date()
        expect(page.locator("main")).not_to_contain_text("Scheduled for")
    finally:
        lead.close()

    # Anyone now sees the nine in the agreed order, under the day of publication.
    reader = Person(browser, base)
    try:
        reader.page.goto(f"/s/{slug}")
        expect(reader.page.locator(".signatories li")).to_have_text(PRINTED)
        expect(reader.page.locator("body")).not_to_contain_text("Preview")
        dated = reader.page.locator(".title-block .date")
        expect(dated).to_have_text(
            re.compile(f"^({long_date(day_before, 'en')}|{long_date(day_after, 'en')})$")
        )
        reader.page.screenshot(path=screenshots / "08-published-public-page.png", full_page=True)
    finally:
        reader.close()

    status, body = fetch(f"{base}/s/{slug}.pdf")
    assert status == 200
    (screenshots / "09-published.pdf").write_bytes(body)
    text = pdf_text(body)
    places = positions_in(text, PRINTED)
    assert -1 not in places, (places, text)
    assert places == sorted(places), [PRINTED[i] for i in sorted(range(9), key=places.__getitem__)]
    assert long_date(day_before, "en") in text or long_date(day_after, "en") in text, text
    assert "not yet published" not in text
    assert long_date(first.date(), "en") not in text  # not the embargo's planned day
    assert long_date(moved.date(), "en") not in text

    status, body = fetch(f"{base}/s/{slug}.csv")
    assert status == 200
    names_in_csv = [line.split(",")[0] for line in body.decode("utf-8-sig").splitlines()[1:]]
    assert names_in_csv == NAMES


def embargoed_addresses(slug: str, planned: datetime) -> list[str]:
    """Under an embargo, also the public form and the dated files of the planned
    day and of today."""
    days = {planned.date().isoformat(), in_zone(0).date().isoformat()}
    dated = [f"/s/{slug}/editions/{day}.{kind}" for day in sorted(days) for kind in ("pdf", "docx")]
    return [f"/s/{slug}/sign", *dated]


def assert_nothing_public(base: str, slug: str, *more: str) -> None:
    """Every public address (and `more`) answers 404 and names none of the nine;
    a PDF that came anyway would be read back."""
    for address in [*public_addresses(slug), *more]:
        status, body = fetch(base + address)
        shown = pdf_text(body) if body.startswith(b"%PDF") else body.decode("utf-8", "replace")
        assert status == 404, (address, status)
        assert not [name for name in NAMES if name in shown], address
