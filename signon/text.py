"""Text normalisation shared by forms, statement files and fingerprints."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Zero-width characters and bidi controls: invisible, so they make two names that
# look identical compare different, or flip how a name displays.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# C0 and C1 control characters other than tab, LF and CR (NUL included).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAK = re.compile("[\r\n\u2028\u2029\x85]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True when value holds a character no field of ours accepts."""
    if CONTROL.search(value):
        return True
    return not multiline and ("\t" in value or LINE_BREAK.search(value) is not None)


def clean_line(value: str | None) -> str:
    """A one-line field as stored: NFC, invisible characters removed, trimmed."""
    if value is None:
        return ""
    return INVISIBLE.sub("", unicodedata.normalize("NFC", value)).strip()


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
