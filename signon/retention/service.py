"""Purging signers' contact data once a statement no longer needs it.

See docs/architecture.md, Purging contact data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from ..audit.models import record
from ..columns import utcnow
from ..extensions import db
from ..mail.models import MailState, OutboxMessage
from ..mail.senders import eml_path
from ..signatory_fields import CONTACT_FIELDS
from ..signatures.models import Invitation, Signature
from ..statements.lifecycle import settle_status, status_now
from ..statements.models import Statement, Status
from ..tokens import new_nonce

PLACEHOLDER_DOMAIN = "contacts-purged.invalid"
# The longest age the command accepts: a century, well inside datetime's range.
MAX_DAYS = 36500
COMMAND_LINE_ACTOR = "signon purge-contacts (command line)"


class RetentionError(ValueError):
    """A purge that cannot be done now, with a message for people."""


@dataclass(frozen=True)
class ContactData:
    """How much contact data a statement holds (or held, for a finished purge)."""

    signatures: int  # signatures with a contact email, authoriser name or title
    invitations: int  # invitations with a real address or a contact name
    mail: int  # outbox rows of the statement with a recipient, sent or not

    @property
    def empty(self) -> bool:
        return not (self.signatures or self.invitations or self.mail)

    def __str__(self) -> str:
        return (
            f"{_count(self.signatures, 'signature')}, "
            f"{_count(self.invitations, 'invitation')}, "
            f"{_count(self.mail, 'email')} in the outbox"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def placeholder_email(invitation: Invitation) -> str:
    """What a purged invitation's address becomes: distinct per row, never deliverable."""
    return f"invitation-{invitation.id}@{PLACEHOLDER_DOMAIN}"


def ended_at(statement: Statement, now: datetime | None = None) -> datetime | None:
    """When the statement stopped needing its signers' contacts, as of `now`.

    A published statement: when it was published (its closing time where that
    was not recorded). A closed one: when it closed, by hand or by its deadline.
    None while it is a draft or open.
    """
    status = status_now(statement, now)
    if status is Status.PUBLISHED:
        return statement.published_at or statement.closed_at or statement.deadline
    if status is Status.CLOSED:
        return statement.closed_at or statement.deadline
    return None


def contact_data(statement: Statement) -> ContactData:
    """What a purge of `statement` would remove now, counted."""
    signatures = db.session.scalar(
        select(func.count())
        .select_from(Signature)
        .where(
            Signature.statement_id == statement.id,
            or_(*(getattr(Signature, name) != "" for name in CONTACT_FIELDS)),
        )
    )
    invitations = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.statement_id == statement.id,
            or_(
                ~Invitation.email.endswith("@" + PLACEHOLDER_DOMAIN),
                Invitation.contact_name != "",
            ),
        )
    )
    mail = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.statement_id == statement.id, OutboxMessage.to_address != "")
    )
    return ContactData(signatures=signatures, invitations=invitations, mail=mail)


def purge_contacts(statement: Statement, actor: str, *, now: datetime | None = None) -> ContactData:
    """Remove the contact data of a closed or published statement (not committed).

    Records a "contacts purged" audit event with the counts (never the data) and
    sets contacts_purged_at. Raises RetentionError while the statement is a
    draft or open: its team still needs to reach its signers then.
    """
    # Lock the row (PostgreSQL; SQLite writes one at a time anyway) and read its
    # status afresh, so a reopening in another request cannot slip in between.
    db.session.refresh(statement, with_for_update=True)
    settle_status(statement)
    status = status_now(statement, now)
    if status in (Status.DRAFT, Status.OPEN):
        raise RetentionError(
            f"This statement is {status.value}: its signers' contact data can be purged "
            "once it is closed or published."
        )
    removed = contact_data(statement)

    for signature in db.session.scalars(
        select(Signature).where(Signature.statement_id == statement.id)
    ):
        for name in CONTACT_FIELDS:  # the contact email, the authoriser's name and title
            setattr(signature, name, "")
        signature.contact_confirmed = ""
        signature.nonce = new_nonce()  # manage and verify links already emailed stop working
    stamp = now or utcnow()
    for invitation in db.session.scalars(
        select(Invitation).where(Invitation.statement_id == statement.id)
    ):
        invitation.email = placeholder_email(invitation)
        invitation.contact_name = ""
        invitation.nonce = new_nonce()
        if invitation.revoked_at is None:
            invitation.revoked_at = stamp  # no reminder to a purged address, ever
    _purge_outbox(statement)
    statement.contacts_purged_at = stamp
    record(
        statement.id,
        actor,
        "contacts purged",
        signatures=removed.signatures,
        invitations=removed.invitations,
        mail=removed.mail,
    )
    return removed


def _purge_outbox(statement: Statement) -> None:
    """Every outbox row of the statement loses its recipient and content, then goes,
    with the .eml copy the file backend wrote of it.

    A row a worker has claimed and may be sending right now is only emptied: the
    worker still records the outcome on it (deleting it under the worker would
    fail that bookkeeping), and an emptied row can never reach anyone.
    """
    mine = OutboxMessage.statement_id == statement.id
    # The file backend's copies (`make run`, development) go too.
    for message_id in db.session.scalars(select(OutboxMessage.message_id).where(mine)):
        if message_id:
            eml_path(current_app.instance_path, message_id).unlink(missing_ok=True)
    db.session.execute(
        update(OutboxMessage)
        .where(mine)
        .values(
            to_address="",
            recipient_key="",
            subject="",
            text_body="",
            html_body="",
            headers={},
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )
    in_flight = (OutboxMessage.state == MailState.SENDING) & (
        OutboxMessage.claimed_until > utcnow()
    )
    db.session.execute(
        delete(OutboxMessage).where(mine, ~in_flight).execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class DueStatement:
    """A statement old enough to purge: when it ended, and its contact data counted."""

    statement: Statement
    ended_at: datetime
    contacts: ContactData


def statements_due(days: int, *, now: datetime | None = None) -> list[DueStatement]:
    """Statements published or closed more than `days` days before `now` that
    still hold contact data (or were never purged), oldest first."""
    if not 0 <= days <= MAX_DAYS:
        raise RetentionError(f"DAYS must be a whole number from 0 to {MAX_DAYS}.")
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    due = []
    for statement in db.session.scalars(
        select(Statement)
        .where(Statement.status.in_((Status.OPEN, Status.CLOSED, Status.PUBLISHED)))
        .order_by(Statement.id)
    ):
        ended = ended_at(statement, now)
        if ended is None or ended >= cutoff:
            continue
        contacts = contact_data(statement)
        if statement.contacts_purged_at is not None and contacts.empty:
            continue  # purged before, and nothing came back since (say, by reopening)
        due.append(DueStatement(statement, ended, contacts))
    due.sort(key=lambda item: (item.ended_at, item.statement.id))
    return due


def purge_contacts_older_than(
    days: int, *, actor: str = COMMAND_LINE_ACTOR, now: datetime | None = None
) -> list[DueStatement]:
    """Purge every statement `statements_due` names (not committed); what was removed."""
    purged = []
    for item in statements_due(days, now=now):
        removed = purge_contacts(item.statement, actor, now=now)
        purged.append(DueStatement(item.statement, item.ended_at, removed))
    return purged
