"""Bad input while drafting: a clear message, a 4xx and nothing saved, on create and on edit."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from signon.extensions import db
from signon.statements.models import Statement

from .factories import DEFAULT_BODY

GOOD = {"title": "Free the journalists", "language": "en", "body": "We call for their release."}
FIELD_PROBLEM = "Nothing was saved. Please correct the fields marked below."


@pytest.fixture(params=["create", "edit"])
def form_target(request, web, dummy_user, dummy_statement):
    """The URL a lead posts the statement form to: a new statement, or an edit."""
    web.login(dummy_user)
    if request.param == "create":
        return "/statements/new"
    return f"/statements/{dummy_statement.slug}/edit"


def saved_state(app) -> dict:
    """What the database holds: counts and the text of every version."""
    with app.app_context():
        versions = db.session.execute(
            text("SELECT statement_id, number, title, body, note FROM versions ORDER BY id")
        ).all()
        statements = db.session.execute(
            select(Statement.slug, Statement.title, Statement.language).order_by(Statement.id)
        ).all()
        signatures = db.session.scalar(text("SELECT count(*) FROM signatures"))
        return {
            "statements": [tuple(row) for row in statements],
            "versions": [tuple(row) for row in versions],
            "signatures": signatures,
        }


def post_refused(app, web, url, data, *, status=400, csrf=True):
    """Post the form, check it was refused with `status`, return the page's text."""
    before = saved_state(app)
    response = web.post(url, {**data, "save": "Save"}, csrf=csrf)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert saved_state(app) == before, "something was saved"
    return response.get_data(as_text=True)


def test_good_input_is_saved_on_both_forms(app, web, form_target):
    """The counterpart of every test below: the same form with good input saves."""
    before = saved_state(app)
    response = web.post(form_target, {**GOOD, "save": "Save"})
    assert response.status_code == 302
    assert len(saved_state(app)["versions"]) == len(before["versions"]) + 1


@pytest.mark.parametrize("title", ["", "   ", "\u200b"], ids=["empty", "spaces", "zero-width"])
def test_statement_without_a_title_is_refused(app, web, form_target, title):
    page = post_refused(app, web, form_target, {**GOOD, "title": title})
    assert FIELD_PROBLEM in page
    assert "Give the statement a title." in page


def test_title_of_301_characters_is_refused(app, web, form_target):
    page = post_refused(app, web, form_target, {**GOOD, "title": "T" * 301})
    assert FIELD_PROBLEM in page
    assert "Keep the title under 300 characters." in page


def test_title_of_300_characters_is_accepted(app, web, form_target):
    response = web.post(form_target, {**GOOD, "title": "T" * 300, "save": "Save"})
    assert response.status_code == 302
    assert "T" * 300 in [row[1] for row in saved_state(app)["statements"]]


def test_note_over_500_characters_is_refused(app, web, form_target):
    page = post_refused(app, web, form_target, {**GOOD, "note": "n" * 501})
    assert FIELD_PROBLEM in page
    assert "Field cannot be longer than 500 characters." in page


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("a" * 199_999 + "b" * 2, id="200001-ascii-bytes"),
        pytest.param("é" * 100_001, id="100001-two-byte-letters"),
    ],
)
def test_body_over_200_kb_is_refused_with_a_field_error(app, web, form_target, body):
    page = post_refused(app, web, form_target, {**GOOD, "body": body})
    assert FIELD_PROBLEM in page
    assert "The text is larger than 200 KB; split it or shorten it." in page


def test_body_of_200_kb_is_accepted(app, web, form_target):
    body = ("word " * 40_000)[:199_999] + "\n"
    response = web.post(form_target, {**GOOD, "body": body, "save": "Save"})
    assert response.status_code == 302


def test_request_over_max_content_length_gets_the_too_large_page(app, web, form_target):
    limit = app.config["MAX_CONTENT_LENGTH"]
    page = post_refused(app, web, form_target, {**GOOD, "body": "x" * (limit + 1)}, status=413)
    assert "Too large" in page
    assert f"larger than the {limit // 1024} KB signon accepts" in page


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
@pytest.mark.parametrize("field", ["title", "body", "note"])
def test_control_characters_are_refused_with_a_field_error(app, web, form_target, field, character):
    data = {**GOOD, "note": "Fixed a typo"}
    data[field] = f"{data[field][:5]}{character}{data[field][5:]}"

    page = post_refused(app, web, form_target, data)

    assert FIELD_PROBLEM in page
    if field == "body":
        assert "This field cannot contain control characters." in page
    else:
        assert "This field cannot contain line breaks or control characters." in page


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r", "\u2028"])
def test_line_break_in_the_title_is_refused(app, web, form_target, line_break):
    page = post_refused(
        app, web, form_target, {**GOOD, "title": f"Free the{line_break}journalists"}
    )
    assert FIELD_PROBLEM in page
    assert "This field cannot contain line breaks or control characters." in page


@pytest.mark.parametrize("language", ["xx", "english", "EN", "en\x00"])
def test_unknown_language_code_is_refused(app, web, form_target, language):
    page = post_refused(app, web, form_target, {**GOOD, "language": language})
    assert FIELD_PROBLEM in page
    assert "Choose a language from the list." in page


def test_post_without_csrf_token_is_refused(app, web, form_target):
    page = post_refused(app, web, form_target, GOOD, csrf=False)
    assert "Form expired" in page
    assert "missing its security token" in page


def test_post_with_a_forged_csrf_token_is_refused(app, web, form_target):
    page = post_refused(app, web, form_target, {**GOOD, "csrf_token": "forged"})
    assert "Form expired" in page


def test_refused_edit_keeps_the_current_version(app, web, dummy_user, dummy_statement):
    web.login(dummy_user)
    post_refused(
        app,
        web,
        f"/statements/{dummy_statement.slug}/edit",
        {**GOOD, "title": "New\x00title", "language": "de", "body": "Changed."},
    )
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.id == dummy_statement.id))
        assert statement.language == "en"
        assert statement.current_version.number == 1
        assert statement.current_version.body == DEFAULT_BODY


def test_refused_form_shows_what_was_typed(app, web, form_target):
    page = post_refused(app, web, form_target, {**GOOD, "title": "", "body": "My careful *draft*."})
    assert "My careful *draft*." in page


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("body", "This field was missing from what was sent. Reload the page and try again."),
        ("language", "This field was missing from what was sent. Reload the page and try again."),
        ("title", "Give the statement a title."),
    ],
)
def test_a_post_without_a_field_is_refused_not_a_server_error(
    app, web, form_target, missing, message
):
    """A hand-made or truncated post (a TypeError in text normalisation once): a 400 with
    the field named, and no empty text or default language saved over the draft."""
    data = {key: value for key, value in GOOD.items() if key != missing}
    page = post_refused(app, web, form_target, data)
    assert FIELD_PROBLEM in page
    assert message in page
