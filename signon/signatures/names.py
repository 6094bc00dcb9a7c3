"""Keys that find the same organisation written two ways."""

from __future__ import annotations

import re
import unicodedata

from ..text import clean_line

# Leading articles dropped from the key, so "The Foo Institute" matches "Foo Institute".
ARTICLES = ("the ", "la ", "le ", "les ", "l'", "el ", "los ", "las ", "die ", "der ", "das ")


def name_key(name: str) -> str:
    """A comparison key: NFKC, casefolded, no punctuation, no leading article."""
    key = unicodedata.normalize("NFKC", clean_line(name)).casefold()
    for article in ARTICLES:
        if key.startswith(article):
            key = key[len(article) :]
            break
    key = "".join(c if c.isalnum() else " " for c in key)
    return re.sub(r"\s+", " ", key).strip()
