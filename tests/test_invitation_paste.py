"""Pasting the partner list as the Invitations page's help says: commas, semicolons or
tabs; rejected lines shown with what they held; Cancel keeps the pasted text. And two
statements with one title told apart on the dashboard."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from signon.extensions import db
from signon.signatures.models import Invitation

from .sign_on_steps import open_statement
from .support import input_value

HELP = "Commas, semicolons or tabs, as copied from a spreadsheet."


@pytest.fixture
def lead(web, dummy_user, dummy_statement):
    web.login(dummy_user)
    open_statement(web, dummy_statement.slug, deadline="2099-06-30T18:00")
    return web


def check(web, statement, rows: str = "", *, upload: bytes | None = None):
    data = {"rows": rows}
    if upload is not None:
        data["upload"] = (io.BytesIO(upload), "partners.csv")
    return web.post(
        f"/statements/{statement.slug}/invitations/check", data, content_type="multipart/form-data"
    )


def send(web, statement, check_page: str):
    rows = input_value(check_page, "rows")
    return web.post(f"/statements/{statement.slug}/invitations/confirm", {"rows": rows})


def invited(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (i.organisation, i.email, i.contact_name)
            for i in db.session.scalars(select(Invitation).order_by(Invitation.position))
        ]


def rejected(page: str) -> list[tuple[str, str]]:
    """(problem, the line's content as shown) of every rejected line."""
    return [
        (html.unescape(problem), html.unescape(content))
        for problem, content in re.findall(
            r'<li><span class="problem">(.*?)</span>(?: <code class="line-content" dir="auto">'
            r"(.*?)</code>)?</li>",
            page,
            re.S,
        )
    ]


def cancel(web, statement, check_page: str):
    """Press Cancel (or "Go back") on the check page: its form, as the page holds it."""
    carried = re.search(r'id="back-rows" name="rows" type="hidden" value="([^"]*)"', check_page)
    assert carried, "no way back on the check page"
    return web.post(
        f"/statements/{statement.slug}/invitations/back", {"rows": html.unescape(carried.group(1))}
    )


def textarea(page: str) -> str:
    """The text in the paste box, as the browser shows it."""
    match = re.search(r'<textarea[^>]*name="rows"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no paste box on the page"
    # A textarea's first newline is not part of its value (HTML's parsing rule).
    return html.unescape(match.group(1)).removeprefix("\r\n").removeprefix("\n")


def test_the_invitations_page_says_which_separators_work(lead, dummy_statement):
    page = lead.get(f"/statements/{dummy_statement.slug}/invitations").get_data(as_text=True)
    assert HELP in page


@pytest.mark.parametrize(
    "rows",
    [
        "Org; a@b.org; Name\nReporters, sans frontières; rsf@rsf.example; Ana Pérez",
        "Org;a@b.org;Name\r\nReporters, sans frontières;rsf@rsf.example;Ana Pérez\r\n",
        "Org\ta@b.org\tName\nReporters, sans frontières\trsf@rsf.example\tAna Pérez",
        "Org\t a@b.org\t Name\nReporters, sans frontières\t rsf@rsf.example\t Ana Pérez\t\t",
    ],
    ids=["semicolon-and-space", "semicolon-crlf", "tab", "tab-space-trailing-columns"],
)
def test_semicolon_and_tab_lines_are_read_as_the_help_says(app, lead, dummy_statement, rows):
    page = check(lead, dummy_statement, rows)

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert rejected(text) == []
    assert "2 invitations ready to send" in text
    assert send(lead, dummy_statement, text).status_code == 302
    assert invited(app) == [
        ("Org", "a@b.org", "Name"),
        ("Reporters, sans frontières", "rsf@rsf.example", "Ana Pérez"),
    ]


def test_a_line_with_another_separator_than_the_rest_is_read_too(app, lead, dummy_statement):
    rows = (
        "Article 19, info@a19.example, Ana Pérez\n"
        "CPJ, press@cpj.example\n"
        "Org; a@b.org; Name\n"  # typed by hand into a list copied from elsewhere
        "Bir Duino\tbd@birduino.example\n"
    )

    text = check(lead, dummy_statement, rows).get_data(as_text=True)

    assert rejected(text) == []
    send(lead, dummy_statement, text)
    assert invited(app) == [
        ("Article 19", "info@a19.example", "Ana Pérez"),
        ("CPJ", "press@cpj.example", ""),
        ("Org", "a@b.org", "Name"),
        ("Bir Duino", "bd@birduino.example", ""),
    ]


def test_rejected_lines_show_what_they_held(app, lead, dummy_statement):
    rows = (
        "Article 19; info@a19.example\n"
        "Bad Email Org; not-an-email\n"
        "Only a name\n"
        "Tabbed Org\tno-at-sign\n"
        "Zero\u200bWidth; \n"
        "Bell Org\x07; bell@bell.example\n"
    )

    page = check(lead, dummy_statement, rows)

    text = page.get_data(as_text=True)
    assert rejected(text) == [
        (
            "Line 2: “not-an-email” is not a valid email address: "
            "An email address must have an @-sign.",
            "Bad Email Org; not-an-email",
        ),
        (
            "Line 3: needs an organisation and an email, separated by a comma, a semicolon "
            "or a tab",
            "Only a name",
        ),
        (
            "Line 4: “no-at-sign” is not a valid email address: "
            "An email address must have an @-sign.",
            "Tabbed Org ⇥ no-at-sign",
        ),
        (
            "Line 5: needs an organisation and an email, separated by a comma, a semicolon "
            "or a tab",
            "Zero⟨U+200B⟩Width; ",
        ),
        ("Line 6: contains control characters", "Bell Org␇; bell@bell.example"),
    ]
    shown = text.split('<ul class="problems">', 1)[1].split("</ul>", 1)[0]
    assert "\x07" not in shown and "\u200b" not in shown
    assert "1 invitation ready to send" in text
    assert invited(app) == []


def test_a_very_long_rejected_line_is_shown_cut_short(lead, dummy_statement):
    long_line = "Org; " + "x" * 2000
    text = check(lead, dummy_statement, f"Article 19; info@a19.example\n{long_line}").get_data(
        as_text=True
    )
    ((_problem, shown),) = rejected(text)
    assert shown == long_line[:300] + "…"


def test_cancel_brings_the_pasted_list_back_into_the_box(app, lead, dummy_statement):
    rows = (
        "Article 19; info@a19.example; Ana Pérez\n"
        "Bad Email Org; not-an-email\n"
        '<b>"Org"</b>; b@b.org'
    )
    page = check(lead, dummy_statement, rows).get_data(as_text=True)
    assert '<button class="secondary" form="back-form">Cancel</button>' in page

    back = cancel(lead, dummy_statement, page)

    assert back.status_code == 200
    again = back.get_data(as_text=True)
    assert textarea(again) == rows  # the bad line too, to be corrected
    assert "Check the list" in again
    assert invited(app) == []


def test_cancel_after_an_upload_puts_the_file_in_the_box(app, lead, dummy_statement):
    content = "Organisation;Email\nArticle 19;info@a19.example\nBad;nope\n"
    page = check(lead, dummy_statement, upload=content.encode("utf-8-sig")).get_data(as_text=True)

    back = cancel(lead, dummy_statement, page)

    assert textarea(back.get_data(as_text=True)) == content
    assert invited(app) == []


def test_a_list_with_no_usable_line_offers_the_way_back(app, lead, dummy_statement):
    page = check(lead, dummy_statement, "just some text\nand more")

    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert (
        '<button class="secondary" form="back-form">Go back and correct the list</button>' in text
    )
    back = cancel(lead, dummy_statement, text)
    assert textarea(back.get_data(as_text=True)) == "just some text\nand more"


def test_going_back_with_an_overlong_list_is_a_bad_request(app, lead, dummy_statement):
    response = lead.post(
        f"/statements/{dummy_statement.slug}/invitations/back", {"rows": "x" * 400_001}
    )
    assert response.status_code in (400, 413)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


# The dashboard and the new-statement page


def test_two_statements_with_one_title_are_told_apart_on_the_dashboard(
    web, dummy_user, create_statement
):
    first = create_statement(title="Free the Meridia Eleven")
    second = create_statement(title="Free the Meridia Eleven")
    create_statement(title="Protect the river defenders")
    web.login(dummy_user)

    page = web.get("/").get_data(as_text=True)

    assert first.slug != second.slug
    told_apart = re.findall(
        r'<span class="meta same-title">Address /s/([a-z0-9-]+) · created ', page
    )
    assert sorted(told_apart) == sorted([first.slug, second.slug])


def test_the_new_statement_page_says_where_the_address_comes_from(web, dummy_user, dummy_statement):
    web.login(dummy_user)

    new = web.get("/statements/new").get_data(as_text=True)
    edit = web.get(f"/statements/{dummy_statement.slug}/edit").get_data(as_text=True)

    note = "address (/s/…) is made from the title and made unique"
    assert note in html.unescape(new)
    assert note not in html.unescape(edit)
