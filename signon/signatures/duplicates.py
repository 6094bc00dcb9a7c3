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
from functools import lru_cache

from disarm import skeleton_key
from flask_babel import lazy_gettext as _l

from ..text import strip_invisible
from .names import name_key

MIXED_SCRIPTS = "Latin letters mixed with look-alikes from another script"
LOOKALIKE = "look-alike letters from another script"
LOOKALIKE_SAME_SCRIPT = "look-alike letters"  # "ᴍ" (a Latin small capital) for "m"
SAME_NAME = "same name"
SAME_EMAIL = "same contact email"

# The reasons above are codes; the signatures page shows them in its language.
REASON_LABELS = {
    MIXED_SCRIPTS: _l("Latin letters mixed with look-alikes from another script"),
    LOOKALIKE: _l("look-alike letters from another script"),
    LOOKALIKE_SAME_SCRIPT: _l("look-alike letters"),
    SAME_NAME: _l("same name"),
    SAME_EMAIL: _l("same contact email"),
}


@dataclass(frozen=True)
class DuplicateFlag:
    other_id: int | None  # None: a flag about the name itself, with no other entry
    reason: str  # "same name" | "look-alike letters from another script" | ...

    @property
    def label(self):
        """The reason as the page shows it, in the page's language."""
        return REASON_LABELS.get(self.reason, self.reason)


def skeleton(name: str) -> str:
    """The name key of the name's UTS #39 skeleton: look-alikes map to one prototype.

    The skeleton comes from disarm, which ships Unicode's confusables table (its
    CONFUSABLES_VERSION) and folds case and compatibility forms around it, so a
    small capital "ᴍ" meets "M" and "m", and Cyrillic "а" meets Latin "a". The name
    is casefolded first: UTS #39 maps capital "I" to "l", which would keep
    "ARTICLE 19" and "Article 19" apart.
    """
    return name_key(skeleton_key(_visible(name).casefold()))


def skeletons(name: str) -> set[str]:
    """The skeleton above and the one of the name as written, before casefolding.

    Some capitals only look like a Latin letter as capitals: Greek "Η" is an "H",
    its small letter "η" an "n".
    """
    return {skeleton(name), name_key(skeleton_key(_visible(name)))}


def _visible(name: str) -> str:
    return strip_invisible(unicodedata.normalize("NFKC", name), keep_joiners=False)


@lru_cache(maxsize=4096)
def _is_lookalike(char: str) -> bool:
    # A letter of another script whose skeleton is a Latin letter or two.
    if not char.isalpha() or "LATIN" in scripts(char):
        return False
    prototype = skeleton_key(char)
    return bool(prototype) and prototype.isascii() and prototype.isalpha()


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
        if "LATIN" in scripts(word) and any(_is_lookalike(char) for char in word):
            return True
    return False


def _lookalike_reason(a: str, b: str) -> str:
    return LOOKALIKE_SAME_SCRIPT if scripts(a) == scripts(b) else LOOKALIKE


def find_duplicates(entries: list[tuple[int, str, str]]) -> dict[int, list[DuplicateFlag]]:
    """Flags per signature id, for (id, name, contact email) entries."""
    flags: dict[int, list[DuplicateFlag]] = defaultdict(list)
    by_key: dict[str, list[int]] = defaultdict(list)
    by_skeleton: dict[str, list[tuple[int, str]]] = defaultdict(list)
    names = {signature_id: name for signature_id, name, _email in entries}
    lookalikes: dict[int, list[int]] = defaultdict(list)
    by_email: dict[str, list[int]] = defaultdict(list)
    for signature_id, name, email in entries:
        if mixes_lookalikes(name):
            flags[signature_id].append(DuplicateFlag(None, MIXED_SCRIPTS))
        key = name_key(name)
        by_key[key].append(signature_id)
        for found in skeletons(name) - {""}:  # a name of symbols only has no letters to confuse
            by_skeleton[found].append((signature_id, key))
        if email:
            by_email[email.casefold()].append(signature_id)
    for ids in by_key.values():
        for a in ids:
            flags[a].extend(DuplicateFlag(b, SAME_NAME) for b in ids if b != a)
    for members in by_skeleton.values():
        for a, key_a in members:
            for b, key_b in members:
                # Two names can share both skeletons: flag the pair once.
                if b != a and key_b != key_a and b not in lookalikes[a]:
                    lookalikes[a].append(b)
                    flags[a].append(DuplicateFlag(b, _lookalike_reason(names[a], names[b])))
    for ids in by_email.values():
        for a in ids:
            flags[a].extend(DuplicateFlag(b, SAME_EMAIL) for b in ids if b != a)
    return {signature_id: found for signature_id, found in flags.items() if found}
