"""Statements in and out of statement files (`signon import` / `signon export`)."""

from __future__ import annotations

from sqlalchemy import delete, select

from ..accounts.models import User
from ..audit.models import record, user_actor
from ..columns import utcnow
from ..extensions import db
from ..signatures.consent import consents_exist
from ..signatures.models import (
    SignatoryKind,
    Signature,
    SignatureSource,
    SignatureState,
)
from ..signatures.names import name_key
from ..signatures.ordering import renumber
from ..signatures.reconfirm import request_reconfirmations
from ..statements.files import Signatory, StatementFile
from ..statements.models import ChangeKind, SignatoryOrder, Statement, Status
from ..statements.service import (
    StatementError,
    create_statement,
    save_version,
    slugify,
    unique_slug,
)
from ..text import canonical_text, clean_line


def import_statement(
    source: StatementFile, *, owner: User | None = None, change: ChangeKind | None = None
) -> Statement:
    """Create a statement from a file, or add a version to the one with its slug.

    The file's signatory list replaces the signatures an earlier import of the same
    slug brought in; signatures collected through signon itself are kept, and as
    on the edit page a new text then needs `change` (minor or substantive: the
    signers of a substantive change are asked to re-confirm). A published
    statement's text cannot change. Not committed; raises StatementError.
    """
    statement = None
    if source.slug:
        statement = db.session.scalar(select(Statement).where(Statement.slug == source.slug))
    if statement is None:
        slug = source.slug or unique_slug(slugify(source.title))
        statement = create_statement(
            title=source.title,
            body=source.body,
            language=source.language,
            owner=owner,
            slug=slug,
            note="Imported from a statement file",
        )
    else:
        _import_version(statement, source, owner=owner, change=change)
        db.session.execute(
            delete(Signature).where(
                Signature.statement_id == statement.id,
                Signature.source == SignatureSource.IMPORT,
            )
        )
    statement.language = source.language
    statement.date = source.date
    statement.signatory_order = SignatoryOrder(source.signatory_order)
    statement.signatories_intro = source.signatories_intro
    statement.lead_organisations = "\n".join(source.lead_organisations)
    version = statement.current_version
    now = utcnow()
    # The file's order is the agreed order: its entries come first, and whatever
    # signon collected itself (signatures, invitations) follows in its own order.
    renumber(statement, start=len(source.signatories) + 1)
    for position, signatory in enumerate(source.signatories, start=1):
        db.session.add(
            Signature(
                statement=statement,
                version=version,
                text_sha256=version.sha256,
                source=SignatureSource.IMPORT,
                state=SignatureState.SIGNED,
                position=position,
                name=signatory.name,
                acronym=signatory.acronym,
                country=signatory.country,
                website=signatory.website,
                note=signatory.note,
                kind=SignatoryKind(signatory.kind),
                listed_publicly=not signatory.anonymous,
                name_key=name_key(signatory.name),
                signed_at=now,
                updated_at=now,
            )
        )
    db.session.flush()
    if statement.current_version is not None and change is ChangeKind.SUBSTANTIVE:
        request_reconfirmations(statement, actor=owner or IMPORT_ACTOR)
    return statement


IMPORT_ACTOR = "signon import (command line)"


def _import_version(
    statement: Statement, source: StatementFile, *, owner: User | None, change: ChangeKind | None
):
    """The file's text as the statement's next version, if it differs."""
    current = statement.current_version
    if current is not None and (current.title, current.body) == (
        clean_line(source.title),
        canonical_text(source.body),
    ):
        return None
    if statement.status is Status.PUBLISHED:
        raise StatementError("the statement is published: its text can no longer change")
    kept = consents_exist(statement, excluding=SignatureSource.IMPORT)
    if kept and change is None:
        raise StatementError(
            "people have signed this statement through signon: say whether the new text "
            "is a minor change (--change minor: their signatures carry over) or a "
            "substantive one (--change substantive: they are asked to confirm it)"
        )
    version = save_version(
        statement,
        title=source.title,
        body=source.body,
        author=owner,
        note="Imported from a statement file",
        kind=change if kept else None,
    )
    if version is not None:
        record(
            statement.id,
            user_actor(owner) if owner else IMPORT_ACTOR,
            "version saved",
            version=version.number,
            kind=version.change_kind.value,
            note=version.note,
        )
    return version


def export_statement(statement: Statement) -> StatementFile:
    """The statement as a statement file: current text and signed signatories."""
    signatures = db.session.scalars(
        select(Signature)
        .where(Signature.statement_id == statement.id, Signature.state == SignatureState.SIGNED)
        # The agreed order: the file's list order is what `as-listed` prints.
        .order_by(Signature.position, Signature.id)
    )
    return StatementFile(
        title=statement.title,
        body=statement.body,
        language=statement.language,
        slug=statement.slug,
        date=statement.date,
        signatory_order=statement.signatory_order.value,
        signatories_intro=statement.signatories_intro,
        lead_organisations=statement.lead_organisation_names,
        signatories=[
            Signatory(
                name=s.name,
                acronym=s.acronym,
                country=s.country,
                website=s.website,
                note=s.note,
                kind=s.kind.value,
                anonymous=not s.listed_publicly,
            )
            for s in signatures
        ],
    )
