"""Text normalisation shared by forms, statement files and fingerprints."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import regex

# Every Default_Ignorable_Code_Point: zero-width characters, bidi controls, soft
# hyphens, variation selectors, the combining grapheme joiner, Hangul fillers, tags.
# They draw nothing (or flip how a name displays), so two names that look identical
# would compare different and an impersonation would pass unflagged.
INVISIBLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
# ZWNJ and ZWJ change how letters of these scripts join or form conjuncts (Persian
# "می‌شود", Malayalam chillu): kept between two of their letters or marks, dropped
# anywhere else, where they show nothing.
JOINERS = "\u200c\u200d"
JOINING_SCRIPT = regex.compile(
    r"[[\p{L}\p{M}]&&[\p{scx=Arabic}\p{scx=Syriac}\p{scx=Nko}\p{scx=Mongolian}"
    r"\p{scx=Devanagari}\p{scx=Bengali}\p{scx=Gurmukhi}\p{scx=Gujarati}\p{scx=Oriya}"
    r"\p{scx=Tamil}\p{scx=Telugu}\p{scx=Kannada}\p{scx=Malayalam}\p{scx=Sinhala}"
    r"\p{scx=Tibetan}\p{scx=Myanmar}\p{scx=Khmer}]]",
    regex.V1,
)
# C0 and C1 control characters other than tab, LF and CR (NUL included).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAK = re.compile("[\r\n\u2028\u2029\x85]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True when value holds a character no field of ours accepts."""
    if CONTROL.search(value):
        return True
    return not multiline and ("\t" in value or LINE_BREAK.search(value) is not None)


def clean_line(value: str | None) -> str:
    """A one-line field as stored: NFC, invisible characters removed, trimmed.

    Removed: every Default_Ignorable_Code_Point, except ZWNJ and ZWJ between two
    letters of a script that needs them (see JOINING_SCRIPT).
    """
    if value is None:
        return ""
    return strip_invisible(unicodedata.normalize("NFC", value)).strip()


def strip_invisible(value: str, *, keep_joiners: bool = True) -> str:
    """value without its Default_Ignorable_Code_Point characters.

    With keep_joiners, a ZWNJ or ZWJ between two letters of a joining script stays.
    """

    def drop(match: regex.Match) -> str:
        char, at = match.group(), match.start()
        if keep_joiners and char in JOINERS and _joins(value, at):
            return char
        return ""

    return INVISIBLE.sub(drop, value)


def _joins(value: str, at: int) -> bool:
    # The neighbours that matter are the nearest visible ones: "ه\u200c\u200dی" joins.
    before, after = at - 1, at + 1
    while before >= 0 and value[before] in JOINERS:
        before -= 1
    while after < len(value) and value[after] in JOINERS:
        after += 1
    return (
        before >= 0
        and after < len(value)
        and JOINING_SCRIPT.match(value[before]) is not None
        and JOINING_SCRIPT.match(value[after]) is not None
    )


def canonical_text(value: str) -> str:
    """The canonical form of a text: NFC, LF line endings, no trailing spaces.

    Leading and trailing blank lines are dropped and the text ends with one LF
    (an empty text stays empty). Fingerprints are computed over this form, so two
    saves that differ only in line endings or trailing spaces are the same text.
    """
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n")).strip("\n")
    return text + "\n" if text else ""


def fingerprint(title: str, body: str) -> str:
    """SHA-256 hex of the canonical title and body: what a signer consents to."""
    canonical = canonical_text(title) + "\n" + canonical_text(body)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
