"""Signers at risk: once a statement is closed or published, its owners (or the
nightly `signon purge-contacts`) remove the signers' contact data. The public
list reads the same afterwards; no address or authoriser is left anywhere in
the database, the team's CSV or the outbox."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, literal_column, select, table

from signon.accounts.models import Membership, Role, User
from signon.audit.models import AuditEvent
from signon.columns import utcnow
from signon.extensions import db
from signon.mail.models import OutboxMessage
from signon.mail.senders import eml_name, sender_for
from signon.mail.worker import DrainResult, claim_batch, deliver
from signon.retention.service import (
    PLACEHOLDER_DOMAIN,
    RetentionError,
    purge_contacts,
    purge_contacts_older_than,
)
from signon.signatures.invitations.service import InvitationRow, add_invitations
from signon.signatures.links import manage_link
from signon.signatures.models import Invitation, Signature
from signon.statements.lifecycle import reopen
from signon.statements.models import Statement, Status

from .public_steps import (
    CONTACT_DATA,
    close_statement,
    csv_columns,
    csv_rows,
    logged_in,
    publish,
    sign_as,
)
from .public_steps import signed_statement as signed_statement_step
from .sign_on_steps import BASE_URL, invite_partners, move_deadline_into_the_past, open_for_signing
from .support import Web

# What the signers and invitations below give as contacts: none of it may survive.
SIGNER_CONTACTS = (
    *(value for value in CONTACT_DATA if not value.startswith("https://")),  # a website is public
    "who@unverified.example",
    "dmitri@delta.example",
    "Dmitri Deltov",
    "Secretary-General of Delta Rights",
    "carla@pending.example",
    "Carla Contactova",
)
PURGE_AUDIT = "contacts purged"


# Steps ---------------------------------------------------------------------------
@pytest.fixture
def team(create_user):
    return {
        "editor": create_user(email="ed@coalition.example", name="Ed Editor"),
        "viewer": create_user(email="vi@coalition.example", name="Vi Viewer"),
        "outsider": create_user(email="out@other.example", name="Oskar Outsider"),
    }


def add_team(app, statement, team) -> None:
    with app.app_context():
        for who, role in (("editor", Role.EDITOR), ("viewer", Role.VIEWER)):
            db.session.add(Membership(user_id=team[who].id, statement_id=statement.id, role=role))
        db.session.commit()


def invite_with_contact_name(app, statement, lead, organisation, email, contact_name) -> None:
    """A partner invited with a contact person's name, who never answers."""
    with app.test_request_context():
        add_invitations(
            db.session.get(Statement, statement.id),
            [InvitationRow(1, organisation, email, contact_name)],
            actor=db.session.get(User, lead.id),
        )
        db.session.commit()


def signed_statement(app, create_statement, lead):
    """The shared signed statement (open call included), one more signer with a title,
    and an unanswered invitation naming its contact person."""
    statement, ids = signed_statement_step(app, create_statement, lead, open_call=True)
    ids["Delta Rights"] = sign_as(
        app,
        statement,
        lead,
        "Delta Rights",
        country="Meridia",
        contact_email="dmitri@delta.example",
        authorised_by="Dmitri Deltov",
        authoriser_title="Secretary-General of Delta Rights",
    )
    invite_with_contact_name(
        app, statement, lead, "Pending Org", "carla@pending.example", "Carla Contactova"
    )
    return statement, ids


def set_times(app, statement, **times) -> None:
    """Move a statement's recorded times back, as the clock would have: closed_at=...,
    published_at=..., deadline=... (each a timedelta before now)."""
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        for column, ago in times.items():
            setattr(record, column, utcnow() - ago)
        db.session.commit()


def closed_days_ago(app, statement, days: int) -> None:
    close_statement(app, statement)
    set_times(app, statement, closed_at=timedelta(days=days))


def published_days_ago(app, statement, *, closed: int, published: int) -> None:
    closed_days_ago(app, statement, closed)
    publish(app, statement)
    set_times(app, statement, published_at=timedelta(days=published))


def database_text(app) -> str:
    """Every row of every table in the database, as text (the table names are read
    from the database itself, so a table the models forget is read too)."""
    with app.app_context(), db.engine.connect() as connection:
        lines = []
        for name in sorted(inspect(connection).get_table_names()):
            for row in connection.execute(select(literal_column("*")).select_from(table(name))):
                values = [
                    json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)
                    for v in row
                ]
                lines.append(f"{name}: " + " | ".join(values))
        return "\n".join(lines)


def found_in(contact: str, text: str) -> bool:
    """Whether text holds contact as typed, or as JSON writes it (SQLite's JSON
    columns store "Pérez" as "P\\u00e9rez"), ignoring case."""
    text = text.casefold()
    return any(form.casefold() in text for form in (contact, json.dumps(contact)[1:-1]))


def public_views(client, slug: str) -> dict[str, bytes]:
    """What anyone can read of a published statement: page, API, CSV and text downloads."""
    return _views(
        client, (f"/s/{slug}", f"/api/v1/statements/{slug}", f"/s/{slug}.csv", f"/s/{slug}.md")
    )


def preview_views(web, slug: str) -> dict[str, bytes]:
    """What anyone will read of a statement once published, as its team's preview
    shows it: before publication the public addresses answer 404."""
    base = f"/statements/{slug}/preview"
    return _views(web, (base, f"{base}.json", f"{base}.csv", f"{base}.md"))


def _views(client, urls) -> dict[str, bytes]:
    views = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        views[url] = response.data
    return views


def team_csv(app, user, slug: str) -> dict[str, dict[str, str]]:
    """The team's CSV, one dict per signatory name."""
    response = logged_in(app, user).get(f"/statements/{slug}/signatures.csv")
    assert response.status_code == 200
    header, *rows = csv_rows(response.data)
    return {row[0]: dict(zip(csv_columns(header), row, strict=True)) for row in rows}


def purge_events(app, statement) -> list[dict]:
    with app.app_context():
        return [
            event.detail
            for event in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.statement_id == statement.id, AuditEvent.action == PURGE_AUDIT)
                .order_by(AuditEvent.id)
            )
        ]


def purged_at(app, statement):
    with app.app_context():
        return db.session.get(Statement, statement.id).contacts_purged_at


def contact_emails(app, statement) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Signature.contact_email)
                .where(Signature.statement_id == statement.id)
                .order_by(Signature.id)
            )
        )


def outbox_rows(app, statement) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.statement_id == statement.id)
            ).all()
        )


def run_purge(runner, *args):
    return runner.invoke(args=["purge-contacts", *args])


# The command ---------------------------------------------------------------------
def test_purge_removes_contact_data_everywhere_and_the_public_list_stays(
    app, client, runner, create_statement, dummy_user, mail_via_smtp, send_outbox
):
    statement, _ids = signed_statement(app, create_statement, dummy_user)
    published_days_ago(app, statement, closed=12, published=10)
    before = public_views(client, statement.slug)
    team_before = team_csv(app, dummy_user, statement.slug)
    assert team_before["Delta Rights"]["authoriser_title"] == "Secretary-General of Delta Rights"
    assert team_before["Zeta Press Union"]["contact_email"] == "ana@zeta.example"
    everything = database_text(app)
    for contact in SIGNER_CONTACTS:
        assert found_in(contact, everything), contact  # it was there to be purged
    queued = outbox_rows(app, statement)
    assert queued > 0  # invitations, confirmations, a verification: none sent yet

    result = run_purge(runner, "--older-than", "7")

    assert result.exit_code == 0, result.output
    assert f"Purged {statement.slug} (published " in result.output
    assert "Purged the contact data of 1 statement." in result.output
    everything = database_text(app)
    leftovers = [contact for contact in SIGNER_CONTACTS if found_in(contact, everything)]
    assert leftovers == [], everything
    assert public_views(client, statement.slug) == before
    team_after = team_csv(app, dummy_user, statement.slug)
    assert set(team_after) == set(team_before)
    for name, row in team_after.items():
        for column in ("contact_email", "authorised_by", "authoriser_title"):
            assert row[column] == "", (name, column)
        assert row["invitation_email"] == "" or row["invitation_email"].endswith(
            "@" + PLACEHOLDER_DOMAIN
        )
        for column in ("name", "acronym", "country", "website", "note", "kind", "state"):
            assert row[column] == team_before[name][column], (name, column)
    # The mail that was waiting is gone, and nothing goes out afterwards.
    assert outbox_rows(app, statement) == 0
    assert send_outbox().sent == 0
    assert mail_via_smtp.messages == []
    with app.app_context():
        invitations = db.session.scalars(
            select(Invitation).where(Invitation.statement_id == statement.id)
        ).all()
        assert len({i.email for i in invitations}) == len(invitations) == 7
        assert all(i.email.endswith("@" + PLACEHOLDER_DOMAIN) for i in invitations)
        assert all(i.revoked_at is not None for i in invitations)
    assert purged_at(app, statement) is not None
    assert purge_events(app, statement) == [{"signatures": 7, "invitations": 7, "mail": queued}]


def test_mail_a_worker_is_sending_during_the_purge_is_emptied_and_reaches_nobody(
    app, create_statement, dummy_user, mail_via_smtp
):
    statement, _ids = signed_statement(app, create_statement, dummy_user)
    closed_days_ago(app, statement, 10)
    queued = outbox_rows(app, statement)
    with app.app_context():
        claims = claim_batch(100)  # a worker took the whole outbox, and is slow
        assert len(claims) == queued > 0
        purge_contacts_older_than(7)
        db.session.commit()
    assert [c for c in SIGNER_CONTACTS if found_in(c, database_text(app))] == []

    result = DrainResult()
    with app.app_context():
        sender = sender_for(app.config, app.instance_path)
        for claim in claims:
            deliver(app, sender, claim, result)

    assert result.sent == 0
    assert mail_via_smtp.messages == []
    assert [c for c in SIGNER_CONTACTS if found_in(c, database_text(app))] == []


def test_links_already_emailed_stop_working_even_if_the_statement_reopens(
    app, client, runner, create_statement, dummy_user
):
    statement = create_statement()
    open_for_signing(app, statement)
    (unanswered,) = invite_partners(
        app, statement, [("Omega Org", "o@omega.example")], by=dummy_user
    )
    signature_id = sign_as(app, statement, dummy_user, "Sigma NGO", contact_email="s@sigma.example")
    with app.test_request_context():
        manage = manage_link(db.session.get(Signature, signature_id)).removeprefix(BASE_URL)
    closed_days_ago(app, statement, 30)
    assert run_purge(runner, "--older-than", "7").exit_code == 0
    with app.test_request_context():
        reopen(db.session.get(Statement, statement.id), deadline=None)
        db.session.commit()

    invitation_page = client.get(unanswered)
    manage_page = client.get(manage)

    assert invitation_page.status_code == 410
    assert "This link was withdrawn" in invitation_page.get_data(as_text=True)
    assert manage_page.status_code == 410
    assert "A newer link replaced this one" in manage_page.get_data(as_text=True)


def test_older_than_selects_statements_by_when_they_closed_or_were_published(
    app, runner, create_statement, dummy_user
):
    def signed(title: str, **open_options):
        statement = create_statement(title=title)
        open_for_signing(app, statement, **open_options)
        sign_as(app, statement, dummy_user, f"{title} NGO", contact_email=f"{title}@ngo.example")
        return statement

    closed_long_ago = signed("closed10")
    closed_days_ago(app, closed_long_ago, 10)
    closed_recently = signed("closed3")
    closed_days_ago(app, closed_recently, 3)
    deadline_passed = signed("deadline10")  # never closed by hand: its deadline closed it
    move_deadline_into_the_past(app, deadline_passed)
    set_times(app, deadline_passed, deadline=timedelta(days=10))
    published_long_ago = signed("published10")
    published_days_ago(app, published_long_ago, closed=12, published=10)
    published_recently = signed("published3")  # closed long ago, published only lately
    published_days_ago(app, published_recently, closed=20, published=3)
    still_open = signed("open")
    draft = create_statement(title="draft")
    set_times(app, draft, closed_at=timedelta(days=30))  # a stray date decides nothing
    due = {"closed10", "deadline10", "published10"}
    kept = {"closed3", "published3", "open"}
    statements = {
        s.slug: s
        for s in (
            closed_long_ago,
            closed_recently,
            deadline_passed,
            published_long_ago,
            published_recently,
            still_open,
            draft,
        )
    }

    dry = run_purge(runner, "--older-than", "7", "--dry-run")

    assert dry.exit_code == 0, dry.output
    assert {line.split()[2] for line in dry.output.splitlines() if line.startswith("Would")} == due
    assert "Dry run: 3 statements would be purged; nothing was changed." in dry.output
    assert "Would purge closed10 (closed " in dry.output
    assert "1 signature, 1 invitation, 2 emails in the outbox" in dry.output
    for slug in due:
        assert contact_emails(app, statements[slug]) == [f"{slug}@ngo.example"]

    result = run_purge(runner, "--older-than", "7")

    assert result.exit_code == 0, result.output
    assert {line.split()[1] for line in result.output.splitlines()[:-1]} == due
    for slug in due:
        assert contact_emails(app, statements[slug]) == [""], slug
        assert purged_at(app, statements[slug]) is not None
        assert purge_events(app, statements[slug]) == [
            {"signatures": 1, "invitations": 1, "mail": 2}
        ]
    for slug in kept:
        assert contact_emails(app, statements[slug]) == [f"{slug}@ngo.example"], slug
        assert purged_at(app, statements[slug]) is None
        assert purge_events(app, statements[slug]) == []
    assert purged_at(app, draft) is None

    again = run_purge(runner, "--older-than", "7")

    assert "Purged the contact data of 0 statements." in again.output
    for slug in due:
        assert len(purge_events(app, statements[slug])) == 1  # no second, empty purge
    assert contact_emails(app, closed_recently) == ["closed3@ngo.example"]
    assert run_purge(runner, "--older-than", "2").exit_code == 0
    assert contact_emails(app, closed_recently) == [""]


def test_contact_data_given_after_a_purge_is_purged_by_the_next_run(
    app, runner, create_statement, dummy_user
):
    statement = create_statement()
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "First NGO", contact_email="first@ngo.example")
    closed_days_ago(app, statement, 10)
    assert run_purge(runner, "--older-than", "7").exit_code == 0
    with app.test_request_context():
        reopen(db.session.get(Statement, statement.id), deadline=None)
        db.session.commit()
    sign_as(app, statement, dummy_user, "Late NGO", contact_email="late@ngo.example")
    closed_days_ago(app, statement, 8)

    result = run_purge(runner, "--older-than", "7")

    assert result.exit_code == 0, result.output
    assert contact_emails(app, statement) == ["", ""]
    assert [event["signatures"] for event in purge_events(app, statement)] == [1, 1]


def test_the_purge_counts_days_as_of_the_time_it_is_given(app, create_statement, dummy_user):
    statement = create_statement()
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Timely NGO", contact_email="timely@ngo.example")
    close_statement(app, statement)

    with app.app_context():
        assert purge_contacts_older_than(7, now=utcnow() + timedelta(days=6)) == []
        purged = purge_contacts_older_than(7, now=utcnow() + timedelta(days=8))
        assert [(item.statement.slug, item.contacts.signatures) for item in purged] == [
            (statement.slug, 1)
        ]
        db.session.commit()

    assert contact_emails(app, statement) == [""]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--older-than", "-1"], "-1 is not in the range 0<=x<=36500"),
        (["--older-than", "seven"], "'seven' is not a valid integer"),
        (["--older-than", "1.5"], "'1.5' is not a valid integer"),
        (["--older-than", ""], "'' is not a valid integer"),
        (["--older-than", "100000"], "100000 is not in the range 0<=x<=36500"),
        ([], "Missing option '--older-than'"),
    ],
    ids=["negative", "words", "fraction", "empty", "too far", "missing"],
)
def test_purge_refuses_a_bad_age_and_changes_nothing(
    app, runner, create_statement, dummy_user, args, message
):
    statement = create_statement()
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Kept NGO", contact_email="kept@ngo.example")
    closed_days_ago(app, statement, 400)

    result = run_purge(runner, *args)

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert contact_emails(app, statement) == ["kept@ngo.example"]
    assert purged_at(app, statement) is None


# The owner's page ------------------------------------------------------------------
def test_owner_purges_a_statement_from_its_page(app, client, create_statement, dummy_user, team):
    statement, _ids = signed_statement(app, create_statement, dummy_user)
    add_team(app, statement, team)
    close_statement(app, statement)  # closed just now: the owner need not wait
    owner = logged_in(app, dummy_user)
    before = preview_views(owner, statement.slug)
    show = owner.get(f"/statements/{statement.slug}").get_data(as_text=True)
    assert "Contact data" in show
    assert f'href="/statements/{statement.slug}/purge-contacts"' in show

    page = owner.get(f"/statements/{statement.slug}/purge-contacts")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This cannot be undone." in text
    assert "What is removed" in text and "What stays" in text
    assert "(7 hold some now)" in text  # signatures with contacts
    assert "every invitation (7 now)" in text
    assert "no IP addresses" in text
    assert "Purge contact data now" in text

    response = owner.post(f"/statements/{statement.slug}/purge-contacts")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/statements/{statement.slug}"
    shown = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contact data purged: 7 signatures, 7 invitations," in shown
    assert "The signers' contact data was purged on" in shown
    everything = database_text(app)
    assert [contact for contact in SIGNER_CONTACTS if found_in(contact, everything)] == []
    assert preview_views(owner, statement.slug) == before
    assert client.get(f"/s/{statement.slug}").status_code == 404  # closed: not public
    rows = team_csv(app, team["editor"], statement.slug)
    assert {row["contact_email"] for row in rows.values()} == {""}
    assert {row["authorised_by"] for row in rows.values()} == {""}
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == PURGE_AUDIT))
        assert event.actor == "Lena Lead <lead@coalition.example>"

    again = owner.get(f"/statements/{statement.slug}/purge-contacts").get_data(as_text=True)
    assert "The contact data was purged on" in again
    assert "There is nothing more to remove." in again
    assert "Purge contact data now" not in again
    repeat = owner.post(f"/statements/{statement.slug}/purge-contacts")
    assert repeat.status_code == 302
    assert "already purged on" in owner.get(repeat.headers["Location"]).get_data(as_text=True)
    assert len(purge_events(app, statement)) == 1


@pytest.mark.parametrize("stage", ["draft", "open"])
def test_a_draft_or_open_statement_cannot_be_purged(app, create_statement, dummy_user, stage):
    statement = create_statement()
    if stage == "open":
        open_for_signing(app, statement)
        sign_as(app, statement, dummy_user, "Early NGO", contact_email="early@ngo.example")
    owner = logged_in(app, dummy_user)
    show = owner.get(f"/statements/{statement.slug}").get_data(as_text=True)
    assert "/purge-contacts" not in show

    page = owner.get(f"/statements/{statement.slug}/purge-contacts")
    response = owner.post(f"/statements/{statement.slug}/purge-contacts")

    for answer in (page, response):
        assert answer.status_code == 409
        text = answer.get_data(as_text=True)
        assert f"This statement is {stage}." in text
        assert "once it is closed or published" in text
        assert "Purge contact data now" not in text
    assert purged_at(app, statement) is None
    if stage == "open":
        assert contact_emails(app, statement) == ["early@ngo.example"]


def test_the_purge_service_refuses_an_open_statement(app, create_statement, dummy_user):
    statement = create_statement()
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Early NGO", contact_email="early@ngo.example")

    with app.app_context(), pytest.raises(RetentionError, match="This statement is open"):
        purge_contacts(db.session.get(Statement, statement.id), "a test")

    assert contact_emails(app, statement) == ["early@ngo.example"]


def test_an_open_statement_past_its_deadline_counts_as_closed(app, create_statement, dummy_user):
    statement = create_statement()
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Late NGO", contact_email="late@ngo.example")
    move_deadline_into_the_past(app, statement)
    owner = logged_in(app, dummy_user)

    response = owner.post(f"/statements/{statement.slug}/purge-contacts")

    assert response.status_code == 302
    assert contact_emails(app, statement) == [""]
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        assert record.status is Status.CLOSED  # the deadline's effect, stored by the write
        assert record.closed_at == record.deadline


@pytest.mark.parametrize(("who", "status"), [("editor", 403), ("viewer", 403), ("outsider", 404)])
def test_only_owners_reach_the_purge(app, create_statement, dummy_user, team, who, status):
    statement = create_statement()
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Safe NGO", contact_email="safe@ngo.example")
    close_statement(app, statement)
    add_team(app, statement, team)
    member = logged_in(app, team[who])

    assert member.get(f"/statements/{statement.slug}/purge-contacts").status_code == status
    assert member.post(f"/statements/{statement.slug}/purge-contacts").status_code == status
    if who != "outsider":
        show = member.get(f"/statements/{statement.slug}").get_data(as_text=True)
        assert "/purge-contacts" not in show
    assert contact_emails(app, statement) == ["safe@ngo.example"]
    assert purged_at(app, statement) is None


def test_strangers_and_forged_posts_purge_nothing(app, client, create_statement, dummy_user):
    statement = create_statement()
    open_for_signing(app, statement)
    sign_as(app, statement, dummy_user, "Safe NGO", contact_email="safe@ngo.example")
    close_statement(app, statement)
    url = f"/statements/{statement.slug}/purge-contacts"

    for anonymous in (client.get(url), Web(client).post(url)):  # the POST with a token
        assert anonymous.status_code == 302
        assert "/login" in anonymous.headers["Location"]
    owner = logged_in(app, dummy_user)
    forged = owner.post(url, csrf=False)
    assert forged.status_code == 400
    assert contact_emails(app, statement) == ["safe@ngo.example"]
    assert purged_at(app, statement) is None


def test_the_file_backends_copies_of_the_mail_go_with_the_purge(
    app, runner, create_statement, dummy_user, send_outbox
):
    """`make run` writes every email to instance/outbox/ as .eml: with the
    statement's outbox rows, the purge deletes those copies of them."""
    assert app.config["MAIL_BACKEND"] == "file"
    statement, _ids = signed_statement(app, create_statement, dummy_user)
    other, _other_ids = signed_statement(app, create_statement, dummy_user)
    assert send_outbox().sent > 0
    folder = Path(app.instance_path) / "outbox"
    written = sorted(folder.glob("*.eml"))
    texts = {path: path.read_text(encoding="utf-8", errors="replace") for path in written}
    assert any("ana@zeta.example" in text for text in texts.values())
    published_days_ago(app, statement, closed=12, published=10)

    assert run_purge(runner, "--older-than", "7").exit_code == 0

    remaining = sorted(folder.glob("*.eml"))
    assert remaining and len(remaining) < len(written)  # the other statement's stay
    with app.app_context():
        others = set(
            db.session.scalars(
                select(OutboxMessage.message_id).where(OutboxMessage.statement_id == other.id)
            )
        )
    assert {eml_name(message_id) for message_id in others} == {p.stem for p in remaining}
