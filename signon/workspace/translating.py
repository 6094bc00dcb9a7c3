"""Saving and dropping a statement's translations, the actions behind the team's
translation pages: the service in statements/translations.py, recorded in the
audit trail; a substantive version asks that translation's readers to confirm."""

from __future__ import annotations

from ..audit.models import actor_name, record
from ..signatures.reconfirm import request_translation_reconfirmations
from ..statements.models import ChangeKind, Statement
from ..statements.translation_models import Translation, TranslationVersion
from ..statements.translations import drop_translation, save_translation


def save_translation_text(
    statement: Statement,
    *,
    language: str,
    title: str,
    body: str,
    intro: str = "",
    master_number: int | None = None,
    kind: ChangeKind | None = None,
    note: str = "",
    actor,
) -> tuple[TranslationVersion | None, int]:
    """The translation's next version (not committed) and how many of its readers
    were asked to confirm; (None, 0) when nothing changed. Raises TranslationError."""
    translator = None if isinstance(actor, str) else actor
    version = save_translation(
        statement,
        language=language,
        title=title,
        body=body,
        intro=intro,
        master_number=master_number,
        translator=translator,
        note=note,
        kind=kind,
    )
    if version is None:
        return None, 0
    record(
        statement.id,
        actor_name(actor),
        "translation saved",
        language=language,
        version=version.number,
        master_version=version.master_version.number,
        kind=version.change_kind.value,
    )
    asked = 0
    if version.change_kind is ChangeKind.SUBSTANTIVE:
        asked = request_translation_reconfirmations(statement, version.translation, actor=actor)
    return version, asked


def drop_translation_text(statement: Statement, language: str, *, actor) -> Translation:
    """Not offered to signers nor published until its next version (not committed)."""
    translation = drop_translation(statement, language)
    record(
        statement.id,
        actor_name(actor),
        "translation dropped",
        language=language,
    )
    return translation


def set_authoritative_languages(statement: Statement, all_languages: bool, *, actor) -> bool:
    """Which text binds: every language alike (True) or the master alone (not
    committed). Recorded in the audit trail; False when it was so already."""
    all_languages = bool(all_languages)
    if statement.all_languages_authoritative is all_languages:
        return False
    statement.all_languages_authoritative = all_languages
    record(
        statement.id,
        actor_name(actor),
        "authoritative text changed",
        all_languages=all_languages,
    )
    return True
