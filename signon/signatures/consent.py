"""Whose consent covers the statement's current text: a signed signature whose version is
at or above the consent floor (the statement's latest version that was not a minor
change); for a signer who read a translation, a version of that translation at or
above its own floor, while the translation is current. See docs/architecture.md,
The consent rule, and statements/translations.py.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select

from ..extensions import db
from ..statements.models import Statement, Version
from ..statements.translations import is_current, master_floor, reader_floor, translations_of
from .models import LIVE_STATES, Signature, SignatureSource, SignatureState


class ConsentFloor(int):
    """The master's floor (an int, as before translations), and the translation
    versions whose readers' consent covers the current text."""

    translations: frozenset[int]

    def __new__(cls, master: int, translations: frozenset[int] = frozenset()):
        floor = super().__new__(cls, master)
        floor.translations = translations
        return floor


def consent_floor(statement: Statement) -> ConsentFloor:
    """The number of the latest version that was not a minor change (1 if none),
    with the translation versions that count as consent to the current text."""
    floor = master_floor(statement)
    covered = frozenset(
        version.id
        for translation in translations_of(statement)
        if is_current(translation.latest, floor)
        for version in translation.versions
        if version.number >= reader_floor(translation)
    )
    return ConsentFloor(floor, covered)


def consented_number(signature: Signature) -> int:
    return signature.version.number if signature.version is not None else 0


def waits_for_translation(signature: Signature, floor: ConsentFloor) -> bool:
    """A reader of a translation that the master's text has left behind."""
    read = signature.translation_version
    return read is not None and not is_current(read.translation.latest, floor)


def covers_current(signature: Signature, floor: int) -> bool:
    """True when the signature's consent covers the current text (see the module)."""
    if signature.translation_version_id is not None:
        return signature.translation_version_id in getattr(floor, "translations", ())
    return consented_number(signature) >= floor


def needs_reconfirmation(signature: Signature, floor: int) -> bool:
    return signature.state is SignatureState.SIGNED and not covers_current(signature, floor)


def is_listed(signature: Signature, floor: int) -> bool:
    """Does the final list print this signature (named or counted)? The same rule
    as in_final_list, for a signature already loaded."""
    return signature.state is SignatureState.SIGNED and covers_current(signature, floor)


def covered_clause(statement: Statement, floor: int | None = None) -> ColumnElement[bool]:
    """SQL: the signature's consent covers the current text (joins nothing; uses a
    subquery on versions)."""
    floor = consent_floor(statement) if floor is None else floor
    covered_versions = select(Version.id).where(
        Version.statement_id == statement.id, Version.number >= floor
    )
    master_readers = and_(
        Signature.translation_version_id.is_(None), Signature.version_id.in_(covered_versions)
    )
    covered_translations = sorted(getattr(floor, "translations", ()))
    if not covered_translations:
        return master_readers
    return or_(master_readers, Signature.translation_version_id.in_(covered_translations))


def in_final_list(statement: Statement, floor: int | None = None) -> ColumnElement[bool]:
    """SQL: signatures of the statement that the final documents list."""
    return and_(
        Signature.statement_id == statement.id,
        Signature.state == SignatureState.SIGNED,
        covered_clause(statement, floor),
    )


def listed_count(statement: Statement) -> int:
    """How many signatures the final documents list (named or counted)."""
    return db.session.scalar(select(func.count()).where(in_final_list(statement)))


def awaiting_reconfirmation(statement: Statement, floor: int | None = None) -> list[Signature]:
    """Signed signatures whose consent does not cover the current text."""
    floor = consent_floor(statement) if floor is None else floor
    return list(
        db.session.scalars(
            select(Signature)
            .where(
                Signature.statement_id == statement.id,
                Signature.state == SignatureState.SIGNED,
                or_(Signature.version_id.is_(None), ~covered_clause(statement, floor)),
            )
            .order_by(Signature.id)
        )
    )


def consents_exist(statement: Statement, *, excluding: SignatureSource | None = None) -> bool:
    """True when some signature holds (or awaits) consent to a version: then every
    new version must say whether it is a minor or a substantive change.
    `excluding` leaves out the signatures of one source (a re-import replaces its own)."""
    query = select(Signature.id).where(
        Signature.statement_id == statement.id,
        Signature.state.in_(LIVE_STATES),
    )
    if excluding is not None:
        query = query.where(Signature.source != excluding)
    return db.session.scalar(query.limit(1)) is not None


def most_consented_version(statement: Statement) -> Version | None:
    """The version most signed signatures consented to (the newer on a tie)."""
    row = db.session.execute(
        select(Signature.version_id, func.count())
        .where(
            Signature.statement_id == statement.id,
            Signature.state == SignatureState.SIGNED,
            Signature.version_id.is_not(None),
        )
        .group_by(Signature.version_id)
        .order_by(func.count().desc(), Signature.version_id.desc())
        .limit(1)
    ).first()
    return db.session.get(Version, row[0]) if row else None
