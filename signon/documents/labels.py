"""The words every document prints around the text: its date, the list's update
and the text's fingerprint. The PDF, the DOCX, the text and Markdown downloads
and the public page all take them from here, so they read the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import re

from .model import Document

# Month names for the languages whose dates are written out here; every other
# language gets the English form until the dates go through Babel's format_date
# with the translated interface (issue 14).
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}
DATE_PATTERNS = {
    "en": "{d} {m} {y}",
    "fr": "{d} {m} {y}",
    "es": "{d} de {m} de {y}",
    "ru": "{d} {m} {y} г.",
}
NOT_YET_PUBLISHED = "not yet published"
LRM = "\u200e"  # LEFT-TO-RIGHT MARK
RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _left_to_right(text: str, document: Document) -> str:
    """A label in Latin letters, as it must read inside a right-to-left document.

    The bidirectional algorithm would otherwise move a leading number and a
    closing stop or bracket to the far side ("November 2026 20"); a mark at each
    end holds the line in order, in the PDF, in Word and on the page alike."""
    if not text or document.direction != "rtl" or RTL_LETTER.search(text):
        return text
    return f"{LRM}{text}{LRM}"


def long_date(day: dt.date | str, language: str) -> str:
    """A day as documents print it: '5 June 2026' ('5 juin 2026', '5 de junio de
    2026', '5 июня 2026 г.'); English for languages without month names here. A
    string that is not an ISO date is returned as it is."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            return day
    base = language.split("-")[0].lower()
    if base not in MONTHS:
        base = "en"
    month = MONTHS[base].split()[day.month - 1]
    number = "1er" if base == "fr" and day.day == 1 else day.day
    return DATE_PATTERNS[base].format(d=number, m=month, y=day.year)


def date_line(document: Document) -> str:
    """The date under the title: '6 June 2026', or for a statement not yet
    published its planned date, '6 June 2026 (not yet published)'."""
    if not document.date:
        return ""
    text = long_date(document.date, document.language)
    if document.date_planned:
        text = f"{text} ({NOT_YET_PUBLISHED})"
    return _left_to_right(text, document)


def list_updated_line(document: Document) -> str:
    """'List updated on 1 December 2026.' after a list change since publication."""
    if not document.list_updated:
        return ""
    text = f"List updated on {long_date(document.list_updated, document.language)}."
    return _left_to_right(text, document)


def fingerprint_line(document: Document) -> str:
    """The last line of every document: which text this is, in full ('' for a
    document that names no text version)."""
    if not document.sha256:
        return ""
    text = f"Text version {document.version_number} · fingerprint (SHA-256): {document.sha256}"
    return _left_to_right(text, document)
