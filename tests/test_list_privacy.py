"""Names private until publication.

Partners sign the Meridia Eleven statement while it is open. Until Lena (the
owner) publishes it, nobody who knows or guesses its address learns who signed:
every public address answers the same 404 as a draft, and the open-call page
shows the text and the form, never the names. Lena may opt in to a live list on
the Open page, which says the risk plainly; each change is in the audit trail.
Her team previews the public page and the files exactly as they will look.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import timedelta
from pathlib import Path

import docx
import pypdf
import pytest
from sqlalchemy import select

from signon.audit.models import AuditEvent
from signon.columns import utcnow
from signon.documents import cache
from signon.extensions import db
from signon.public.service import stored_download
from signon.statements.models import Statement

from .public_steps import (
    PUBLIC_URLS as LIST_URLS,
)
from .public_steps import (
    close_statement,
    list_items,
    logged_in,
    make_list_live,
    publish,
    signed_statement,
)
from .sign_on_steps import open_statement

SIGNED_NAMES = ("Zeta Press Union", "Article 19", "Jane Doe")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RISK = (
    "Anyone who knows or guesses the address will see who signed, before launch. "
    "Signers in countries where signing is a risk may be endangered."
)
# Every address the public could try for a statement's list.
PUBLIC_URLS = (
    *LIST_URLS,
    "/s/{slug}/editions/{today}.pdf",
    "/s/{slug}/editions/{today}.docx",
)
PREVIEW_FILES = ("pdf", "docx", "md", "txt", "csv", "json")


@pytest.fixture
def signed(app, create_statement, dummy_user):
    """Open, signed in every way there is, open call on, live list off (the default)."""
    return signed_statement(app, create_statement, dummy_user, open_call=True)


@pytest.fixture
def team(app, create_user, signed):
    from signon.accounts.models import Role
    from signon.accounts.service import add_member

    statement, _ids = signed
    members = {
        "editor": create_user(email="ed@coalition.example", name="Ed Editor"),
        "viewer": create_user(email="vi@coalition.example", name="Vi Viewer"),
        "outsider": create_user(email="out@other.example", name="Oskar Outsider"),
    }
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        add_member(record, members["editor"].email, Role.EDITOR)
        add_member(record, members["viewer"].email, Role.VIEWER)
        db.session.commit()
    return members


def readable(response) -> str:
    """What a reader of the response sees: a PDF's and a DOCX's text read back,
    any other answer as text with its entities decoded."""
    data = response.get_data()
    if response.mimetype == "application/pdf":
        pages = pypdf.PdfReader(io.BytesIO(data)).pages
        return " ".join(" ".join(page.extract_text().split()) for page in pages)
    if response.mimetype == DOCX:
        document = docx.Document(io.BytesIO(data))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return html_lib.unescape(data.decode("utf-8"))


def fetch_all(client, slug: str) -> dict[str, tuple[int, str, str]]:
    """Every public address of the statement: (status, content type, what it shows)."""
    today = utcnow().date().isoformat()
    answers = {}
    for url in PUBLIC_URLS:
        address = url.format(slug=slug, today=today)
        with client.get(address) as response:
            answers[address] = (response.status_code, response.mimetype, readable(response))
    return answers


def actions(app, statement) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.statement_id == statement.id)
                .order_by(AuditEvent.id)
            )
        )


def live_list_of(app, statement) -> bool:
    with app.app_context():
        return db.session.get(Statement, statement.id).live_list


# The default: nothing of the list is public before publication -------------------
def test_no_public_address_of_an_open_statement_names_a_signer(client, signed):
    statement, _ids = signed
    for url, (status, _type, shown) in fetch_all(client, statement.slug).items():
        assert status == 404, url
        for name in SIGNED_NAMES:
            assert name not in shown, (url, name)
        assert statement.title not in shown, url


def test_the_open_call_page_shows_the_text_and_the_form_never_the_names(client, signed):
    statement, _ids = signed
    response = client.get(f"/s/{statement.slug}/sign")
    page = html_lib.unescape(response.get_data(as_text=True))

    assert response.status_code == 200
    assert "Release the journalists." in page  # the text being signed
    assert 'name="name"' in page and 'name="authorised"' in page  # the form
    for name in SIGNED_NAMES:
        assert name not in page, name
    assert 'class="signatory-section"' not in page
    assert not re.search(r"\b[1-9]\d* (?:signator|organisation|people|names)", page)


def test_an_open_statement_answers_exactly_as_a_draft_and_a_missing_one(
    client, signed, create_statement
):
    statement, _ids = signed
    draft = create_statement(title="A draft nobody may see")
    today = utcnow().date().isoformat()
    for url in PUBLIC_URLS:
        answers = []
        for slug in (statement.slug, draft.slug, "no-such-statement"):
            with client.get(url.format(slug=slug, today=today)) as response:
                answers.append((response.status_code, response.mimetype, response.get_data()))
        assert answers[0] == answers[1] == answers[2], url
        assert answers[0][0] == 404


def test_a_closed_statement_stays_private_until_publication(app, client, signed):
    statement, _ids = signed
    close_statement(app, statement)
    for url, (status, _type, shown) in fetch_all(client, statement.slug).items():
        assert status == 404, url
        assert "Zeta Press Union" not in shown, url

    publish(app, statement)

    page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert list_items(page)[0].startswith("Article 19")


def test_with_a_live_list_every_public_address_names_the_signers(app, client, signed):
    statement, _ids = signed
    make_list_live(app, statement)
    for url, (status, _type, shown) in fetch_all(client, statement.slug).items():
        if "/editions/" in url:
            assert status == 404, url  # dated editions exist from publication on
            continue
        assert status == 200, url
        for name in SIGNED_NAMES:
            assert name in shown, (url, name)
    # The open-call page is for signing, not for reading the list, live or not.
    sign_page = client.get(f"/s/{statement.slug}/sign").get_data(as_text=True)
    assert "Zeta Press Union" not in sign_page


def test_a_live_list_stays_public_when_closed(app, client, signed):
    statement, _ids = signed
    make_list_live(app, statement)
    close_statement(app, statement)
    assert "Zeta Press Union" in readable(client.get(f"/s/{statement.slug}.csv"))


# The owner's choice, on the Open page -------------------------------------------
def test_the_open_page_states_the_risk_and_the_default_is_private(
    app, client, create_statement, dummy_user
):
    statement = create_statement(title="Opened the usual way")
    lead = logged_in(app, dummy_user)
    page = html_lib.unescape(lead.get(f"/statements/{statement.slug}/open").get_data(as_text=True))
    assert RISK in page
    assert "Show the list publicly while signatures are collected" in page
    assert re.search(r'<input[^>]*name="live_list"(?![^>]*checked)', page)

    open_statement(lead, statement.slug, deadline="2099-01-01T12:00")

    assert not live_list_of(app, statement)
    assert client.get(f"/s/{statement.slug}").status_code == 404
    assert "live list on" not in actions(app, statement)


def test_owner_opens_with_a_live_list_and_the_trail_records_it(
    app, client, create_statement, dummy_user
):
    statement = create_statement(title="Opened with a live list")
    lead = logged_in(app, dummy_user)

    open_statement(lead, statement.slug, deadline="2099-01-01T12:00", live_list="y")

    assert live_list_of(app, statement)
    assert client.get(f"/s/{statement.slug}").status_code == 200
    assert actions(app, statement)[-2:] == ["opened for signatures", "live list on"]
    trail = lead.get(f"/statements/{statement.slug}/audit").get_data(as_text=True)
    assert "Live list turned on: the names are public before publication" in trail


def test_owner_turns_the_live_list_on_while_open_then_off_again(app, client, signed, dummy_user):
    statement, _ids = signed
    slug = statement.slug
    lead = logged_in(app, dummy_user)
    page = html_lib.unescape(lead.get(f"/statements/{slug}/open").get_data(as_text=True))
    assert "Private until publication." in page
    assert RISK in page
    assert f'action="/statements/{slug}/live-list"' in page

    # Without ticking that she understands the risk: refused, nothing changes.
    refused = lead.post(f"/statements/{slug}/live-list", {"live_list": "on"})
    assert refused.status_code == 400
    assert "Tick the box to confirm you understand the risk" in refused.get_data(as_text=True)
    assert not live_list_of(app, statement)
    assert client.get(f"/s/{slug}").status_code == 404

    turned_on = lead.post(f"/statements/{slug}/live-list", {"live_list": "on", "understood": "y"})
    assert turned_on.status_code == 302
    assert "Zeta Press Union" in readable(client.get(f"/s/{slug}"))
    with client.get(f"/s/{slug}.pdf") as pdf:  # rendered and stored while live
        assert "Zeta Press Union" in readable(pdf)
    shown = html_lib.unescape(lead.get(f"/statements/{slug}").get_data(as_text=True))
    assert "live list: the names are public while signatures are collected" in shown

    turned_off = lead.post(f"/statements/{slug}/live-list", {"live_list": "off"})
    assert turned_off.status_code == 302
    assert client.get(f"/s/{slug}").status_code == 404
    assert client.get(f"/s/{slug}.pdf").status_code == 404  # the stored PDF is kept back too
    assert actions(app, statement)[-2:] == ["live list on", "live list off"]
    trail = lead.get(f"/statements/{slug}/audit").get_data(as_text=True)
    assert "Live list turned off: the names are private until publication" in trail


def test_owner_turns_the_live_list_off_while_closed(app, client, signed, dummy_user):
    statement, _ids = signed
    make_list_live(app, statement)
    close_statement(app, statement)
    lead = logged_in(app, dummy_user)
    page = lead.get(f"/statements/{statement.slug}/open").get_data(as_text=True)
    assert "Make the list private until publication" in page

    lead.post(f"/statements/{statement.slug}/live-list", {"live_list": "off"})

    assert client.get(f"/s/{statement.slug}").status_code == 404


def test_a_bad_live_list_request_is_refused_with_nothing_changed(app, signed, dummy_user):
    statement, _ids = signed
    lead = logged_in(app, dummy_user)
    before = actions(app, statement)
    response = lead.post(f"/statements/{statement.slug}/live-list", {"live_list": "maybe"})
    assert response.status_code == 400
    assert "Choose to make the list public or private." in response.get_data(as_text=True)
    assert actions(app, statement) == before
    assert not live_list_of(app, statement)


def test_only_the_owner_sets_the_live_list(app, signed, team):
    statement, _ids = signed
    url = f"/statements/{statement.slug}/live-list"
    data = {"live_list": "on", "understood": "y"}
    assert logged_in(app, team["editor"]).post(url, data).status_code == 403
    assert logged_in(app, team["viewer"]).post(url, data).status_code == 403
    assert logged_in(app, team["outsider"]).post(url, data).status_code == 404
    assert not live_list_of(app, statement)


def test_a_published_statement_has_no_live_list_to_change(app, signed, dummy_user):
    statement, _ids = signed
    close_statement(app, statement)
    publish(app, statement)
    lead = logged_in(app, dummy_user)
    response = lead.post(
        f"/statements/{statement.slug}/live-list", {"live_list": "on", "understood": "y"}
    )
    assert response.status_code == 409
    assert not live_list_of(app, statement)


# The team's preview -------------------------------------------------------------
def test_a_viewer_previews_the_page_exactly_as_it_will_look(app, client, signed, team):
    statement, _ids = signed
    viewer = logged_in(app, team["viewer"])
    shown = viewer.get(f"/statements/{statement.slug}")
    assert f'href="/statements/{statement.slug}/preview"' in shown.get_data(as_text=True)

    response = viewer.get(f"/statements/{statement.slug}/preview")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    preview = response.get_data(as_text=True)
    assert "Preview — not public until publication" in preview
    assert 'name="robots" content="noindex"' in preview
    assert list_items(preview) == [
        "Article 19 (A19), within the framework of the Media Freedom Coalition",
        "Zeta Press Union (ZPU) (Meridia)",
        "Jane Doe (Senegal)",
    ]
    # Once public, the page is the same statement and list, without the banner.
    make_list_live(app, statement)
    public = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    article = re.compile(r'<article id="statement".*?</article>', re.S)
    assert article.search(preview)[0] == article.search(public)[0]
    assert "Preview" not in public


@pytest.mark.parametrize("kind", PREVIEW_FILES)
def test_a_member_downloads_each_file_as_a_preview(app, client, signed, team, kind):
    statement, _ids = signed
    editor = logged_in(app, team["editor"])
    with editor.get(f"/statements/{statement.slug}/preview.{kind}") as response:
        assert response.status_code == 200
        shown = readable(response)
        disposition = response.headers.get("Content-Disposition", "")
    for name in SIGNED_NAMES:
        assert name in shown, name
    if kind != "json":
        assert "-preview." in disposition, disposition
    assert client.get(f"/s/{statement.slug}.{kind}").status_code == 404


def test_the_preview_pdf_is_the_file_the_public_will_get(app, client, signed, team):
    statement, _ids = signed
    viewer = logged_in(app, team["viewer"])
    with viewer.get(f"/statements/{statement.slug}/preview.pdf?size=letter") as response:
        preview = response.get_data()
        assert "letter-preview.pdf" in response.headers["Content-Disposition"]
    make_list_live(app, statement)
    with client.get(f"/s/{statement.slug}.pdf?size=letter") as response:
        assert response.get_data() == preview


def test_a_preview_stored_in_the_render_cache_never_reaches_the_public(app, client, signed, team):
    statement, _ids = signed
    viewer = logged_in(app, team["viewer"])
    with viewer.get(f"/statements/{statement.slug}/preview.pdf") as response:
        assert response.status_code == 200
    with viewer.get(f"/statements/{statement.slug}/preview.docx") as response:
        assert response.status_code == 200
    assert list((Path(app.instance_path) / "renders").iterdir())  # stored, as any render

    for url in (f"/s/{statement.slug}.pdf", f"/s/{statement.slug}.docx"):
        assert client.get(url).status_code == 404, url
    with app.test_request_context():
        assert stored_download(statement.slug, "pdf", {"page_size": "A4"}) is None
        assert stored_download(statement.slug, "docx") is None

    # With a live list the same stored file is served, without rendering again.
    make_list_live(app, statement)
    renders = cache.render_counts["pdf"]
    with client.get(f"/s/{statement.slug}.pdf") as response:
        assert response.status_code == 200
    assert cache.render_counts["pdf"] == renders


def test_the_preview_of_a_scheduled_publication_says_when_it_goes_public(app, client, signed, team):
    statement, _ids = signed
    close_statement(app, statement)
    publish(app, statement, embargo_until=utcnow() + timedelta(days=2))
    viewer = logged_in(app, team["viewer"])

    preview = html_lib.unescape(
        viewer.get(f"/statements/{statement.slug}/preview").get_data(as_text=True)
    )

    assert "Preview — not public until publication" in preview
    assert "scheduled for" in preview and "(Europe/Paris)" in preview
    assert "Zeta Press Union" in preview
    assert client.get(f"/s/{statement.slug}").status_code == 404


@pytest.mark.parametrize("path", ["", *(f".{kind}" for kind in PREVIEW_FILES)])
def test_outsiders_get_no_preview(app, client, signed, team, path):
    statement, _ids = signed
    url = f"/statements/{statement.slug}/preview{path}"
    outsider = logged_in(app, team["outsider"])
    assert outsider.get(url).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_team_previews_a_draft_before_opening_it(app, client, create_statement, dummy_user):
    draft = create_statement(title="A draft to check")
    lead = logged_in(app, dummy_user)
    shown = html_lib.unescape(lead.get(f"/statements/{draft.slug}").get_data(as_text=True))
    assert "Not public until publication" in shown
    preview = lead.get(f"/statements/{draft.slug}/preview")
    assert preview.status_code == 200
    assert "<h1>A draft to check</h1>" in preview.get_data(as_text=True)
    assert client.get(f"/s/{draft.slug}").status_code == 404


def test_the_preview_of_a_live_or_published_list_says_it_is_public(app, signed, team):
    statement, _ids = signed
    viewer = logged_in(app, team["viewer"])
    preview_url = f"/statements/{statement.slug}/preview"
    make_list_live(app, statement)
    live = html_lib.unescape(viewer.get(preview_url).get_data(as_text=True))
    assert "this is what anyone sees now" in live and "live list" in live
    close_statement(app, statement)
    publish(app, statement)
    published = html_lib.unescape(viewer.get(preview_url).get_data(as_text=True))
    assert "this is what anyone sees now" in published
    assert "not public until publication" not in published
