"""Steps the sign-on tests share: opening a statement, inviting, a partner signing.

Everything goes through our own services or routes; nothing is faked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from signon.accounts.models import User
from signon.columns import utcnow
from signon.extensions import db
from signon.mail.models import OutboxMessage
from signon.signatures.invitations.service import InvitationRow, add_invitations
from signon.signatures.links import invitation_link
from signon.signatures.models import Signature
from signon.statements.lifecycle import open_for_signatures
from signon.statements.models import SignatoryOrder, Statement

from .support import Web, csrf_token_in, input_value

BASE_URL = "http://signon.test"


def open_statement(web, slug, **fields):
    """The lead opens the statement through its form (logged in as `web`)."""
    data = {
        "time_zone": "Europe/Paris",
        "signatories_intro": "Signed by:",
        "signatory_order": "alphabetical",
        "link_grace_hours": "0",
        **fields,
    }
    response = web.post(f"/statements/{slug}/open", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def invite(web, slug, rows: str):
    """Paste a list, check it, confirm it: the team's two steps."""
    page = web.post(f"/statements/{slug}/invitations/check", {"rows": rows})
    assert page.status_code == 200, page.get_data(as_text=True)
    checked = input_value(page.get_data(as_text=True), "rows")
    return web.post(f"/statements/{slug}/invitations/confirm", {"rows": checked})


def open_for_signing(
    app, statement, *, open_call=False, order="alphabetical", grace_hours=0, days=30, intro=None
):
    """Open a statement through the lifecycle service, deadline `days` ahead."""
    with app.test_request_context():
        record = db.session.get(Statement, statement.id)
        open_for_signatures(
            record,
            deadline=utcnow() + timedelta(days=days),
            time_zone="Europe/Paris",
            signatories_intro="Signed by:" if intro is None else intro,
            signatory_order=SignatoryOrder(order),
            link_grace_hours=grace_hours,
            open_call=open_call,
        )
        db.session.commit()


def invite_partners(app, statement, partners, *, by) -> list[str]:
    """Invitations through the service; returns each one's link path (/i/<token>)."""
    with app.test_request_context():
        rows = [
            InvitationRow(line, organisation, email)
            for line, (organisation, email) in enumerate(partners, 1)
        ]
        created = add_invitations(
            db.session.get(Statement, statement.id), rows, actor=db.session.get(User, by.id)
        )
        db.session.commit()
        return [invitation_link(i).removeprefix(BASE_URL) for i in created]


def move_deadline_into_the_past(app, statement) -> None:
    """As if the deadline had passed: what the clock would do, written directly."""
    with app.app_context():
        record = db.session.get(Statement, statement.id)
        record.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()


def sign_form(**overrides) -> dict:
    """A complete, valid sign-on form."""
    data = {
        "name": "Article 19",
        "acronym": "A19",
        "country": "United Kingdom",
        "website": "https://www.article19.example",
        "note": "",
        "kind": "organisation",
        "listed_publicly": "y",
        "authorised_by": "Ana Pérez",
        "authoriser_title": "Director",
        "contact_email": "ana@a19.example",
        "authorised": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def partner(app, page_path: str) -> Web:
    """A fresh browser-like client for a signer, its CSRF token taken from `page_path`."""
    web = Web(app.test_client())
    page = web.get(page_path)
    assert page.status_code == 200, page.get_data(as_text=True)
    web._token = csrf_token_in(page.get_data(as_text=True))
    return web


def count_signatures(app, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Signature)
        for column, value in where.items():
            query = query.where(getattr(Signature, column) == value)
        return db.session.scalar(query)


def outbox_kinds(app) -> list[str]:
    """The kinds of mail queued so far, oldest first."""
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))
