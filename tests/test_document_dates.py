"""Dates: the documents carry the day of publication, in the statement's time zone,
and the team reads every time in that zone, named.

A coalition in Bishkek (UTC+6) publishes at 02:30 local time on 6 June, which is
still 5 June in UTC: every document must say 6 June. PDFs are read back with
pypdf, DOCX files with python-docx; renders are kept small.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest
from sqlalchemy import select

from signon.columns import utcnow
from signon.documents.docx import render_docx
from signon.documents.pdf import render_pdf
from signon.extensions import db
from signon.publication.documents import document_for_statement
from signon.publication.models import Edition
from signon.statements.models import Statement

from .public_steps import close_statement, logged_in, publish, sign_as, withdraw_signature
from .sign_on_steps import open_statement

BISHKEK = "Asia/Bishkek"
FUTURE = datetime.now(UTC).year + 2
SHORT_BODY = "We call for the release of the journalists.\n\n## Our demands\n\nRelease them.\n"


# Reading the files back ---------------------------------------------------------
def pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def docx_styled(data: bytes, style: str) -> list[str]:
    word = docx.Document(io.BytesIO(data))
    return [p.text for p in word.paragraphs if p.style.name == style]


def download(client, url: str) -> bytes:
    with client.get(url) as response:
        assert response.status_code == 200, (url, response.status_code)
        return response.data


def stored(app, statement) -> Statement:
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        db.session.expunge(record)
        return record


# Steps ----------------------------------------------------------------------------
@pytest.fixture
def owner(app, dummy_user):
    return logged_in(app, dummy_user)


@pytest.fixture
def bishkek(app, owner, create_statement, dummy_user):
    """A statement the lead opened in Asia/Bishkek, one partner signed, closed."""
    statement = create_statement(title="Free the Bishkek journalists", body=SHORT_BODY)
    open_statement(owner, statement.slug, time_zone=BISHKEK)
    sign_as(app, statement, dummy_user, "Article 19", acronym="A19")
    close_statement(app, statement)
    return statement


def published_at(app, statement, moment: datetime) -> None:
    """As if the lead had pressed Publish at `moment`: what the clock would have
    written, set directly (the statement's time and its first edition's)."""
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        record.published_at = moment
        edition = db.session.scalar(select(Edition).where(Edition.statement_id == record.id))
        edition.created_at = moment
        db.session.commit()


# Published documents ---------------------------------------------------------------
def test_published_statement_prints_the_local_day_of_publication_in_pdf_docx_and_page(
    app, client, bishkek
):
    publish(app, bishkek)
    # 20:30 in UTC on 5 June is 02:30 on 6 June in Bishkek.
    published_at(app, bishkek, datetime(2026, 6, 5, 20, 30, tzinfo=UTC))

    pdf = pdf_text(download(client, f"/s/{bishkek.slug}.pdf"))
    word = download(client, f"/s/{bishkek.slug}.docx")
    assert "6 June 2026" in pdf
    assert "5 June 2026" not in pdf
    assert docx_styled(word, "Date") == ["6 June 2026"]
    # The same words in the page, the text and the Markdown downloads.
    assert "6 June 2026" in client.get(f"/s/{bishkek.slug}").get_data(as_text=True)
    assert "\n6 June 2026\n" in client.get(f"/s/{bishkek.slug}.txt").get_data(as_text=True)
    assert "\n6 June 2026\n" in client.get(f"/s/{bishkek.slug}.md").get_data(as_text=True)
    # A published document is no preview.
    assert "not yet published" not in pdf


def test_the_statements_own_date_wins_over_the_day_of_publication(
    app, client, runner, owner, dummy_user, tmp_path
):
    source = tmp_path / "dated.md"
    source.write_text(
        '---\ntitle: "A dated statement"\ndate: 2025-06-05\n---\n' + SHORT_BODY, encoding="utf-8"
    )
    result = runner.invoke(args=["import", str(source), "--owner", dummy_user.email])
    assert result.exit_code == 0, result.output
    with app.app_context():
        statement = db.session.scalar(
            select(Statement).where(Statement.slug == "a-dated-statement")
        )
        db.session.expunge(statement)
    open_statement(owner, statement.slug, time_zone=BISHKEK)
    sign_as(app, statement, dummy_user, "Article 19")
    close_statement(app, statement)
    publish(app, statement)

    assert "5 June 2025" in pdf_text(download(client, f"/s/{statement.slug}.pdf"))
    assert docx_styled(download(client, f"/s/{statement.slug}.docx"), "Date") == ["5 June 2025"]


def test_an_embargoed_edition_is_dated_with_the_embargos_local_day(app, client, owner, bishkek):
    # The lead types the embargo in the statement's zone: 02:30 on 6 June in Bishkek.
    response = owner.post(
        f"/statements/{bishkek.slug}/publish",
        {"embargo": f"{FUTURE}-06-06T02:30", "confirm": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored(app, bishkek).embargo_until == datetime(FUTURE, 6, 5, 20, 30, tzinfo=UTC)

    # The team's copy during the embargo is the file the public will get.
    pdf = pdf_text(download(owner, f"/statements/{bishkek.slug}/editions/1.pdf"))
    word = download(owner, f"/statements/{bishkek.slug}/editions/1.docx")
    assert f"6 June {FUTURE}" in pdf
    assert docx_styled(word, "Date") == [f"6 June {FUTURE}"]
    assert "not yet published" not in pdf


def test_moving_the_embargo_to_another_day_redates_the_files(app, owner, bishkek):
    publish(app, bishkek, embargo_until=datetime(FUTURE, 6, 5, 20, 30, tzinfo=UTC))
    first = pdf_text(download(owner, f"/statements/{bishkek.slug}/editions/1.pdf"))
    assert f"6 June {FUTURE}" in first
    with app.app_context():  # the embargo moved a week on (the publish page's new time)
        db.session.get(Statement, bishkek.id).embargo_until = datetime(
            FUTURE, 6, 12, 20, 30, tzinfo=UTC
        )
        db.session.commit()

    moved = pdf_text(download(owner, f"/statements/{bishkek.slug}/editions/1.pdf"))
    assert f"13 June {FUTURE}" in moved
    assert f"6 June {FUTURE}" not in moved


def test_a_later_edition_keeps_the_publication_date_and_says_when_the_list_changed(
    app, client, create_statement, owner, dummy_user
):
    statement = create_statement(title="Free the Bishkek journalists", body=SHORT_BODY)
    open_statement(owner, statement.slug, time_zone=BISHKEK)
    sign_as(app, statement, dummy_user, "Article 19")
    leaving = sign_as(app, statement, dummy_user, "Zeta Press Union")
    close_statement(app, statement)
    publish(app, statement)
    published_at(app, statement, datetime(2026, 6, 5, 20, 30, tzinfo=UTC))
    withdraw_signature(app, leaving)

    today = utcnow().astimezone(ZoneInfo(BISHKEK)).date()
    pdf = pdf_text(download(client, f"/s/{statement.slug}.pdf"))
    word = download(client, f"/s/{statement.slug}.docx")
    assert "Zeta Press Union" not in pdf
    assert "6 June 2026" in pdf
    assert docx_styled(word, "Date") == ["6 June 2026"]
    updated = f"List updated on {today.day} {today:%B} {today.year}."
    assert updated in pdf
    assert docx_styled(word, "List Updated") == [updated]


# Previews: a statement not yet published ----------------------------------------------
def preview_files(app, statement) -> tuple[str, bytes]:
    """The documents the team previews for a statement not yet published."""
    with app.app_context():
        document = document_for_statement(db.session.get(Statement, statement.id))
        return pdf_text(render_pdf(document)), render_docx(document)


def test_a_preview_shows_todays_date_in_the_statements_zone_as_not_yet_published(app, bishkek):
    today = datetime.now(ZoneInfo(BISHKEK)).date()
    pdf, word = preview_files(app, bishkek)
    planned = f"{today.day} {today:%B} {today.year} (not yet published)"
    assert planned in pdf
    assert docx_styled(word, "Date") == [planned]


def test_a_preview_shows_the_statements_own_date_as_planned(app, bishkek):
    with app.app_context():  # as a statement file's `date:` sets it
        db.session.get(Statement, bishkek.id).date = "2026-06-06"
        db.session.commit()
    pdf, word = preview_files(app, bishkek)
    assert "6 June 2026 (not yet published)" in pdf
    assert docx_styled(word, "Date") == ["6 June 2026 (not yet published)"]


# What the team sees ------------------------------------------------------------------
def local(moment: datetime) -> str:
    return f"{moment.astimezone(ZoneInfo(BISHKEK)):%-d %b %Y, %H:%M} ({BISHKEK})"


def test_team_times_are_in_the_statements_zone_and_name_it(app, owner, bishkek, send_outbox):
    send_outbox()  # the invitation goes out: "Sent …"
    with app.app_context():
        record = db.session.get(Statement, bishkek.id)
        saved, closed_at = record.current_version.created_at, record.closed_at
        from signon.signatures.models import Invitation

        sent = db.session.scalar(select(Invitation.sent_at))
    slug = bishkek.slug

    page = owner.get(f"/statements/{slug}").get_data(as_text=True)
    assert f"saved {local(saved)}" in page
    # Closed by hand before any deadline: the badge says when.
    assert f"<strong>Closed</strong> on {local(closed_at)}" in page
    assert f"{local(saved)}" in owner.get(f"/statements/{slug}/history").get_data(as_text=True)
    invitations = owner.get(f"/statements/{slug}/invitations").get_data(as_text=True)
    assert f"Sent {local(sent)}" in invitations
    assert f"({BISHKEK})" in owner.get("/").get_data(as_text=True)  # the dashboard
    assert " UTC" not in page

    publish(app, bishkek, embargo_until=datetime(FUTURE, 6, 5, 20, 30, tzinfo=UTC))
    page = owner.get(f"/statements/{slug}").get_data(as_text=True)
    assert f"public from 6 Jun {FUTURE}, 02:30 ({BISHKEK}) (embargo)" in page
    editions = owner.get(f"/statements/{slug}/publication").get_data(as_text=True)
    assert f"({BISHKEK})" in editions


def test_an_edition_published_before_this_date_rule_keeps_its_frozen_date(app, client, bishkek):
    publish(app, bishkek)
    with app.app_context():  # a snapshot as signon wrote them before: the date frozen whole
        edition = db.session.scalar(select(Edition).where(Edition.statement_id == bishkek.id))
        edition.snapshot = {**edition.snapshot, "format": 1, "date": "2026-01-15"}
        db.session.commit()

    assert "15 January 2026" in pdf_text(download(client, f"/s/{bishkek.slug}.pdf"))
    assert docx_styled(download(client, f"/s/{bishkek.slug}.docx"), "Date") == ["15 January 2026"]
