"""Turning a link's token into its record, or into the right page for a bad link."""

from __future__ import annotations

from datetime import timedelta

from flask import g, make_response, render_template
from sqlalchemy.orm import joinedload

from ...columns import utcnow
from ...locale_choice import use_statement_language
from ...statements.lifecycle import deadline_in_zone, status_now
from ...statements.models import Statement, Status
from ...tokens import Purpose, record_for
from ..links import contact_nonce
from ..models import Invitation, Signature


class LinkProblem(Exception):
    """A link that cannot be used; carries the page that explains why."""

    def __init__(self, status: int, kind: str, statement=None):
        self.status, self.kind, self.statement = status, kind, statement


def link_problem_page(problem: LinkProblem):
    """The page for a bad link: invalid (400), expired or revoked (410), closed (410).

    Its URL holds the token, so the page keeps it out of Referer headers and
    caches itself, whichever blueprint or handler serves it.
    """
    statement = problem.statement
    response = make_response(
        render_template(
            "signer/link_problem.html",
            kind=problem.kind,
            statement=statement,
            deadline=deadline_in_zone(statement) if statement else None,
        ),
        problem.status,
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _load(purpose: Purpose, token: str, model):
    # Every page of a link shows its statement and the text: one query, not three.
    options = [
        joinedload(model.statement).joinedload(Statement.current_version),
        joinedload(model.statement).joinedload(Statement.translations),
    ]
    record, nonce = record_for(purpose, token, model, LinkProblem, options=options)
    # The language and title the link's reader reads the statement in (signer pages).
    use_statement_language(record.read_language)
    g.signon_title_read = record.read_title
    return record, nonce


def invitation_from(token: str, *, for_signing: bool = True) -> Invitation:
    """The invitation a link points at, still valid, of a statement taking signatures."""
    invitation, nonce = _load(Purpose.INVITE, token, Invitation)
    statement = invitation.statement
    if invitation.revoked_at is not None:
        raise LinkProblem(410, "revoked", statement)
    if nonce != invitation.nonce:
        raise LinkProblem(410, "replaced", statement)
    if statement.deadline is not None:
        grace = timedelta(hours=statement.link_grace_hours)
        if utcnow() > statement.deadline + grace:
            raise LinkProblem(410, "expired", statement)
    if for_signing and status_now(statement) is not Status.OPEN:
        raise LinkProblem(410, "closed", statement)
    return invitation


def contact_signature_from(token: str) -> Signature:
    """The signature a contact-confirmation link points at, while its contact is
    still the address the link was sent to."""
    signature, nonce = _load(Purpose.CONFIRM_CONTACT, token, Signature)
    if nonce != contact_nonce(signature):
        raise LinkProblem(410, "replaced", signature.statement)
    return signature


def signature_from(token: str, purpose: Purpose) -> Signature:
    """The signature a manage or verify link points at."""
    signature, nonce = _load(purpose, token, Signature)
    if nonce != signature.nonce:
        raise LinkProblem(410, "replaced", signature.statement)
    return signature
