"""No mailbox is flooded through signon: at most MAIL_PER_RECIPIENT_PER_HOUR emails
reach one address in an hour, from all statements together (issue 10, point 5).

The attack: the open call's form submitted again and again with someone's address
sent them a verification each time (9 to one address), and the sign form's contact
email mailed its confirmation to any address given (77 to one). The pages answer
as before, so the limit reveals nothing; the outbox holds no more than the limit.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from signon.columns import utcnow
from signon.extensions import db
from signon.mail.compose import recipient_key
from signon.mail.models import OutboxMessage

from .sign_on_steps import open_for_signing
from .test_open_call import submit

VICTIM = "victim@ngo.example"


def mail_to(app, key: str = VICTIM) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient_key == recipient_key(key))
        )


def test_the_open_call_sends_one_address_at_most_five_emails_an_hour(app, dummy_statement):
    open_for_signing(app, dummy_statement, open_call=True)

    answers = [submit(app, dummy_statement.slug, contact_email=VICTIM)[0] for _ in range(9)]

    assert {a.status_code for a in answers} == {303}  # the same answer every time
    assert mail_to(app) == 5


def test_one_limit_across_statements_and_spellings_of_the_address(
    app, create_statement, dummy_statement
):
    other = create_statement(title="Another statement")
    open_for_signing(app, dummy_statement, open_call=True)
    open_for_signing(app, other, open_call=True)
    spellings = ["victim@ngo.example", "Victim@NGO.example", "victim+1@ngo.example"]

    for number in range(8):
        statement = (dummy_statement, other)[number % 2]
        submit(app, statement.slug, contact_email=spellings[number % 3], name=f"Org {number}")

    assert mail_to(app) == 5
    assert recipient_key("Victim+flood@NGO.example") == "victim@ngo.example"


def test_mail_older_than_an_hour_no_longer_counts(app, dummy_statement):
    open_for_signing(app, dummy_statement, open_call=True)
    for _ in range(5):
        submit(app, dummy_statement.slug, contact_email=VICTIM)
    with app.app_context():  # what the clock would do: the five are an hour old
        db.session.execute(
            update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=61))
        )
        db.session.commit()

    submit(app, dummy_statement.slug, contact_email=VICTIM)

    assert mail_to(app) == 6


@pytest.mark.parametrize(("limit", "expected"), [(0, 9), (2, 2)])
def test_the_limit_is_a_setting(app, dummy_statement, limit, expected):
    app.config["MAIL_PER_RECIPIENT_PER_HOUR"] = limit  # read when each mail is queued
    open_for_signing(app, dummy_statement, open_call=True)

    for _ in range(9):
        submit(app, dummy_statement.slug, contact_email=VICTIM)

    assert mail_to(app) == expected
