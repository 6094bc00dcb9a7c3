"""Possible duplicates in a signature list, flagged for the team, never merged.

Flags: the same name key (case, accents' composition, punctuation and a leading
article aside); look-alikes, names that differ only by letters from another
script that look the same (Cyrillic "а" for Latin "a"), which is how both honest
typing accidents and impersonation show up; the same contact email; and, with no
other entry needed, a word that mixes Latin letters with look-alikes from
another script (the impersonator may sign before the real organisation does).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from .names import name_key

# Letters of Cyrillic and Greek that render like Latin ones. Capitals and small
# letters are mapped separately, before casefolding: Greek capital Eta looks like
# H, while its small letter looks like n. Erring towards a flag is cheap; the team
# decides.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic capitals
        "А": "A", "В": "B", "Е": "E", "Ё": "E", "З": "3", "І": "I", "Ї": "I", "Ј": "J",
        "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Ѕ": "S", "Т": "T",
        "У": "Y", "Ү": "Y", "Х": "X", "Һ": "H", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
        # Cyrillic small letters
        "а": "a", "в": "b", "е": "e", "ё": "e", "і": "i", "ї": "i", "ј": "j", "к": "k",
        "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "ѕ": "s", "т": "t", "у": "y",
        "ү": "y", "х": "x", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
        # Greek capitals
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        # Greek small letters
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        # Latin letters that pass for others
        "ı": "i", "ȷ": "j",
    }
)  # fmt: skip


LOOKALIKE_LETTERS = frozenset(chr(code) for code in CONFUSABLES)
MIXED_SCRIPTS = "Latin letters mixed with look-alikes from another script"


@dataclass(frozen=True)
class DuplicateFlag:
    other_id: int | None  # None: a flag about the name itself, with no other entry
    reason: str  # "same name" | "look-alike letters from another script" | ...


def skeleton(name: str) -> str:
    """The name key of the name with look-alike letters mapped to Latin."""
    return name_key(unicodedata.normalize("NFKC", name).translate(CONFUSABLES))


def scripts(name: str) -> set[str]:
    """The scripts of a name's letters (LATIN, CYRILLIC, GREEK...)."""
    found = set()
    for char in name:
        if char.isalpha():
            found.add(unicodedata.name(char, "UNKNOWN").split(" ")[0])
    return found


def mixes_lookalikes(name: str) -> bool:
    """True when one word holds Latin letters and look-alikes from another script.

    A bilingual name ("Memorial / Мемориал") mixes scripts across words, which is
    fine; inside one word ("Аrticle" with a Cyrillic А) it almost never is.
    """
    for word in re.split(r"[\W\d_]+", unicodedata.normalize("NFKC", name)):
        if "LATIN" in scripts(word) and LOOKALIKE_LETTERS.intersection(word):
            return True
    return False


def find_duplicates(entries: list[tuple[int, str, str]]) -> dict[int, list[DuplicateFlag]]:
    """Flags per signature id, for (id, name, contact email) entries."""
    flags: dict[int, list[DuplicateFlag]] = defaultdict(list)
    by_key: dict[str, list[int]] = defaultdict(list)
    by_skeleton: dict[str, list[tuple[int, str]]] = defaultdict(list)
    by_email: dict[str, list[int]] = defaultdict(list)
    for signature_id, name, email in entries:
        if mixes_lookalikes(name):
            flags[signature_id].append(DuplicateFlag(None, MIXED_SCRIPTS))
        key = name_key(name)
        by_key[key].append(signature_id)
        by_skeleton[skeleton(name)].append((signature_id, key))
        if email:
            by_email[email.casefold()].append(signature_id)
    for ids in by_key.values():
        for a in ids:
            flags[a].extend(DuplicateFlag(b, "same name") for b in ids if b != a)
    for members in by_skeleton.values():
        for a, key_a in members:
            flags[a].extend(
                DuplicateFlag(b, "look-alike letters from another script")
                for b, key_b in members
                if b != a and key_b != key_a
            )
    for ids in by_email.values():
        for a in ids:
            flags[a].extend(DuplicateFlag(b, "same contact email") for b in ids if b != a)
    return {signature_id: found for signature_id, found in flags.items() if found}
