"""What the team's pages say about a statement's translations: each language's
name in the page's language, the translations left out of date by a substantive
change of the master, and how many signers read a translation."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from sqlalchemy import func, select

from ..extensions import db
from ..languages import LANGUAGES
from ..locale_choice import current_language
from ..signatures.models import LIVE_STATES, Signature, SignatureState
from ..statements.models import Statement
from ..statements.translation_models import Translation, TranslationVersion
from ..statements.translations import language_states
from ..times import babel_locale


def language_name(code: str) -> str:
    """The language's name in the page's language ("Kyrgyz", "kirghize"), else its own."""
    names = Locale.parse(babel_locale(current_language())).languages
    return names.get(code) or LANGUAGES.get(code, code)


@dataclass(frozen=True)
class OutOfDate:
    """A translation the master left behind: it translates master version `since`."""

    language: str
    name: str
    since: int


def out_of_date_translations(statement: Statement) -> list[OutOfDate]:
    """The translations (not dropped) that no longer translate the master as it stands."""
    return [
        OutOfDate(
            state.language, language_name(state.language), state.version.master_version.number
        )
        for state in language_states(statement)
        if not state.master and not state.dropped and not state.current and state.version
    ]


def readers_of(translation: Translation | None, *, signed_only: bool = False) -> int:
    """How many signatures were given reading this translation (signed, or still
    waiting for a confirmation or an approval unless `signed_only`)."""
    if translation is None or translation.id is None:
        return 0
    states = (SignatureState.SIGNED,) if signed_only else LIVE_STATES
    return db.session.scalar(
        select(func.count())
        .select_from(Signature)
        .join(TranslationVersion, Signature.translation_version_id == TranslationVersion.id)
        .where(TranslationVersion.translation_id == translation.id, Signature.state.in_(states))
    )
