"""Which language of a statement's text a signer reads and signs: one of the
languages offered (the master and its current translations), chosen with
`?text=ru`, by default the invitation's."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request
from flask_babel import gettext as _

from ...documents.html import render_html
from ...i18n import language_name
from ...languages import LANGUAGES
from ...locale_choice import current_language
from ...statements.models import Statement, Version
from ...statements.translation_models import TranslationVersion
from ...statements.translations import language_states
from ..sign_on import SigningError

QUERY = "text"


@dataclass(frozen=True)
class Reading:
    language: str
    version: Version | TranslationVersion
    translation: TranslationVersion | None  # None: the master text
    html: str
    # Languages the signer may read instead: (code, name, url, this one).
    choices: tuple[tuple[str, str, str, bool], ...]
    # A language asked for that is not offered now (its translation is out of date).
    unavailable: str = ""

    def context(self) -> dict:
        """What the signer templates take: `version`, `html` and the rest."""
        return {"version": self.version, "html": self.html, "reading": self}


def reading_for(statement: Statement, default: str = "", *, version=None) -> Reading:
    """The text to show: `?text=` if offered, else `default` (an invitation's
    language) if offered, else the master. `version` shows an earlier master version
    (the re-confirmation page's diff base)."""
    states = {state.language: state for state in language_states(statement)}
    offered = [code for code, state in states.items() if state.offered]
    asked = request.args.get(QUERY, "") or default or statement.language
    language = asked if asked in offered else statement.language
    unavailable = asked if asked in states and asked not in offered else ""
    state = states[language]
    chosen = state.version if not state.master or version is None else version
    translation = None if state.master else chosen
    arguments = {key: value for key, value in request.args.items() if key != QUERY}
    choices = tuple(
        (
            code,
            LANGUAGES.get(code, code),
            "?" + urlencode({**arguments, QUERY: code}),
            code == language,
        )
        for code in offered
    )
    return Reading(
        language, chosen, translation, render_html(chosen.body, language), choices, unavailable
    )


def reading_to_sign(statement: Statement, default: str = "") -> Reading:
    """The text a form post signs: refused, with nothing saved, when the language
    asked for is not offered now."""
    reading = reading_for(statement, default)
    if reading.unavailable:
        raise SigningError(
            _(
                "The %(language)s text is being updated to the latest version of the "
                "statement and cannot be signed now. Read and sign it in another language, "
                "or come back once it is updated.",
                language=language_name(reading.unavailable, current_language()),
            )
        )
    return reading
