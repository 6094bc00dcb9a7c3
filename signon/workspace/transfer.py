"""Statements in and out of statement files (`signon import` / `signon export`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import delete, select

from ..accounts.models import User
from ..columns import utcnow
from ..extensions import db
from ..signatory_fields import FILE_FIELDS, SignatoryEntry, entry_values
from ..signatures.consent import consents_exist
from ..signatures.models import (
    SignatoryKind,
    Signature,
    SignatureSource,
    SignatureState,
)
from ..signatures.names import name_key
from ..signatures.ordering import renumber
from ..statements.files import StatementFile
from ..statements.models import ChangeKind, SignatoryOrder, Statement, Status
from ..statements.service import (
    StatementError,
    create_statement,
    slugify,
    unique_slug,
    version_by_number,
)
from ..statements.translation_files import TranslationFile
from ..text import canonical_text, clean_line
from .editing import save_next_version
from .translating import save_translation_text


def import_statement(
    source: StatementFile,
    *,
    owner: User | None = None,
    change: ChangeKind | None = None,
    translations: Sequence[TranslationFile] = (),
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
        kind = _new_text_kind(statement, source, change)
        # The file's list replaces what earlier imports brought in, before the new
        # text asks anyone to confirm it.
        db.session.execute(
            delete(Signature).where(
                Signature.statement_id == statement.id,
                Signature.source == SignatureSource.IMPORT,
            )
        )
        if kind is not False:
            save_next_version(
                statement,
                title=source.title,
                body=source.body,
                author=owner,
                actor=owner or IMPORT_ACTOR,
                note="Imported from a statement file",
                kind=kind,
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
                **entry_values(signatory, FILE_FIELDS),
                kind=SignatoryKind(signatory.kind),
                listed_publicly=signatory.listed_publicly,
                name_key=name_key(signatory.name),
                signed_at=now,
                updated_at=now,
            )
        )
    db.session.flush()
    for translation in translations:
        _import_translation(statement, translation, owner)
    return statement


def _import_translation(statement: Statement, source: TranslationFile, owner) -> None:
    """A translation file's text as the translation's next version; a master version
    that the statement does not have is refused with the file's line."""
    if version_by_number(statement, source.translates) is None:
        where = f"{source.name}:{source.translates_line}" if source.translates_line else source.name
        raise StatementError(
            f"{where}: 'translates' names version {source.translates} of the text, which "
            f"the statement does not have (its versions: 1 to "
            f"{statement.current_version.number}). Nothing was imported."
        )
    save_translation_text(
        statement,
        language=source.language,
        title=source.title,
        body=source.body,
        intro=source.signatories_intro,
        master_number=source.translates,
        note="Imported from a statement file",
        actor=owner or IMPORT_ACTOR,
    )


def export_translations(statement: Statement) -> list[TranslationFile]:
    """The latest version of each translation not dropped, as translation files."""
    files = []
    for translation in statement.translations:
        latest = translation.latest
        if latest is None or translation.dropped_at is not None:
            continue
        files.append(
            TranslationFile(
                translation.language,
                latest.title,
                latest.body,
                latest.master_version.number,
                latest.intro,
            )
        )
    return files


IMPORT_ACTOR = "signon import (command line)"


def _new_text_kind(
    statement: Statement, source: StatementFile, change: ChangeKind | None
) -> ChangeKind | Literal[False] | None:
    """The change kind to save the file's text with (None: no signer to ask, so
    the kind is the default), or False when the text is the current one. Raises
    StatementError when the text may not change, or the kind is needed and missing."""
    current = statement.current_version
    if current is not None and (current.title, current.body) == (
        clean_line(source.title),
        canonical_text(source.body),
    ):
        return False
    if statement.status is Status.PUBLISHED:
        raise StatementError("the statement is published: its text can no longer change")
    kept = consents_exist(statement, excluding=SignatureSource.IMPORT)
    if kept and change is None:
        raise StatementError(
            "people have signed this statement through signon: say whether the new text "
            "is a minor change (--change minor: their signatures carry over) or a "
            "substantive one (--change substantive: they are asked to confirm it)"
        )
    return change if kept else None


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
            SignatoryEntry(
                **entry_values(s, FILE_FIELDS),
                kind=s.kind.value,
                listed_publicly=s.listed_publicly,
            )
            for s in signatures
        ],
    )
