"""Keys that find the same organisation written two ways."""

from __future__ import annotations

import unicodedata

from ..text import clean_line, strip_invisible

# A leading article is dropped from the key, so "The Foo Institute" matches
# "Foo Institute". Compared as whole words after punctuation became spaces, so
# "L'Observatoire" and "L’Observatoire" (a typographic apostrophe) both lose theirs.
ARTICLES = frozenset({"the", "la", "le", "les", "l", "el", "los", "las", "die", "der", "das"})


def name_key(name: str) -> str:
    """A comparison key: NFKC, casefolded, no punctuation, no leading article.

    Every Default_Ignorable_Code_Point goes, joiners included: "خانه‌ی" and "خانهی"
    are one organisation typed two ways.
    """
    key = strip_invisible(clean_line(name), keep_joiners=False)
    key = unicodedata.normalize("NFKC", key).casefold()
    # Casefolding can undo NFKC's composition ("ǰ"); NFKC again so one name has one key
    # (NFKC_Casefold, done in two steps).
    key = unicodedata.normalize("NFKC", key)
    words = "".join(c if _is_word_part(c) else " " for c in key).split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def _is_word_part(char: str) -> bool:
    # Letters, digits and marks: vowel signs in Devanagari or Arabic harakat are marks,
    # not letters, and turning them into spaces would make unrelated names collide.
    return unicodedata.category(char)[0] in "LNM"
