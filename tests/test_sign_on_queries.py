"""The work a sign-on costs the database, counted: the statements the sign page
(GET) and the signing (POST) send. A deterministic guard for the server's cost
per sign-on, which `make bench` (tests/bench/signon_bench.py) times."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from signon.extensions import db

from .mail_support import invite, link_for, open_for_signing
from .sign_on_steps import sign_form
from .support import csrf_token_in

# Transaction control is not work: BEGIN (SQLite's BEGIN IMMEDIATE) and, on
# PostgreSQL, the savepoint that settles two concurrent first sign-ons.
CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def statements_sent(app):
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(CONTROL):
            sent.append(statement.split(None, 1)[0].upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield sent
    event.remove(engine, "before_cursor_execute", note)


def test_a_partner_signing_costs_two_reads_for_the_page_and_eight_statements_to_sign(
    app, dummy_user, dummy_statement, statements_sent
):
    open_for_signing(app, dummy_statement.id)
    (invitation_id,) = invite(app, dummy_statement.id, dummy_user.id, "Article 19, a@a19.example")
    path = link_for(app, invitation_id).removeprefix("http://signon.test") + "/sign"
    partner = app.test_client()

    statements_sent.clear()
    page = partner.get(path)
    reads = list(statements_sent)
    statements_sent.clear()
    signed = partner.post(
        path,
        data={
            **sign_form(contact_email="a@a19.example"),  # the invitation's own address
            "csrf_token": csrf_token_in(page.get_data(as_text=True)),
        },
    )
    writes = list(statements_sent)

    assert page.status_code == 200 and signed.status_code == 303
    # The invitation with its statement and text in one read, then the signature.
    assert reads == ["SELECT", "SELECT"], reads
    # The same two reads; the list revision; the invitation's times; the signature;
    # the confirmation (after the per-recipient count) and its audit row.
    assert sorted(writes) == sorted(
        ["SELECT", "SELECT", "UPDATE", "UPDATE", "INSERT", "SELECT", "INSERT", "INSERT"]
    ), writes
