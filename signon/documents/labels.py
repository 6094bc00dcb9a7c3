"""The words every document prints around the text: its date, the list's update,
the text's fingerprint and its page numbers, in the document's language (English
where signon has no catalog for it). The PDF, the DOCX, the text and Markdown
downloads and the public page all take them from here.
"""

from __future__ import annotations

import datetime as dt

from ..i18n import translate
from ..languages import RTL_LETTER
from ..times import long_day
from .model import Document

LRM = "\u200e"  # LEFT-TO-RIGHT MARK


def _left_to_right(text: str, document: Document) -> str:
    """A label in Latin letters, as it must read inside a right-to-left document.

    The bidirectional algorithm would otherwise move a leading number and a
    closing stop or bracket to the far side ("November 2026 20"); a mark at each
    end holds the line in order, in the PDF, in Word and on the page alike."""
    if not text or document.direction != "rtl" or RTL_LETTER.search(text):
        return text
    return f"{LRM}{text}{LRM}"


def long_date(day: dt.date | str, language: str) -> str:
    """A day as documents print it, in the document's language (Babel, CLDR):
    '5 June 2026', '5 juin 2026', '5 de junio de 2026', '5 июня 2026 г.'. A string
    that is not an ISO date is returned as it is."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            return day
    return long_day(day, language)


def date_line(document: Document) -> str:
    """The date under the title: '6 June 2026', or for a statement not yet
    published its planned date, '6 June 2026 (not yet published)'."""
    if not document.date:
        return ""
    text = long_date(document.date, document.language)
    if document.date_planned:
        text = translate(document.language, "%(date)s (not yet published)", date=text)
    return _left_to_right(text, document)


def list_updated_line(document: Document) -> str:
    """'List updated on 1 December 2026.' after a list change since publication."""
    if not document.list_updated:
        return ""
    day = long_date(document.list_updated, document.language)
    text = translate(document.language, "List updated on %(date)s.", date=day)
    return _left_to_right(text, document)


def fingerprint_line(document: Document) -> str:
    """The last line of every document: which text this is, in full ('' for a
    document that names no text version)."""
    if not document.sha256:
        return ""
    text = translate(
        document.language,
        "Text version %(number)s · fingerprint (SHA-256): %(sha256)s",
        number=document.version_number,
        sha256=document.sha256,
    )
    return _left_to_right(text, document)


def page_number_parts(language: str) -> tuple[str, str, str]:
    """'page 2 of 5' split around its two numbers: ('page ', ' of ', ''), for the
    PDF's CSS counters and the DOCX's PAGE and NUMPAGES fields."""
    pattern = translate(language, "page %(page)s of %(pages)s", page="\0", pages="\1")
    before, _, rest = pattern.partition("\0")
    middle, found, after = rest.partition("\1")
    if not found:  # a catalog that put the total first: keep the English order
        return ("page ", " of ", "")
    return (before, middle, after)


def page_number_css(language: str) -> str:
    """The CSS `content` of the PDF's page number, in the document's language."""
    before, middle, after = (_css_string(part) for part in page_number_parts(language))
    return f"{before} counter(page) {middle} counter(pages) {after}"


def _css_string(text: str) -> str:
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", " "), ("<", "\\3c ")):
        text = text.replace(plain, escaped)
    return f'"{text}"'
