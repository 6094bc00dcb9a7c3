"""Translations bound to the master text.

A translation version names the master version it translates. It is *current*
when that master version is at or after the master's floor, the latest version
that was not a minor change: a substantive change of the master puts every
translation out of date until a new version translates it. The first version that
catches up after such a change counts as substantive for its readers, who confirm
again in their language; a translator may also call a change of the translation
alone substantive, which asks only its readers (signatures/consent.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..columns import utcnow
from ..extensions import db
from ..languages import LANGUAGES
from ..text import canonical_text, clean_line, fingerprint
from .models import ChangeKind, Statement, Status, Version
from .service import version_by_number
from .translation_models import Translation, TranslationVersion


class TranslationError(ValueError):
    """A translation that cannot be saved; the message says why, for people."""


def master_floor(statement: Statement) -> int:
    """The number of the master's latest version that was not a minor change (1 if none)."""
    current = statement.current_version
    if current is None:
        return 1
    floor = db.session.scalar(
        select(func.max(Version.number)).where(
            Version.statement_id == statement.id,
            Version.number <= current.number,
            Version.change_kind != ChangeKind.MINOR,
        )
    )
    return floor or 1


def translations_of(statement: Statement) -> list[Translation]:
    """Its translations by language (loaded with a signer's link: no query then)."""
    return list(statement.translations)


def translation_for(statement: Statement, language: str) -> Translation | None:
    return db.session.scalar(
        select(Translation).where(
            Translation.statement_id == statement.id, Translation.language == language
        )
    )


def is_current(version: TranslationVersion | None, floor: int) -> bool:
    """Does this translation version translate the master's text as it stands?"""
    return version is not None and version.master_version.number >= floor


def reader_floor(translation: Translation) -> int:
    """The number of the translation's latest version that was not a minor change:
    its readers who read an earlier one confirm again."""
    numbers = [v.number for v in translation.versions if v.change_kind is not ChangeKind.MINOR]
    return max(numbers, default=1)


@dataclass(frozen=True)
class LanguageState:
    """A language of the statement as the team and the API see it."""

    language: str
    master: bool
    version: Version | TranslationVersion | None
    current: bool
    dropped: bool = False

    @property
    def offered(self) -> bool:
        """Offered to signers and published: the master, and current translations."""
        return self.current and not self.dropped


def language_states(statement: Statement) -> list[LanguageState]:
    """The master first, then each translation, current or out of date."""
    states = [LanguageState(statement.language, True, statement.current_version, True)]
    translations = translations_of(statement)
    if not translations:
        return states
    floor = master_floor(statement)
    for translation in translations:
        latest = translation.latest
        states.append(
            LanguageState(
                translation.language,
                False,
                latest,
                is_current(latest, floor),
                dropped=translation.dropped_at is not None,
            )
        )
    return states


def offered_languages(statement: Statement) -> list[str]:
    return [state.language for state in language_states(statement) if state.offered]


def save_translation(
    statement: Statement,
    *,
    language: str,
    title: str,
    body: str,
    intro: str = "",
    master_number: int | None = None,
    translator=None,
    note: str = "",
    kind: ChangeKind | None = None,
) -> TranslationVersion | None:
    """The translation's next version (not committed), or None when nothing changed.

    `master_number` names the master version translated (default: the current one).
    Raises TranslationError for a language that is not one, the master's own, or a
    master version that does not exist."""
    if statement.status is Status.PUBLISHED:
        raise TranslationError(_("The statement is published: its texts can no longer change."))
    if language not in LANGUAGES:
        raise TranslationError(_("Choose a language from the list."))
    if language == statement.language:
        raise TranslationError(_("This is the statement's own language: edit the text instead."))
    current = statement.current_version
    master = current if master_number is None else version_by_number(statement, master_number)
    if master is None:
        raise TranslationError(
            _("Version %(number)s of the text does not exist.", number=master_number)
        )
    title, body, intro = clean_line(title), canonical_text(body), clean_line(intro)
    if not title or not body.strip():
        raise TranslationError(_("A translation needs a title and a text."))
    translation = translation_for(statement, language)
    if translation is None:
        translation = Translation(statement=statement, language=language)
        db.session.add(translation)
        db.session.flush()
    latest = translation.latest
    unchanged = (
        latest is not None
        and (latest.title, latest.body, latest.intro) == (title, body, intro)
        and latest.master_version_id == master.id
    )
    if unchanged and translation.dropped_at is None:
        return None
    version = TranslationVersion(
        translation=translation,
        number=1 if latest is None else latest.number + 1,
        master_version=master,
        title=title,
        body=body,
        intro=intro,
        sha256=fingerprint(title, body),
        translator=translator,
        note=clean_line(note),
        change_kind=_kind(statement, latest, master, kind),
    )
    db.session.add(version)
    translation.dropped_at = None
    db.session.flush()
    return version


def _kind(
    statement: Statement,
    latest: TranslationVersion | None,
    master: Version,
    asked: ChangeKind | None,
) -> ChangeKind:
    """INITIAL for the first version; SUBSTANTIVE for the version that catches up
    with a substantive master change (its readers read an older text); else what
    the translator said, minor by default."""
    if latest is None:
        return ChangeKind.INITIAL
    floor = master_floor(statement)
    if latest.master_version.number < floor <= master.number:
        return ChangeKind.SUBSTANTIVE
    return asked or ChangeKind.MINOR


def drop_translation(statement: Statement, language: str) -> Translation:
    """Neither offered to signers nor published until its next version (not committed)."""
    if statement.status is Status.PUBLISHED:
        raise TranslationError(_("The statement is published: its texts can no longer change."))
    translation = translation_for(statement, language)
    if translation is None:
        raise TranslationError(_("There is no translation in this language."))
    translation.dropped_at = translation.dropped_at or utcnow()
    return translation
