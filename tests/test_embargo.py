"""An embargo the lead controls.

Lena (the owner) schedules the Meridia Eleven statement for a launch. Until
then nothing of it is public. On the same Publish page, whose form stays, she
moves the time, publishes now (an empty time) or cancels, which takes the
statement back to closed with nothing of the scheduled edition left. The
statement's page reads "Scheduled for ..." in its own time zone; the comms team
(viewers) downloads the files and the public CSV during the embargo. Every move
is in the audit trail. The clock is never faked: times are chosen around now.
"""

from __future__ import annotations

import html as html_lib
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
from sqlalchemy import select

from signon.accounts.models import Role
from signon.accounts.service import add_member
from signon.audit.models import AuditEvent
from signon.columns import utcnow
from signon.extensions import db
from signon.publication.models import Edition
from signon.statements.models import Statement, Status

from .public_steps import close_statement, csv_rows, logged_in, signed_statement

PARIS = ZoneInfo("Europe/Paris")  # the statement's zone (sign_on_steps.open_for_signing)
LISTED = ("Article 19", "Zeta Press Union", "Jane Doe")


@pytest.fixture
def closed(app, create_statement, dummy_user):
    statement, _ids = signed_statement(app, create_statement, dummy_user, open_call=True)
    close_statement(app, statement)
    return statement


@pytest.fixture
def lead(app, dummy_user):
    return logged_in(app, dummy_user)


def local(moment: datetime) -> str:
    """A UTC time as Lena types it into the form: Paris time, to the minute."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def in_days(days: float) -> datetime:
    return (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)


def schedule(lead, statement, when: datetime):
    response = lead.post(
        f"/statements/{statement.slug}/publish", {"embargo": local(when), "confirm": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def stored(app, statement) -> Statement:
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        db.session.expunge(record)
        return record


def events(app, statement) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.statement_id == statement.id)
            .order_by(AuditEvent.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def edition_count(app, statement) -> int:
    with app.app_context():
        return len(
            db.session.scalars(select(Edition).where(Edition.statement_id == statement.id)).all()
        )


def text_of(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def public_answers(client, statement) -> set[int]:
    codes = set()
    for url in ("/s/{s}", "/s/{s}.pdf", "/s/{s}.csv", "/api/v1/statements/{s}"):
        with client.get(url.format(s=statement.slug)) as response:
            codes.add(response.status_code)
    return codes


# Scheduling and the badge -------------------------------------------------------
def test_a_scheduled_statement_reads_scheduled_for_its_time_in_its_zone(app, client, closed, lead):
    when = in_days(2)
    schedule(lead, closed, when)

    shown = text_of(lead.get(f"/statements/{closed.slug}"))
    expected = f"Scheduled for {when.astimezone(PARIS):%-d %b %Y, %H:%M} (Europe/Paris)"
    assert expected in shown
    assert "Move, publish now or cancel" in shown
    assert public_answers(client, closed) == {404}

    page = text_of(lead.get(f"/statements/{closed.slug}/publish"))
    assert expected in page
    assert f'value="{local(when)}"' in page  # the form stays, with the time in it
    assert "Save the publication time" in page
    assert "Cancel the publication" in page


def test_owner_moves_the_embargo_and_the_public_still_sees_nothing(app, client, closed, lead):
    first, later = in_days(2), in_days(5)
    schedule(lead, closed, first)

    moved = lead.post(
        f"/statements/{closed.slug}/publish", {"embargo": local(later), "confirm": "y"}
    )

    assert moved.status_code == 302
    assert "Embargo moved" in text_of(lead.get(moved.headers["Location"]))
    assert stored(app, closed).embargo_until == later
    assert public_answers(client, closed) == {404}
    event = events(app, closed)[-1]
    assert event.action == "embargo moved"
    assert event.detail == {
        "embargo_until": later.isoformat(),
        "previous_embargo": first.isoformat(),
    }
    trail = text_of(lead.get(f"/statements/{closed.slug}/audit"))
    assert "Publication moved to another time" in trail
    assert f"previously scheduled for {first.astimezone(PARIS):%-d %b %Y, %H:%M}" in trail


def test_an_empty_time_publishes_now(app, client, closed, lead):
    schedule(lead, closed, in_days(2))

    now = lead.post(f"/statements/{closed.slug}/publish", {"embargo": "", "confirm": "y"})

    assert now.status_code == 302
    assert "Published now" in text_of(lead.get(now.headers["Location"]))
    for name in LISTED:
        assert name in text_of(client.get(f"/s/{closed.slug}"))
    with client.get(f"/s/{closed.slug}.pdf") as pdf:
        assert "Zeta Press Union" in pdf_text(pdf.get_data())
    assert events(app, closed)[-1].action == "published now"
    assert "Published now, before the embargo ended" in text_of(
        lead.get(f"/statements/{closed.slug}/audit")
    )
    # Public now: the Publish page no longer offers to move it.
    assert lead.get(f"/statements/{closed.slug}/publish").status_code == 302


def test_owner_cancels_a_scheduled_publication_and_nothing_of_it_stays(app, client, closed, lead):
    schedule(lead, closed, in_days(2))
    editions_folder = Path(app.instance_path) / "editions" / str(closed.id)
    assert sorted(p.suffix for p in editions_folder.iterdir()) == [".docx", ".pdf"]

    cancelled = lead.post(f"/statements/{closed.slug}/publish/cancel", {"cancel": "y"})

    assert cancelled.status_code == 302
    shown = text_of(lead.get(cancelled.headers["Location"]))
    assert "Publication cancelled" in shown
    record = stored(app, closed)
    assert record.status is Status.CLOSED
    assert record.embargo_until is None and record.published_at is None
    assert edition_count(app, closed) == 0
    assert list(editions_folder.iterdir()) == []
    assert lead.get(f"/statements/{closed.slug}/editions/1.pdf").status_code == 404
    assert public_answers(client, closed) == {404}
    event = events(app, closed)[-1]
    assert (event.action, event.detail["editions"]) == ("publication cancelled", [1])
    assert "Publication cancelled: back to closed" in text_of(
        lead.get(f"/statements/{closed.slug}/audit")
    )

    # Closed again: Lena can publish anew, and edition 1 is made again.
    again = lead.post(f"/statements/{closed.slug}/publish", {"embargo": "", "confirm": "y"})
    assert again.status_code == 302
    assert edition_count(app, closed) == 1
    assert "Zeta Press Union" in text_of(client.get(f"/s/{closed.slug}"))


def test_cancelling_needs_the_tick_and_changes_nothing_without_it(app, client, closed, lead):
    schedule(lead, closed, in_days(2))
    before = len(events(app, closed))

    response = lead.post(f"/statements/{closed.slug}/publish/cancel", {})

    assert response.status_code == 400
    assert "Tick this box to cancel the publication" in text_of(response)
    assert stored(app, closed).status is Status.PUBLISHED
    assert edition_count(app, closed) == 1
    assert len(events(app, closed)) == before


# Bad input ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("embargo", "message"),
    [
        (local(utcnow() - timedelta(hours=1)), "The embargo must be in the future."),
        ("next Tuesday", "Give the time as a date and a time"),
        ("2026-13-45T10:00", "Give the time as a date and a time"),
        ("99999-01-01T10:00", "Give the time as a date and a time"),
    ],
    ids=["in-the-past", "words", "no-such-day", "year-99999"],
)
def test_a_bad_new_time_is_refused_with_nothing_saved(app, client, closed, lead, embargo, message):
    when = in_days(2)
    schedule(lead, closed, when)
    before = len(events(app, closed))

    response = lead.post(f"/statements/{closed.slug}/publish", {"embargo": embargo, "confirm": "y"})

    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert "Nothing was changed." in page
    assert stored(app, closed).embargo_until == when
    assert len(events(app, closed)) == before
    assert public_answers(client, closed) == {404}


def test_a_first_embargo_in_the_past_publishes_nothing(app, client, closed, lead):
    response = lead.post(
        f"/statements/{closed.slug}/publish",
        {"embargo": local(utcnow() - timedelta(days=1)), "confirm": "y"},
    )
    assert response.status_code == 400
    assert "The embargo must be in the future." in text_of(response)
    assert stored(app, closed).status is Status.CLOSED
    assert edition_count(app, closed) == 0


def test_a_move_without_the_tick_changes_nothing(app, closed, lead):
    when = in_days(2)
    schedule(lead, closed, when)
    response = lead.post(f"/statements/{closed.slug}/publish", {"embargo": ""})
    assert response.status_code == 400
    assert "Tick this box to confirm the new time" in text_of(response)
    assert stored(app, closed).embargo_until == when


def test_once_the_embargo_has_ended_it_can_no_longer_be_moved_or_cancelled(
    app, client, closed, lead
):
    schedule(lead, closed, in_days(2))
    with app.app_context():  # as if the time had come
        db.session.get(Statement, closed.id).embargo_until = utcnow() - timedelta(minutes=1)
        db.session.commit()

    assert lead.get(f"/statements/{closed.slug}/publish").status_code == 302
    refused = lead.post(f"/statements/{closed.slug}/publish/cancel", {"cancel": "y"})
    assert refused.status_code == 409
    assert stored(app, closed).status is Status.PUBLISHED
    assert "Zeta Press Union" in text_of(client.get(f"/s/{closed.slug}"))


def test_only_the_owner_moves_or_cancels(app, closed, lead, create_user):
    when = in_days(2)
    schedule(lead, closed, when)
    editor = create_user(email="ed@coalition.example", name="Ed Editor")
    with app.app_context():
        add_member(db.session.get(Statement, closed.id), editor.email, Role.EDITOR)
        db.session.commit()
    web = logged_in(app, editor)
    moved = web.post(f"/statements/{closed.slug}/publish", {"embargo": "", "confirm": "y"})
    assert moved.status_code == 403
    assert web.post(f"/statements/{closed.slug}/publish/cancel", {"cancel": "y"}).status_code == 403
    assert stored(app, closed).embargo_until == when


# The comms team during the embargo ----------------------------------------------
def test_a_viewer_downloads_the_public_csv_during_the_embargo(
    app, client, closed, lead, create_user
):
    schedule(lead, closed, in_days(2))
    comms = create_user(email="comms@coalition.example", name="Comms")
    with app.app_context():
        add_member(db.session.get(Statement, closed.id), comms.email, Role.VIEWER)
        db.session.commit()
    viewer = logged_in(app, comms)

    page = viewer.get(f"/statements/{closed.slug}/publication").get_data(as_text=True)
    csv_link = f'href="/statements/{closed.slug}/editions/1.csv"'
    assert csv_link in page

    response = viewer.get(f"/statements/{closed.slug}/editions/1.csv")

    assert response.status_code == 200
    assert "signatories.csv" in response.headers["Content-Disposition"]
    rows = csv_rows(response.data)
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == sorted(LISTED)
    assert "ana@zeta.example" not in response.get_data(as_text=True)  # the public CSV
    assert client.get(f"/s/{closed.slug}.csv").status_code == 404
    outsider = logged_in(app, create_user(email="out@else.example", name="Out"))
    assert outsider.get(f"/statements/{closed.slug}/editions/1.csv").status_code == 404
