"""The public page of a statement: the text and the final list exactly as the PDF
prints them, for anyone, without JavaScript; nothing of a draft, no contact data.

Before publication a list is public only when its owner opted in to a live list,
so these tests of what the page shows open the statement with a live list;
tests/test_list_privacy.py covers the default, private until publication."""

from __future__ import annotations

import re

import pytest

from signon.documents.pdf import statement_html
from signon.documents.plain_text import signatory_line
from signon.extensions import db
from signon.publication.documents import document_for_statement
from signon.signatures.listing import final_section
from signon.statements.models import Statement

from .public_steps import (
    CONTACT_DATA,
    NOT_ON_THE_LIST,
    PUBLIC_URLS,
    close_statement,
    list_items,
    make_list_live,
    publish,
    signed_statement,
)


@pytest.fixture
def signed(app, create_statement, dummy_user):
    return signed_statement(app, create_statement, dummy_user, open_call=True, live_list=True)


def page_of(client, statement) -> str:
    response = client.get(f"/s/{statement.slug}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_anyone_reads_the_text_and_the_final_list_in_its_order(app, client, signed):
    statement, _ids = signed
    page = page_of(client, statement)

    assert "<h1>Free the Meridia Eleven</h1>" in page
    assert "<em>Meridia Eleven</em>" in page
    assert "Release the journalists." in page
    assert 'id="fn1"' in page  # the footnote, as in the PDF
    assert "Signed by:" in page
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        section = final_section(record)
        expected = [signatory_line(s) for s in section.listed]
        fingerprint = record.current_version.fingerprint
    # Alphabetical, organisations before people, withdrawn and unverified left out.
    assert expected == [
        "Article 19 (A19), within the framework of the Media Freedom Coalition",
        "Zeta Press Union (ZPU) (Meridia)",
        "Jane Doe (Senegal)",
    ]
    assert list_items(page) == expected
    assert "and 1 other organisation that asked not to be named" in page
    assert fingerprint in page


def test_the_page_shows_what_the_pdf_prints_in_the_same_order(app, client, signed):
    statement, _ids = signed
    page = page_of(client, statement)
    with app.app_context():
        document = document_for_statement(db.session.get(Statement, statement.id))
    printed = statement_html(document)

    assert list_items(page) == list_items(printed)
    for part in (
        document.title,
        document.signatories.intro,
        document.signatories.anonymous_sentence,
        document.fingerprint,
    ):
        assert part in page and part in printed
    # The body is the same sanitised HTML in both.
    body = re.search(r'<main class="statement">\s*(.*?)\s*</main>', printed, re.S).group(1)
    assert body in page


def test_the_page_shows_no_contact_data_and_no_unconfirmed_signature(client, signed):
    statement, _ids = signed
    page = page_of(client, statement)
    for private in CONTACT_DATA:
        assert private not in page, private
    for absent in NOT_ON_THE_LIST:
        assert absent not in page, absent
    assert "Director" not in page  # the authoriser's title


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_draft_is_not_public_at_any_address(client, dummy_statement, url):
    response = client.get(url.format(slug=dummy_statement.slug))
    assert response.status_code == 404
    assert dummy_statement.title not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_an_unknown_statement_is_not_found(client, url):
    assert client.get(url.format(slug="no-such-statement")).status_code == 404


def test_a_draft_member_sees_no_public_page_either(app, create_statement, dummy_user):
    from .public_steps import logged_in

    statement = create_statement(title="Still a draft")
    web = logged_in(app, dummy_user)
    assert web.get(f"/s/{statement.slug}").status_code == 404


def test_a_live_list_stays_public_when_closed_and_once_published(app, client, signed):
    statement, _ids = signed
    close_statement(app, statement)
    assert list_items(page_of(client, statement))[0].startswith("Article 19")
    publish(app, statement)
    page = page_of(client, statement)
    assert len(list_items(page)) == 3
    assert "Gone Collective" not in page


def test_the_page_needs_no_script_and_loads_nothing_from_another_host(client, signed):
    statement, _ids = signed
    response = client.get(f"/s/{statement.slug}")
    page = response.get_data(as_text=True)

    assert "<script" not in page.lower()
    assert not re.search(r"\son[a-z]+\s*=", page, re.I), "an inline event handler"
    assert "style=" not in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'name="viewport"' in page  # laid out for phones
    # Whatever the page loads (stylesheets, images) comes from this host.
    loaded = re.findall(
        r"<(?:link|img|script|iframe|source)\b[^>]*\b(?:href|src)=\"([^\"]*)\"", page
    )
    assert loaded, "the page has no stylesheet"
    for url in loaded:
        assert url.startswith("/") and not url.startswith("//"), url
        with client.get(url) as loaded_file:
            assert loaded_file.status_code == 200, url
    # Links to other sites are the statement's own links, nothing else.
    external = [u for u in re.findall(r'href="([^"]+)"', page) if re.match(r"[a-z]+:|//", u)]
    assert external == ["https://www.ohchr.org/en/sr-freedom"]


def test_the_page_offers_every_download(client, signed):
    statement, _ids = signed
    page = page_of(client, statement)
    slug = statement.slug
    for url in (
        f"/s/{slug}.pdf",
        f"/s/{slug}.pdf?size=letter",
        f"/s/{slug}.docx",
        f"/s/{slug}.md",
        f"/s/{slug}.txt",
        f"/s/{slug}.csv",
    ):
        assert f'href="{url}"' in page.replace("&amp;", "&"), url


def test_a_right_to_left_statement_reads_right_to_left(app, client, create_statement):
    from .sign_on_steps import open_for_signing

    statement = create_statement(
        title="بيان مشترك", body="نطالب بالإفراج عن الصحفيين.\n", language="ar"
    )
    open_for_signing(app, statement)
    make_list_live(app, statement)
    page = page_of(client, statement)
    assert '<html lang="ar" dir="rtl">' in page
    assert "نطالب بالإفراج عن الصحفيين." in page


def test_a_statement_nobody_signed_yet_shows_its_text(app, client, dummy_statement):
    from .sign_on_steps import open_for_signing

    open_for_signing(app, dummy_statement)
    make_list_live(app, dummy_statement)
    page = page_of(client, dummy_statement)
    assert "Release the journalists." in page
    assert list_items(page) == []
    assert "asked not to be named" not in page
