"""Re-confirmation: after a substantive change, signers whose consent no longer
covers the text are asked, by email, to confirm it for the new text or withdraw.

Asking, reminding and answering; who needs asking is consent.py's rule. The
email and the page show the changed passages (with a paragraph of context and
the editors' notes) since the version the signer consented to. Confirming names
the exact version the signer was shown: if the text changed again meanwhile,
nothing is confirmed and the page shows the newer changes instead.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..audit.models import actor_name, record, user_actor
from ..columns import utcnow
from ..database import outside_transaction
from ..extensions import db
from ..mail.compose import queue_mail
from ..statements.changes import Changes, changes_between, diff_ahead, translation_changes
from ..statements.diff_render import changes_view
from ..statements.lifecycle import status_now
from ..statements.models import Statement, Status, Version
from .consent import (
    awaiting_reconfirmation,
    consent_floor,
    covered_clause,
    covers_current,
    waits_for_translation,
)
from .links import reconfirm_link
from .models import Signature, SignatureState, signer_actor
from .team_mail import REMINDER_INTERVAL


class ReconfirmError(ValueError):
    """A re-confirmation that cannot be made now, with a message for people."""


def changes_since(signature: Signature, statement: Statement) -> Changes:
    """The changes from the signer's version to the current one: the changed
    passages with a little context, and the editors' notes in between; for a
    reader of a translation, the changes of that translation."""
    read = signature.translation_version
    if read is not None:
        return translation_changes(read, read.translation.latest)
    return changes_between(signature.version, statement.current_version)


def text_now(signature: Signature, statement: Statement):
    """The version the signer is asked to confirm: the master's current one, or the
    latest version of the translation they read."""
    read = signature.translation_version
    return read.translation.latest if read is not None else statement.current_version


def diff_emails_ahead(
    statement: Statement, *, body: str | None = None, signature: Signature | None = None
) -> None:
    """Compute, before the write lock is taken, the diffs the re-confirmation
    emails about to be written will show: from each signer's version (or only
    `signature`'s) to `body`, the canonical text about to be saved, or to the
    current text. The open transaction must hold no change yet; it ends, and
    loaded objects reload."""
    if body is None:
        body = statement.current_version.body
    query = (
        select(Version.body)
        .join(Signature, Signature.version_id == Version.id)
        .where(Signature.statement_id == statement.id)
        .distinct()
    )
    if signature is None:
        query = query.where(Signature.state == SignatureState.SIGNED)
    else:
        query = query.where(Signature.id == signature.id)
    olds = db.session.scalars(query).all()
    outside_transaction(diff_ahead, [(old, body) for old in olds if old != body])


def request_reconfirmations(statement: Statement, *, actor) -> int:
    """Ask every signer whose consent no longer covers the text (not committed).
    Called after a substantive change; returns how many were emailed. `actor` is
    a user, or how the audit trail names a command."""
    if statement.status is Status.PUBLISHED:
        return 0
    floor = consent_floor(statement)
    # A reader of a translation the master left behind waits for its update.
    waiting = [
        signature
        for signature in awaiting_reconfirmation(statement, floor)
        if not waits_for_translation(signature, floor)
    ]
    return _ask_all(statement, waiting, actor, version=statement.current_version.number)


def request_translation_reconfirmations(statement: Statement, translation, *, actor) -> int:
    """Ask the readers of `translation` whose consent no longer covers its latest
    version, in their language with its changes (not committed); how many were emailed."""
    if statement.status is Status.PUBLISHED:
        return 0
    floor = consent_floor(statement)
    ids = [version.id for version in translation.versions]
    waiting = [
        signature
        for signature in db.session.scalars(
            select(Signature)
            .where(
                Signature.statement_id == statement.id,
                Signature.state == SignatureState.SIGNED,
                Signature.translation_version_id.in_(ids),
            )
            .order_by(Signature.id)
        )
        if not covers_current(signature, floor)
    ]
    return _ask_all(
        statement,
        waiting,
        actor,
        language=translation.language,
        version=translation.latest.number,
    )


def _ask_all(statement: Statement, waiting: list[Signature], actor, **detail) -> int:
    """Ask each signer to re-confirm; one audit event names them all. How many were emailed."""
    emailed = sum(ask_to_reconfirm(signature) for signature in waiting)
    if waiting:
        record(
            statement.id,
            actor_name(actor),
            "reconfirmation requested",
            **detail,
            signatures=[s.id for s in waiting],
            emailed=emailed,
        )
    return emailed


def signers_a_substantive_change_emails(statement: Statement) -> int:
    """How many signers a substantive change would email now: after it, every
    signed signature waits for re-confirmation (the floor rises above them all),
    and request_reconfirmations writes to each whose address is still known."""
    # Readers of a translation are not among them: they wait for its update.
    signed = db.session.scalars(
        select(Signature).where(
            Signature.statement_id == statement.id,
            Signature.state == SignatureState.SIGNED,
            Signature.translation_version_id.is_(None),
        )
    )
    return sum(1 for signature in signed if signature.reply_address)


def ask_to_reconfirm(signature: Signature) -> bool:
    """Email one signer the changes and a link to confirm or withdraw (not
    committed); False when there is no address to write to."""
    signature.reconfirm_sent_at = utcnow()
    signature.reconfirm_reminded_at = None
    signature.reconfirm_reminders = 0
    return _send(signature, signature.statement, "reconfirm")


def remind_reconfirmations(statement: Statement, *, actor) -> int:
    """One reminder to each signer still to re-confirm, at most once a day per
    signer (the rule for invitations). Signers never asked yet (a signature the
    team approved after the change) get their first request. Not committed."""
    if statement.status is Status.PUBLISHED:
        raise ReconfirmError(_("The statement is published; its text can no longer be confirmed."))
    now = utcnow()
    cutoff = now - REMINDER_INTERVAL
    floor = consent_floor(statement)
    due = db.session.scalars(
        select(Signature)
        .where(
            Signature.statement_id == statement.id,
            Signature.state == SignatureState.SIGNED,
            or_(Signature.version_id.is_(None), ~covered_clause(statement, floor)),
            or_(Signature.reconfirm_sent_at.is_(None), Signature.reconfirm_sent_at <= cutoff),
            or_(
                Signature.reconfirm_reminded_at.is_(None),
                Signature.reconfirm_reminded_at <= cutoff,
            ),
        )
        .order_by(Signature.id)
        .with_for_update()
    ).all()
    sent = 0
    for signature in (s for s in due if not waits_for_translation(s, floor)):
        first = signature.reconfirm_sent_at is None
        if not _send(signature, statement, "reconfirm" if first else "reconfirm_reminder"):
            continue
        sent += 1
        if first:
            signature.reconfirm_sent_at = now
        else:
            signature.reconfirm_reminded_at = now
            signature.reconfirm_reminders += 1
    if sent:
        record(statement.id, user_actor(actor), "reconfirmation reminders sent", count=sent)
    return sent


def _send(signature: Signature, statement: Statement, template: str) -> bool:
    to = signature.reply_address
    if not to:
        return False  # imported without an address: the team sees it in the list
    changes = changes_since(signature, statement)
    queue_mail(
        template,
        to,
        statement_id=statement.id,
        invitation_id=signature.invitation_id,
        statement=statement,
        signature=signature,
        link=reconfirm_link(signature),
        old=signature.translation_version or signature.version,
        new=text_now(signature, statement),
        changes=changes_view(changes, email=True),
    )
    return True


def check_answerable(signature: Signature) -> None:
    """Raise ReconfirmError when this signature cannot confirm or withdraw here."""
    statement = signature.statement
    if status_now(statement) is Status.PUBLISHED:
        raise ReconfirmError("published")
    if signature.state is SignatureState.WITHDRAWN:
        raise ReconfirmError("withdrawn")
    if signature.state is not SignatureState.SIGNED:
        raise ReconfirmError("not-signed")


def confirm(signature: Signature, *, shown_version_id: int | None) -> bool:
    """The signer consents to the current text, the one they were shown (not
    committed). False when the text changed after the page was shown: nothing
    is confirmed then. Raises ReconfirmError (see check_answerable)."""
    check_answerable(signature)
    statement = signature.statement
    current = text_now(signature, statement)
    floor = consent_floor(statement)
    if covers_current(signature, floor):
        return True
    if waits_for_translation(signature, floor):
        raise ReconfirmError("waiting")  # nothing to confirm until it is updated
    if shown_version_id != current.id:
        return False
    previous = signature.version.number if signature.version is not None else None
    if isinstance(current, Version):
        signature.version_id = current.id
        signature.version = current
        signature.text_sha256 = current.sha256
    else:  # the latest version of the translation the signer reads
        signature.translation_version = current
        signature.translation_sha256 = current.sha256
        signature.version = current.master_version
        signature.text_sha256 = current.master_version.sha256
    signature.updated_at = utcnow()
    record(
        statement.id,
        signer_actor(signature),
        "consent confirmed",
        signature=signature.id,
        version=current.number,
        previous_version=previous,
    )
    return True
