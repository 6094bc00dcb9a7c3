"""Possible duplicates in a signature list, flagged for the team, never merged.

Two kinds: the same name key (case, accents' composition, punctuation and a
leading article aside), and look-alikes: names that differ only by letters from
another script that look the same (Cyrillic "а" for Latin "a"), which is how
both honest typing accidents and impersonation show up.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from .names import name_key

# Letters of Cyrillic and Greek that render like Latin ones (after casefolding).
CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "ԁ": "d", "ԛ": "q", "ԝ": "w", "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "n",
        "ι": "i", "κ": "k", "μ": "m", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
        "χ": "x", "γ": "y",
    }
)  # fmt: skip


@dataclass(frozen=True)
class DuplicateFlag:
    other_id: int
    reason: str  # "same name" | "look-alike letters from another script"


def skeleton(name: str) -> str:
    """The name key with look-alike letters mapped to Latin."""
    return name_key(name).translate(CONFUSABLES)


def scripts(name: str) -> set[str]:
    """The scripts of a name's letters (LATIN, CYRILLIC, GREEK...)."""
    found = set()
    for char in name:
        if char.isalpha():
            found.add(unicodedata.name(char, "UNKNOWN").split(" ")[0])
    return found


def find_duplicates(entries: list[tuple[int, str, str]]) -> dict[int, list[DuplicateFlag]]:
    """Flags per signature id, for (id, name, contact email) entries."""
    flags: dict[int, list[DuplicateFlag]] = defaultdict(list)
    by_key: dict[str, list[int]] = defaultdict(list)
    by_skeleton: dict[str, list[tuple[int, str]]] = defaultdict(list)
    by_email: dict[str, list[int]] = defaultdict(list)
    for signature_id, name, email in entries:
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
    return dict(flags)
