"""A failed submit opens at the form: GOV.UK's error summary at its top, a link to
each field in error, each field's message beside it; the form one tap from the top.

The browser half (the page really opens there, focused, at phone width) is in
tests/e2e/test_sign_form_on_a_phone.py.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from signon.extensions import db
from signon.signatures.links import manage_link
from signon.signatures.models import Signature

from .sign_on_steps import (
    count_signatures,
    invite_partners,
    open_for_signing,
    outbox_kinds,
    partner,
    sign_form,
)

BASE = "http://signon.test"


@pytest.fixture
def invitation_path(app, dummy_user, dummy_statement) -> str:
    open_for_signing(app, dummy_statement, open_call=True)
    (path,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    return path


def summary_of(page: str) -> str:
    match = re.search(r'<div class="error-summary"[^>]*>.*?</div>', page, re.S)
    assert match, "no error summary in the page"
    return match.group(0)


def summary_links(page: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the error summary, in order."""
    return [
        (href, html_lib.unescape(text))
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary_of(page))
    ]


def test_a_failed_sign_on_opens_at_a_summary_that_links_to_each_field(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    response = signer.post(
        invitation_path + "/sign",
        sign_form(name="", contact_email="not an email", authorised=None, kind="robot"),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)

    # The form posts to its own address plus the summary's fragment: the page that
    # comes back opens at the summary, not 6,000 pixels above it at the statement.
    (action,) = re.findall(r'<form method="post" action="([^"]+)"', page)
    # The post signs the text shown: its language goes with it.
    assert action == f"{invitation_path}/sign?text=en#error-summary"
    summary = summary_of(page)
    assert 'id="error-summary"' in summary and 'tabindex="-1"' in summary
    assert 'role="alert"' in summary
    assert "There is a problem" in summary
    assert "Nothing was saved." in summary
    assert re.search(r"<title>Error: ", page)

    # One link per field in error, in the order of the fields on the page.
    assert summary_links(page) == [
        ("#kind-0", "Not a valid choice. Choose organisation or individual."),
        ("#name", "Enter the name to be listed."),
        ("#contact_email", "Enter a valid email address."),
        ("#authorised", "Please confirm you are authorised to sign."),
    ]
    # Every link leads to a field of the form, which says the same beside it and is
    # described by that message.
    for href, message in summary_links(page):
        field_id = href[1:]
        (tag,) = re.findall(rf'<input[^>]*id="{field_id}"[^>]*>', page)
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert 'aria-invalid="true"' in tag
        error_id = next(d for d in described if d.endswith("-error"))
        assert re.search(rf'<p class="error" id="{error_id}">{re.escape(message)}</p>', page)

    # The summary heads the form, after the statement's text.
    assert page.index("release") < page.index('id="error-summary"') < page.index("<form")
    assert count_signatures(app) == 0 and outbox_kinds(app) == ["invitation"]


def test_a_field_error_on_the_open_call_has_the_same_summary(app, dummy_statement):
    open_for_signing(app, dummy_statement, open_call=True)
    path = f"/s/{dummy_statement.slug}/sign"
    visitor = partner(app, path)
    response = visitor.post(path, sign_form(contact_email="", note="x" * 501))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    (action,) = re.findall(r'<form method="post" action="([^"]+)"', page)
    assert action == f"{path}?text=en#error-summary"  # the text shown goes with the post
    assert [href for href, _ in summary_links(page)] == ["#note", "#contact_email"]
    assert count_signatures(app) == 0


def test_a_complete_form_shows_no_summary(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    page = signer.get(invitation_path + "/sign").get_data(as_text=True)
    assert 'id="error-summary"' not in page
    assert "There is a problem" not in page
    assert signer.post(invitation_path + "/sign", sign_form()).status_code == 303


def test_the_form_is_one_tap_from_the_top_of_the_page(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    page = signer.get(invitation_path + "/sign").get_data(as_text=True)
    main = page[page.index('<main id="main"') :]
    first_link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', main)
    assert first_link.groups() == ("#sign-form", "Go to the form ↓")
    assert main.index('href="#sign-form"') < main.index("release")  # above the text
    assert re.search(r'<section class="panel sign-form" id="sign-form"', page)


def test_the_form_says_which_fields_print(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    page = signer.get(invitation_path + "/sign").get_data(as_text=True)

    def mark(field_id: str) -> str:
        label = re.search(rf'<label for="{field_id}">(.*?)</label>', page, re.S).group(1)
        return re.search(r'<span class="print-mark[^"]*">([^<]+)</span>', label).group(1)

    for field_id in ("name", "acronym", "country", "note"):
        assert mark(field_id) == "printed"
    for field_id in ("website", "authorised_by", "authoriser_title", "contact_email"):
        assert mark(field_id) == "never printed"
    assert "How you appear in the list of signatories" in page
    assert "For the organisers only" in page


def test_a_failed_change_on_the_manage_page_opens_at_its_summary(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    assert signer.post(invitation_path + "/sign", sign_form()).status_code == 303
    with app.test_request_context():
        path = manage_link(db.session.scalar(select(Signature))).removeprefix(BASE)
    response = signer.post(path, sign_form(acronym="A\x0019", authorised=None))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    (action,) = re.findall(r'<form method="post" action="([^"]+)"', page)
    assert action == f"{path}#error-summary"
    assert summary_links(page) == [
        ("#acronym", "This field cannot contain line breaks or control characters.")
    ]
    with app.app_context():
        assert db.session.scalar(select(Signature)).acronym == "A19"


def test_signing_again_shows_how_the_entry_prints_now(app, invitation_path):
    signer = partner(app, invitation_path + "/sign")
    assert signer.post(invitation_path + "/sign", sign_form()).status_code == 303
    page = signer.get(invitation_path + "/sign").get_data(as_text=True)
    assert "Update your signature" in page
    printed = re.search(r"<strong>Printed now as:</strong>(.*?)</p>", page, re.S).group(1)
    assert '<span class="printed-line">Article 19 (A19) (United Kingdom)</span>' in printed
