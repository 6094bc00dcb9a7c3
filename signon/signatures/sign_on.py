"""Signing: through an invitation, through the open call, and managing a signature.

Every path ends the same way: a Signature row that records the version of the
text it consented to and that text's SHA-256, and an email queued in the same
transaction. Signing twice never tells the page anything new (e-petitions' rule):
the second attempt updates the same row (invitation) or emails the address
(open call).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..audit.models import record
from ..columns import utcnow
from ..extensions import db
from ..mail.compose import queue_mail
from ..signatory_fields import TEXT_FIELDS, SignatoryEntry, entry_values
from ..statements.lifecycle import accepts_signatures, settle_status
from ..statements.models import Statement, Status
from ..statements.translation_models import TranslationVersion
from ..tokens import new_nonce
from .links import confirm_contact_link, manage_link, verify_link
from .list_changes import list_changed
from .models import (
    LIVE_STATES,
    Invitation,
    SignatoryKind,
    Signature,
    SignatureSource,
    SignatureState,
    signer_actor,
)
from .names import name_key
from .ordering import position_after_all

UNKNOWN = object()  # sign_from_invitation: the caller did not look the signature up


class SigningClosed(Exception):
    """The statement no longer takes signatures (closed, past its deadline, published)."""


class SigningError(ValueError):
    """A signing request that cannot be carried out, with a message for people."""


# What a signer submits, already validated and normalised by the form.
SignatureInput = SignatoryEntry


def _apply(
    signature: Signature,
    data: SignatureInput,
    statement: Statement,
    *,
    consent: bool = True,
    read: TranslationVersion | None = None,
    other_names: dict[str, str] | None = None,
) -> bool:
    """Copy the input onto the signature; with `consent`, bind it to the text read:
    the current master text, or the translation `read` with the master version it
    translates. True when anything the signer sees changed."""
    before = _visible(signature)
    for name in TEXT_FIELDS:
        setattr(signature, name, getattr(data, name))
    signature.kind = SignatoryKind(data.kind)
    signature.listed_publicly = data.listed_publicly
    signature.name_key = name_key(data.name)
    if other_names is not None:
        signature.other_names = other_names
    if consent:
        with db.session.no_autoflush:  # a new signature is not ready to be flushed yet
            version = statement.current_version if read is None else read.master_version
            signature.version = version
            signature.translation_version = read
        signature.text_sha256 = version.sha256
        signature.translation_sha256 = read.sha256 if read is not None else ""
    after = _visible(signature)
    if after != before:
        signature.updated_at = utcnow()
    return after != before


def _visible(signature: Signature) -> tuple:
    # The text's SHA-256, not version_id: the foreign key only follows the
    # relationship at the next flush, so a new version would go unnoticed.
    return (
        *entry_values(signature).values(),
        signature.text_sha256,
        signature.translation_sha256,
        tuple(sorted((signature.other_names or {}).items())),
        signature.state,
    )


def _next_position(statement: Statement) -> int:
    # After every signature and invitation: a late signature goes to the end.
    return position_after_all(statement)


def _ensure_open(statement: Statement) -> None:
    settle_status(statement)
    if not accepts_signatures(statement):
        raise SigningClosed


def record_opened(invitation: Invitation) -> None:
    """The partner pressed "Read and sign" (a POST: scanners never do)."""
    if invitation.opened_at is None:
        invitation.opened_at = utcnow()


def sign_from_invitation(
    invitation: Invitation,
    data: SignatureInput,
    *,
    existing: Signature | object | None = UNKNOWN,
    read: TranslationVersion | None = None,
    other_names: dict[str, str] | None = None,
) -> Signature:
    """Create, or update, the one signature of an invitation (not committed).

    `existing` is the invitation's signature (or None) when the caller already
    looked it up. A new row is filled before its one INSERT; on PostgreSQL two
    concurrent POSTs can both get here, and the loser's INSERT (in a savepoint)
    turns into an update of the winner's row. SQLite's BEGIN IMMEDIATE already
    serialises them, so it needs no savepoint.
    """
    statement = invitation.statement
    _ensure_open(statement)
    signature = _signature_of(invitation) if existing is UNKNOWN else existing
    contact_before = signature.contact_email if signature is not None else None
    was_signed = signature is not None and signature.state is SignatureState.SIGNED
    was_withdrawn = signature is not None and signature.state is SignatureState.WITHDRAWN
    changed = True
    if signature is None:
        signature = Signature(
            statement_id=statement.id,
            invitation_id=invitation.id,
            source=SignatureSource.INVITATION,
            state=SignatureState.SIGNED,
            nonce=new_nonce(),
            # The invitation's place in the agreed order, whenever they sign.
            position=invitation.position or _next_position(statement),
        )
        _apply(signature, data, statement, read=read, other_names=other_names)
        try:
            if db.session.get_bind().dialect.name == "sqlite":
                db.session.add(signature)
                db.session.flush()  # its id goes into the links mailed below
            else:
                with db.session.begin_nested():
                    db.session.add(signature)
        except IntegrityError:
            signature = _signature_of(invitation)
            if signature is None:
                raise
            was_signed = signature.state is SignatureState.SIGNED
            changed = _apply(signature, data, statement, read=read, other_names=other_names)
    else:
        changed = _apply(signature, data, statement, read=read, other_names=other_names)
    signature.state = SignatureState.SIGNED
    if was_withdrawn:
        signature.withdrawn_at = None
    record_opened(invitation)
    invitation.responded_at = utcnow()
    if changed or not was_signed:
        # To the address the invitation reached, or a contact that confirmed
        # itself: never to whatever address was typed into the form.
        proven = signature.contact_is_proven(invitation.email)
        queue_mail(
            "confirmation",
            signature.contact_email if proven else invitation.email,
            statement_id=statement.id,
            statement=statement,
            signature=signature,
            link=manage_link(signature),
        )
        record(
            statement.id,
            f"signer via invitation {invitation.id}",
            "signature restored" if was_withdrawn else "signature saved",
            signature=signature.id,
            version=statement.current_version.number,
        )
    if signature.contact_email != contact_before:
        ask_contact_to_confirm(signature, invitation.email)
    return signature


def ask_contact_to_confirm(signature: Signature, invitation_email: str = "") -> None:
    """Email a contact address that has not shown it is the signer's a link to
    confirm it (not committed); until it does, mail about the signature goes to
    the invitation's address. Nothing to do for a proven or empty contact."""
    if signature.contact_email and not signature.contact_is_proven(invitation_email):
        queue_mail(
            "confirm_contact",
            signature.contact_email,
            statement_id=signature.statement_id,
            statement=signature.statement,
            signature=signature,
            link=confirm_contact_link(signature),
        )


def confirm_contact(signature: Signature) -> None:
    """The contact address followed its link: mail goes to it now (not committed)."""
    if signature.contact_confirmed == signature.contact_email.lower():
        return
    signature.contact_confirmed = signature.contact_email.lower()
    record(
        signature.statement_id, signer_actor(signature), "contact confirmed", signature=signature.id
    )


def _signature_of(invitation: Invitation) -> Signature | None:
    return db.session.scalar(select(Signature).where(Signature.invitation_id == invitation.id))


def update_signature(signature: Signature, data: SignatureInput) -> bool:
    """The signer changes their entry through the manage link (not committed).

    The authorisation given when signing stays: `data` carries the authoriser's
    name and title as the pre-filled form sent them back, and nothing asks for
    the authorisation tick again. A withdrawn signer signs again with `sign_again`."""
    statement = signature.statement
    if statement.status is Status.PUBLISHED:
        raise SigningError(
            _("The statement is published; ask its organisers to change your entry.")
        )
    if signature.state is not SignatureState.SIGNED:
        raise SigningError(_("This signature is not active, so it cannot be changed."))
    _ensure_open(statement)
    # Consent stays with the version signed: changing an acronym is not agreeing to
    # a text rewritten since. Re-signing the new text is its own, explicit step.
    contact_before = signature.contact_email
    changed = _apply(signature, data, statement, consent=False)
    if signature.contact_email != contact_before:
        ask_contact_to_confirm(signature)
    if changed:
        record(
            statement.id,
            signer_actor(signature),
            "signature updated by signer",
            signature=signature.id,
        )
    return changed


def sign_again(
    signature: Signature, data: SignatureInput, *, read: TranslationVersion | None = None
) -> None:
    """A withdrawn signer signs again from their manage link (not committed): the
    signature is restored, bound to the current text, confirmed by email.

    Only while signing is open: after publication a withdrawal is final here, and
    the organisers decide about late signatures."""
    statement = signature.statement
    if signature.state is not SignatureState.WITHDRAWN:
        raise SigningError(_("This signature is not withdrawn, so there is nothing to restore."))
    _ensure_open(statement)
    contact_before = signature.contact_email
    _apply(signature, data, statement, read=read)
    if signature.contact_email != contact_before:
        ask_contact_to_confirm(signature)
    signature.state = SignatureState.SIGNED
    signature.withdrawn_at = None
    signature.updated_at = utcnow()
    to = signature.reply_address
    if to:
        queue_mail(
            "confirmation",
            to,
            statement_id=statement.id,
            statement=statement,
            signature=signature,
            link=manage_link(signature),
        )
    record(
        statement.id,
        signer_actor(signature),
        "signature restored",
        signature=signature.id,
        version=statement.current_version.number,
    )


def withdraw(signature: Signature) -> None:
    """The signer takes their name off the statement (not committed). After
    publication too: a signer at risk must be able to; the published list then
    gets a new edition without them. While signing is open the email carries the
    manage link, from which they can sign again."""
    if signature.state is SignatureState.WITHDRAWN:
        return
    if signature.state is SignatureState.REJECTED:
        raise SigningError(
            _("The organisers did not accept this signature: it is not on the list.")
        )
    signature.state = SignatureState.WITHDRAWN
    signature.withdrawn_at = utcnow()
    to = signature.reply_address
    if to:
        statement = signature.statement
        queue_mail(
            "withdrawn",
            to,
            statement_id=signature.statement_id,
            statement=statement,
            signature=signature,
            link=manage_link(signature) if accepts_signatures(statement) else "",
        )
    record(
        signature.statement_id,
        signer_actor(signature),
        "signature withdrawn",
        signature=signature.id,
    )
    list_changed(signature.statement, signer_actor(signature), "signature withdrawn")


def submit_open_call(
    statement: Statement, data: SignatureInput, *, read: TranslationVersion | None = None
) -> Signature | None:
    """A public submission: unverified until its email is confirmed (not committed).

    When the email already signed, or the organisation is on the public list,
    that address gets an email and nothing is created; the page says the same
    either way.
    """
    _ensure_open(statement)
    if not statement.open_call:
        raise SigningClosed
    key = name_key(data.name)
    matches = db.session.scalars(
        select(Signature).where(
            Signature.statement_id == statement.id,
            Signature.state.in_(LIVE_STATES),
            or_(
                Signature.name_key == key,
                func.lower(Signature.contact_email) == data.contact_email.lower(),
            ),
        )
    ).all()
    same_address = next(
        (s for s in matches if _same_address(s.contact_email, data.contact_email)), None
    )
    # A match on the name alone is told only when that name is public anyway: for
    # a signer who asked not to be named, or one not yet on the list, the email
    # would tell anyone who types a name that the organisation signed. Their
    # submission goes on as a new one, which the team sees flagged as a duplicate.
    named_publicly = next(
        (
            s
            for s in matches
            if s.name_key == key and s.state is SignatureState.SIGNED and s.listed_publicly
        ),
        None,
    )
    if same_address is not None and same_address.state is SignatureState.UNVERIFIED:
        # The same person again before confirming: most likely the first email
        # got lost, so it comes again (e-petitions does the same).
        _queue_verification(same_address)
        return None
    if same_address is not None or named_publicly is not None:
        queue_mail(
            "already_signed", data.contact_email, statement_id=statement.id, statement=statement
        )
        return None
    signature = Signature(
        statement=statement,
        source=SignatureSource.OPEN_CALL,
        state=SignatureState.UNVERIFIED,
        nonce=new_nonce(),
        position=_next_position(statement),
        name=data.name,
    )
    _apply(signature, data, statement, read=read)
    db.session.add(signature)
    db.session.flush()
    _queue_verification(signature)
    return signature


def _same_address(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _queue_verification(signature: Signature) -> None:
    queue_mail(
        "verify_email",
        signature.contact_email,
        statement_id=signature.statement_id,
        statement=signature.statement,
        signature=signature,
        link=verify_link(signature),
    )


def verify_email(signature: Signature) -> None:
    """The open-call signer confirmed their address: wait for the team (idempotent)."""
    if signature.state is SignatureState.UNVERIFIED:
        signature.state = SignatureState.PENDING
        signature.verified_at = utcnow()
        signature.contact_confirmed = signature.contact_email.lower()
        record(
            signature.statement_id,
            signer_actor(signature),
            "email verified",
            signature=signature.id,
        )
