"""Opening a statement for signatures, its deadline, closing and reopening.

The deadline is typed in the statement's time zone and stored in UTC. It closes
the statement by itself, without a cron job: every access compares it with the
clock. The clock is never faked here; the deadline is moved instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from signon.audit.models import AuditEvent
from signon.extensions import db
from signon.statements.models import SignatoryOrder, Statement, Status

from .sign_on_steps import invite_partners, move_deadline_into_the_past, open_statement

FUTURE = date.today().year + 2


def stored(app, statement) -> Statement:
    """The statement as the database holds it now (detached, read-only use)."""
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        db.session.expunge(record)
        return record


def audit_actions(app, statement) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.statement_id == statement.id)
                .order_by(AuditEvent.id)
            )
        )


def open_form(**fields) -> dict:
    return {
        "deadline": f"{FUTURE}-07-01T18:00",
        "time_zone": "Europe/Paris",
        "link_grace_hours": "0",
        "signatories_intro": "Signed by:",
        "signatory_order": "alphabetical",
        **fields,
    }


@pytest.fixture
def owner_web(web, dummy_user):
    web.login(dummy_user)
    return web


# Opening


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (f"{FUTURE}-07-01T18:00", datetime(FUTURE, 7, 1, 16, 0, tzinfo=UTC)),  # CEST, UTC+2
        (f"{FUTURE}-01-15T09:30", datetime(FUTURE, 1, 15, 8, 30, tzinfo=UTC)),  # CET, UTC+1
    ],
)
def test_deadline_typed_in_paris_time_is_stored_in_utc(app, owner_web, dummy_statement, local, utc):
    response = owner_web.post(f"/statements/{dummy_statement.slug}/open", open_form(deadline=local))

    assert response.status_code == 302
    assert response.location == f"/statements/{dummy_statement.slug}/invitations"
    statement = stored(app, dummy_statement)
    assert statement.status is Status.OPEN
    assert statement.deadline == utc
    assert statement.time_zone == "Europe/Paris"
    assert audit_actions(app, dummy_statement) == ["opened for signatures"]


def test_statement_page_shows_the_deadline_in_the_statements_own_time_zone(
    owner_web, dummy_statement
):
    open_statement(owner_web, dummy_statement.slug, deadline=f"{FUTURE}-07-01T18:00")

    page = owner_web.get(f"/statements/{dummy_statement.slug}").get_data(as_text=True)

    assert f"until 1 Jul {FUTURE}, 18:00 (Europe/Paris)" in page


@pytest.mark.parametrize("order", ["alphabetical", "as-listed", "signed-at"])
def test_opening_stores_the_intro_the_order_and_the_grace(app, owner_web, dummy_statement, order):
    open_statement(
        owner_web,
        dummy_statement.slug,
        deadline=f"{FUTURE}-07-01T18:00",
        signatories_intro="The following organisations sign:",
        signatory_order=order,
        link_grace_hours="36",
    )

    statement = stored(app, dummy_statement)
    assert statement.signatories_intro == "The following organisations sign:"
    assert statement.signatory_order is SignatoryOrder(order)
    assert statement.link_grace_hours == 36


def test_opening_without_a_deadline_stays_open(app, owner_web, dummy_statement):
    open_statement(owner_web, dummy_statement.slug, deadline="")

    statement = stored(app, dummy_statement)
    assert statement.status is Status.OPEN
    assert statement.deadline is None
    page = owner_web.get(f"/statements/{dummy_statement.slug}").get_data(as_text=True)
    assert "no deadline" in page


def test_time_zone_typed_in_any_case_is_stored_in_its_iana_spelling(
    app, owner_web, dummy_statement
):
    open_statement(owner_web, dummy_statement.slug, time_zone="asia/bishkek")

    assert stored(app, dummy_statement).time_zone == "Asia/Bishkek"


def assert_refused(app, response, statement, message: str) -> None:
    """A 400 with the message beside the form, and the statement untouched."""
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The statement was not opened" in page
    assert message in page
    record = stored(app, statement)
    assert record.status is Status.DRAFT
    assert record.deadline is None
    assert record.time_zone == "UTC"
    assert audit_actions(app, statement) == []


def test_deadline_in_the_past_is_refused_and_nothing_changes(app, owner_web, dummy_statement):
    response = owner_web.post(
        f"/statements/{dummy_statement.slug}/open", open_form(deadline="2020-03-01T12:00")
    )

    assert_refused(app, response, dummy_statement, "The deadline must be in the future.")


def test_deadline_a_minute_ago_in_the_chosen_zone_is_refused(app, owner_web, dummy_statement):
    # Local Bishkek time (UTC+6) that is in the future for a server in UTC.
    a_minute_ago = datetime.now(UTC) + timedelta(hours=6) - timedelta(minutes=1)
    response = owner_web.post(
        f"/statements/{dummy_statement.slug}/open",
        open_form(deadline=a_minute_ago.strftime("%Y-%m-%dT%H:%M"), time_zone="Asia/Bishkek"),
    )

    assert_refused(app, response, dummy_statement, "The deadline must be in the future.")


@pytest.mark.parametrize(
    "time_zone", ["Mars/Olympus_Mons", "Europe", "../../etc/passwd", "/etc/localtime", "CEST"]
)
def test_unknown_time_zone_is_refused(app, owner_web, dummy_statement, time_zone):
    response = owner_web.post(
        f"/statements/{dummy_statement.slug}/open", open_form(time_zone=time_zone)
    )

    assert_refused(app, response, dummy_statement, "Unknown time zone")


def test_a_time_the_clocks_skip_is_refused(app, owner_web, dummy_statement):
    # Summer time starts on the last Sunday of March at 02:00 in Paris: 02:30 never happens.
    last_sunday = max(
        date(FUTURE, 3, day) for day in range(25, 32) if date(FUTURE, 3, day).weekday() == 6
    )
    response = owner_web.post(
        f"/statements/{dummy_statement.slug}/open",
        open_form(deadline=f"{last_sunday.isoformat()}T02:30"),
    )

    assert_refused(app, response, dummy_statement, "the clocks change that night")


@pytest.mark.parametrize(
    ("deadline", "time_zone"),
    [
        ("9999-12-31T23:59", "America/New_York"),  # beyond the last UTC datetime
        ("9999-12-31T23:59", "UTC"),
        ("2400-01-01T00:00", "Europe/Paris"),
    ],
)
def test_a_deadline_centuries_ahead_is_refused_not_a_server_error(
    app, owner_web, dummy_statement, deadline, time_zone
):
    response = owner_web.post(
        f"/statements/{dummy_statement.slug}/open",
        open_form(deadline=deadline, time_zone=time_zone),
    )

    assert_refused(app, response, dummy_statement, "coming years")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("deadline", "next friday", "Not a valid datetime value"),
        ("signatory_order", "by-size", "Not a valid choice"),
        ("link_grace_hours", "-1", "Number must be between 0 and 720"),
        ("link_grace_hours", "100000", "Number must be between 0 and 720"),
        ("signatories_intro", "Signed\x00by:", "control character"),
    ],
)
def test_bad_opening_fields_are_refused(app, owner_web, dummy_statement, field, value, message):
    response = owner_web.post(
        f"/statements/{dummy_statement.slug}/open", open_form(**{field: value})
    )

    assert_refused(app, response, dummy_statement, message)


def test_an_open_statement_cannot_be_opened_again(app, owner_web, dummy_statement):
    open_statement(owner_web, dummy_statement.slug)
    before = stored(app, dummy_statement).deadline

    response = owner_web.post(
        f"/statements/{dummy_statement.slug}/open", open_form(deadline=f"{FUTURE}-12-01T10:00")
    )

    assert response.status_code == 302
    page = owner_web.get(response.location).get_data(as_text=True)
    assert "This statement is open; it cannot be opened." in page
    assert stored(app, dummy_statement).deadline == before


# The deadline, without a cron job


def test_statement_reads_closed_once_its_deadline_passes(
    app, owner_web, dummy_user, dummy_statement
):
    open_statement(owner_web, dummy_statement.slug, link_grace_hours="24")
    (link,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    assert owner_web.get(link).status_code == 200

    move_deadline_into_the_past(app, dummy_statement)

    page = owner_web.get(f"/statements/{dummy_statement.slug}").get_data(as_text=True)
    assert "<strong>Closed</strong>: the deadline was" in page
    assert "Close now" not in page
    # Reading it changed nothing: the database row still says open.
    assert stored(app, dummy_statement).status is Status.OPEN
    # The partner's link (within the grace) says signatures are closed.
    closed = owner_web.get(link)
    assert closed.status_code == 410
    assert "Signatures are closed" in closed.get_data(as_text=True)
    assert dummy_statement.title in closed.get_data(as_text=True)
    assert owner_web.get(link + "/sign").status_code == 410
    # The team can no longer invite.
    invitations = owner_web.get(f"/statements/{dummy_statement.slug}/invitations")
    assert "not open for signatures" in invitations.get_data(as_text=True)
    assert "Remind those who have not answered" not in invitations.get_data(as_text=True)


def test_the_next_write_stores_the_closing_the_deadline_caused(app, owner_web, dummy_statement):
    open_statement(owner_web, dummy_statement.slug)
    move_deadline_into_the_past(app, dummy_statement)

    response = owner_web.post(f"/statements/{dummy_statement.slug}/close", {"confirm": "yes"})

    assert response.status_code == 302
    page = owner_web.get(response.location).get_data(as_text=True)
    assert "Only an open statement can be closed." in page
    # Closing by hand was refused, so nothing was committed; the status still reads closed.
    assert "<strong>Closed</strong>" in page


# Closing and reopening by hand


def test_owner_closes_by_hand_and_links_then_say_closed(
    app, owner_web, dummy_user, dummy_statement
):
    open_statement(owner_web, dummy_statement.slug, deadline=f"{FUTURE}-07-01T18:00")
    (link,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )

    response = owner_web.post(f"/statements/{dummy_statement.slug}/close", {"confirm": "yes"})

    assert response.status_code == 302
    assert stored(app, dummy_statement).status is Status.CLOSED
    assert audit_actions(app, dummy_statement)[-1] == "closed"
    closed = owner_web.get(link)
    assert closed.status_code == 410
    assert "Signatures are closed" in closed.get_data(as_text=True)


def test_owner_reopens_with_a_new_deadline_in_the_statements_zone(
    app, owner_web, dummy_user, dummy_statement
):
    open_statement(owner_web, dummy_statement.slug, deadline=f"{FUTURE}-07-01T18:00")
    (link,) = invite_partners(
        app, dummy_statement, [("Article 19", "info@a19.example")], by=dummy_user
    )
    owner_web.post(f"/statements/{dummy_statement.slug}/close", {"confirm": "yes"})

    response = owner_web.post(
        f"/statements/{dummy_statement.slug}/reopen", {"deadline": f"{FUTURE}-12-01T10:00"}
    )

    assert response.status_code == 302
    statement = stored(app, dummy_statement)
    assert statement.status is Status.OPEN
    assert statement.deadline == datetime(FUTURE, 12, 1, 9, 0, tzinfo=UTC)  # CET, UTC+1
    assert audit_actions(app, dummy_statement)[-1] == "reopened"
    assert owner_web.get(link).status_code == 200


def test_a_statement_closed_by_its_deadline_can_be_reopened(app, owner_web, dummy_statement):
    open_statement(owner_web, dummy_statement.slug)
    move_deadline_into_the_past(app, dummy_statement)

    owner_web.post(f"/statements/{dummy_statement.slug}/reopen", {"deadline": ""})

    statement = stored(app, dummy_statement)
    assert statement.status is Status.OPEN
    assert statement.deadline is None


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        ("tomorrow at noon", "Not a valid datetime value"),
        ("2020-01-01T10:00", "The new deadline must be in the future."),
    ],
)
def test_reopening_with_a_bad_deadline_changes_nothing(
    app, owner_web, dummy_statement, deadline, message
):
    open_statement(owner_web, dummy_statement.slug, deadline=f"{FUTURE}-07-01T18:00")
    owner_web.post(f"/statements/{dummy_statement.slug}/close", {"confirm": "yes"})
    before = stored(app, dummy_statement)

    response = owner_web.post(f"/statements/{dummy_statement.slug}/reopen", {"deadline": deadline})

    assert response.status_code == 302
    page = owner_web.get(response.location).get_data(as_text=True)
    assert "The statement was not reopened" in page
    assert message in page
    after = stored(app, dummy_statement)
    assert (after.status, after.deadline) == (Status.CLOSED, before.deadline)


def test_a_draft_can_be_neither_closed_nor_reopened(app, owner_web, dummy_statement):
    for action in ("close", "reopen"):
        response = owner_web.post(f"/statements/{dummy_statement.slug}/{action}")
        assert response.status_code == 302

    assert stored(app, dummy_statement).status is Status.DRAFT
    assert audit_actions(app, dummy_statement) == []


def test_closed_statement_page_offers_reopening_in_its_time_zone(owner_web, dummy_statement):
    open_statement(owner_web, dummy_statement.slug)
    owner_web.post(f"/statements/{dummy_statement.slug}/close", {"confirm": "yes"})

    page = owner_web.get(f"/statements/{dummy_statement.slug}").get_data(as_text=True)

    assert "New deadline (Europe/Paris, optional)" in page
    assert "Reopen" in page


# Who may


LIFECYCLE_ROUTES = [
    ("GET", "open"),
    ("POST", "open"),
    ("POST", "close"),
    ("POST", "reopen"),
]


def lifecycle_request(web, method, action, slug):
    url = f"/statements/{slug}/{action}"
    if method == "GET":
        return web.get(url)
    return web.post(url, open_form() if action == "open" else {})


@pytest.mark.parametrize(("method", "action"), LIFECYCLE_ROUTES)
@pytest.mark.parametrize(("role", "status"), [("editor", 403), ("viewer", 403), (None, 404)])
def test_only_owners_open_close_and_reopen(
    app, web, create_user, create_statement, method, action, role, status
):
    member = create_user()
    statement = create_statement(members={member: role} if role else {})
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        if action != "open":
            record.status = Status.OPEN if action == "close" else Status.CLOSED
        db.session.commit()
        status_before = record.status
    web.login(member)

    response = lifecycle_request(web, method, action, statement.slug)

    assert response.status_code == status
    after = stored(app, statement)
    assert (after.status, after.deadline) == (status_before, None)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
