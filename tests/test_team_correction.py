"""The "Printed as" preview is the line the documents print, country included; the team's
correction form edits every printed field (name, acronym, country, note, named or
counted), each change audited, names kept out of the trail for unnamed entries."""

from __future__ import annotations

import html as html_lib
import io
import re

import pypdf
import pytest
from sqlalchemy import select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.signatures.links import manage_link
from signon.signatures.models import Signature

from .public_steps import close_statement, logged_in, publish, sign_as
from .sign_on_steps import open_for_signing

BASE = "http://signon.test"
LINE = "Article 19 (A19), within the framework of the Observatory (Kyrgyzstan)"


@pytest.fixture
def article19(app, dummy_user, dummy_statement) -> int:
    open_for_signing(app, dummy_statement)
    return sign_as(
        app,
        dummy_statement,
        dummy_user,
        "Article 19",
        acronym="A19",
        country="Kyrgyzstan",
        note="within the framework of the Observatory",
    )


def edit_url(statement, signature_id: int) -> str:
    return f"/statements/{statement.slug}/signatures/{signature_id}/edit"


def printed_on(page: str) -> list[str]:
    return [html_lib.unescape(m) for m in re.findall(r'<span class="printed-line">([^<]+)', page)]


def entry(app, signature_id: int) -> tuple:
    with app.app_context():
        s = db.session.get(Signature, signature_id)
        return (s.name, s.acronym, s.country, s.note, s.listed_publicly)


def last_event(app) -> AuditEvent:
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        db.session.expunge(event)
        return event


def test_printed_as_is_the_line_the_published_documents_print(
    app, article19, dummy_user, dummy_statement
):
    with app.test_request_context():
        manage = manage_link(db.session.get(Signature, article19)).removeprefix(BASE)
    client = app.test_client()
    assert printed_on(client.get(manage).get_data(as_text=True)) == [LINE]
    lead = logged_in(app, dummy_user)
    assert printed_on(lead.get(edit_url(dummy_statement, article19)).get_data(as_text=True)) == [
        LINE
    ]

    close_statement(app, dummy_statement)
    publish(app, dummy_statement)
    with client.get(f"/s/{dummy_statement.slug}.txt") as response:
        text = response.get_data(as_text=True)
    assert LINE in [line.strip(" -*") for line in text.splitlines()]
    with client.get(f"/s/{dummy_statement.slug}.pdf") as response:
        assert response.status_code == 200
        pdf = response.data
    pdf_text = " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    assert LINE in pdf_text
    # After publication the signer still sees the same line.
    assert printed_on(client.get(manage).get_data(as_text=True)) == [LINE]


def test_the_team_corrects_every_printed_field(app, article19, dummy_user, dummy_statement):
    lead = logged_in(app, dummy_user)
    url = edit_url(dummy_statement, article19)
    page = lead.get(url).get_data(as_text=True)
    for field in ("name", "acronym", "country", "note"):
        assert f'name="{field}"' in page
    assert re.search(r'<input[^>]*checked[^>]*value="named"|value="named"[^>]*checked', page)

    response = lead.post(
        url,
        {
            "name": "ARTICLE 19",
            "acronym": "",
            "country": "Kyrgyz Republic",
            "note": "Central Asia office",
            "listed_publicly": "named",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert entry(app, article19) == (
        "ARTICLE 19", "", "Kyrgyz Republic", "Central Asia office", True
    )  # fmt: skip
    event = last_event(app)
    assert (event.action, event.actor) == (
        "signature edited by team",
        "Lena Lead <lead@coalition.example>",
    )
    assert event.detail["before"] == {
        "name": "Article 19",
        "acronym": "A19",
        "country": "Kyrgyzstan",
        "note": "within the framework of the Observatory",
        "listed_publicly": True,
    }
    assert event.detail["after"]["country"] == "Kyrgyz Republic"
    # The list the team previews prints the corrected line.
    preview = lead.get(f"/statements/{dummy_statement.slug}/signatures").get_data(as_text=True)
    assert "ARTICLE 19, Central Asia office" in html_lib.unescape(preview)


def test_making_an_entry_counted_is_audited_without_its_name(
    app, article19, dummy_user, dummy_statement
):
    lead = logged_in(app, dummy_user)
    url = edit_url(dummy_statement, article19)
    response = lead.post(
        url,
        {
            "name": "Article 19",
            "acronym": "A19",
            "country": "Kyrgyzstan",
            "note": "within the framework of the Observatory",
            "listed_publicly": "counted",
        },
    )
    assert response.status_code == 302
    assert entry(app, article19)[4] is False
    event = last_event(app)
    assert event.detail["changed"] == ["listed_publicly"]
    assert "before" not in event.detail and "Article 19" not in str(event.detail)
    page = lead.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="counted"|value="counted"[^>]*checked', page)

    # Correcting the entry while it is counted: the fields that changed, not the names.
    lead.post(url, {"name": "Article Nineteen", "acronym": "A19", "country": "",
                    "note": "", "listed_publicly": "counted"})  # fmt: skip
    event = last_event(app)
    assert event.detail["changed"] == ["name", "country", "note"]
    assert "Nineteen" not in str(event.detail) and "Kyrgyzstan" not in str(event.detail)

    # Named again: recorded as a change, still without the names (it was not named).
    lead.post(url, {"name": "Article Nineteen", "acronym": "A19", "country": "",
                    "note": "", "listed_publicly": "named"})  # fmt: skip
    event = last_event(app)
    assert event.detail["changed"] == ["listed_publicly"]
    assert entry(app, article19)[4] is True


def test_saving_the_form_unchanged_records_nothing(app, article19, dummy_user, dummy_statement):
    lead = logged_in(app, dummy_user)
    before = last_event(app).id
    data = {
        "name": "Article 19",
        "acronym": "A19",
        "country": "Kyrgyzstan",
        "note": "within the framework of the Observatory",
        "listed_publicly": "named",
    }
    assert lead.post(edit_url(dummy_statement, article19), data).status_code == 302
    assert last_event(app).id == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Article\x0019", "line breaks or control characters"),
        ("name", "Article 19\r\nBcc: x@y.example", "line breaks or control characters"),
        ("acronym", "A\x1b19", "line breaks or control characters"),
        ("country", "Kyrgyz\x07stan", "line breaks or control characters"),
        ("note", "within\u2028the framework", "line breaks or control characters"),
        ("name", "x" * 301, "longer than 300"),
        ("acronym", "x" * 51, "longer than 50"),
        ("country", "x" * 101, "longer than 100"),
        ("note", "x" * 501, "longer than 500"),
        ("name", " \u200b ", "Enter the name to be printed."),
        ("listed_publicly", "anonymous", "Not a valid choice"),
    ],
)
def test_bad_input_in_a_correction_is_a_field_error_and_nothing_is_saved(
    app, article19, dummy_user, dummy_statement, field, value, message
):
    lead = logged_in(app, dummy_user)
    before, last = entry(app, article19), last_event(app).id
    data = {"name": "ARTICLE 19", "acronym": "A19", "country": "Kyrgyzstan",
            "note": "", "listed_publicly": "counted", field: value}  # fmt: skip
    response = lead.post(edit_url(dummy_statement, article19), data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Nothing was saved" in page
    assert entry(app, article19) == before
    assert last_event(app).id == last
