"""Keys that find the same organisation written two ways."""

from __future__ import annotations

import unicodedata

from ..text import clean_line

# A leading article is dropped from the key, so "The Foo Institute" matches
# "Foo Institute". Compared as whole words after punctuation became spaces, so
# "L'Observatoire" and "L’Observatoire" (a typographic apostrophe) both lose theirs.
ARTICLES = frozenset({"the", "la", "le", "les", "l", "el", "los", "las", "die", "der", "das"})


def name_key(name: str) -> str:
    """A comparison key: NFKC, casefolded, no punctuation, no leading article."""
    key = unicodedata.normalize("NFKC", clean_line(name)).casefold()
    # Casefolding can undo NFKC's composition ("ǰ"); compose again so one name has one key.
    key = unicodedata.normalize("NFC", key)
    words = "".join(c if _is_word_part(c) else " " for c in key).split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def _is_word_part(char: str) -> bool:
    # Letters, digits and marks: vowel signs in Devanagari or Arabic harakat are marks,
    # not letters, and turning them into spaces would make unrelated names collide.
    return unicodedata.category(char)[0] in "LNM"
