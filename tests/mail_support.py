"""Helpers for the mail and outbox tests: real services, real rows, plain results."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select, update

from signon.accounts.models import User
from signon.columns import utcnow
from signon.extensions import db
from signon.mail.models import MailState, OutboxMessage
from signon.signatures.invitations.service import add_invitations, check_list
from signon.signatures.links import invitation_link
from signon.signatures.models import Invitation
from signon.statements.models import Statement

from . import sign_on_steps as steps
from .support import csrf_token_in

# The complete form without the optional country, website and note.
SIGNATURE_FORM = steps.sign_form(country=None, website=None, note=None)


def open_for_signing(app, statement_id: int, *, open_call: bool = False) -> None:
    """The statement takes signatures (through the lifecycle service, committed)."""
    steps.open_for_signing(app, SimpleNamespace(id=statement_id), open_call=open_call)


def invite(app, statement_id: int, actor_id: int, rows: str) -> list[int]:
    """Check and send a pasted list through the invitation service; the new ids."""
    with app.app_context():
        statement = db.session.get(Statement, statement_id)
        checked = check_list(statement, rows)
        assert not checked.problems, checked.problems
        created = add_invitations(statement, checked.rows, actor=db.session.get(User, actor_id))
        db.session.commit()
        return [invitation.id for invitation in created]


def link_for(app, invitation_id: int) -> str:
    """The invitation's link as its email carries it."""
    with app.app_context():
        return invitation_link(db.session.get(Invitation, invitation_id))


def sign_through_link(client, link: str, base_url: str = "http://signon.test", **fields):
    """A partner opens the link and signs with the web form; the final response."""
    path = link.removeprefix(base_url)
    form_page = client.get(path + "/sign")
    assert form_page.status_code == 200, form_page.get_data(as_text=True)
    data = {
        **SIGNATURE_FORM,
        **fields,
        "csrf_token": csrf_token_in(form_page.get_data(as_text=True)),
    }
    return client.post(path + "/sign", data=data)


def outbox(app, **where) -> list[OutboxMessage]:
    """Every outbox row (detached, attributes loaded), oldest first."""
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(rows)


def make_due(app) -> None:
    """Every pending row becomes due now, as if its backoff had passed."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == MailState.PENDING)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
