"""The signatory section of a statement, as every output prints it.

One function decides who is listed, in which order and how each entry reads;
the team's preview, the public page, PDF, DOCX, CSV and JSON all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from pyuca import Collator

from ..signatory_fields import INDIVIDUAL, ORGANISATION

LEADING_ARTICLES = ("the ",)


@dataclass(frozen=True)
class Signatory:
    """One entry as printed. `position` and `signed_at` only serve ordering."""

    name: str
    acronym: str = ""
    country: str = ""
    note: str = ""
    kind: str = ORGANISATION
    listed: bool = True
    position: int = 0
    signed_at: str = ""

    @property
    def display(self) -> str:
        """`Name (ACRONYM), note`, the printed form the README documents."""
        text = self.name
        if self.acronym:
            text += f" ({self.acronym})"
        if self.note:
            text += f", {self.note}"
        return text


@dataclass(frozen=True)
class SignatorySection:
    intro: str
    organisations: list[Signatory] = field(default_factory=list)
    individuals: list[Signatory] = field(default_factory=list)
    anonymous_organisations: int = 0
    anonymous_individuals: int = 0
    anonymous_sentence: str = ""

    @property
    def listed(self) -> list[Signatory]:
        """Everyone named, organisations first."""
        return [*self.organisations, *self.individuals]

    @property
    def total(self) -> int:
        return len(self.listed) + self.anonymous_organisations + self.anonymous_individuals


@cache
def _collator() -> Collator:
    return Collator()


def alphabetical_key(name: str) -> tuple:
    """Unicode collation (Ö with O, each script in its own block), 'The' ignored."""
    folded = name.strip()
    for article in LEADING_ARTICLES:
        if folded.casefold().startswith(article):
            folded = folded[len(article) :]
            break
    return _collator().sort_key(folded)


def build_section(
    signatories: Iterable[Signatory], *, order: str, language: str, intro: str
) -> SignatorySection:
    """Sort and split signatories into the printed section."""
    people = list(signatories)
    if order == "alphabetical":
        people.sort(key=lambda s: alphabetical_key(s.name))
    elif order == "signed-at":
        people.sort(key=lambda s: (s.signed_at, s.position))
    else:  # as-listed
        people.sort(key=lambda s: s.position)
    listed = [s for s in people if s.listed]
    anonymous_orgs = sum(1 for s in people if not s.listed and s.kind == ORGANISATION)
    anonymous_people = sum(1 for s in people if not s.listed and s.kind == INDIVIDUAL)
    return SignatorySection(
        intro=intro,
        organisations=[s for s in listed if s.kind == ORGANISATION],
        individuals=[s for s in listed if s.kind == INDIVIDUAL],
        anonymous_organisations=anonymous_orgs,
        anonymous_individuals=anonymous_people,
        anonymous_sentence=anonymous_sentence(anonymous_orgs, anonymous_people, language),
    )


def _plural_ru(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _en(orgs: int, people: int) -> str:
    parts = []
    if orgs:
        parts.append(f"{orgs} other organisation{'s' if orgs != 1 else ''}")
    if people:
        parts.append(f"{people} individual{'s' if people != 1 else ''}")
    who = "who" if people else "that"
    return f"and {' and '.join(parts)} {who} asked not to be named"


def _fr(orgs: int, people: int) -> str:
    parts = []
    if orgs:
        parts.append(f"{orgs} autre organisation" if orgs == 1 else f"{orgs} autres organisations")
    if people:
        parts.append(f"{people} personne" if people == 1 else f"{people} personnes")
    if orgs + people == 1:
        return f"et {parts[0]} qui a demandé à ne pas être nommée"
    return f"et {' et '.join(parts)} qui ont demandé à ne pas être nommées"


def _es(orgs: int, people: int) -> str:
    parts = []
    if orgs:
        parts.append(f"{orgs} otra organización" if orgs == 1 else f"{orgs} otras organizaciones")
    if people:
        parts.append(f"{people} persona" if people == 1 else f"{people} personas")
    if orgs + people == 1:
        return f"y {parts[0]} que pidió no ser nombrada"
    return f"y {' y '.join(parts)} que pidieron no ser nombradas"


def _ru(orgs: int, people: int) -> str:
    parts = []
    if orgs:
        parts.append(f"ещё {orgs} " + _plural_ru(orgs, "организация", "организации", "организаций"))
    if people:
        parts.append(f"{people} " + _plural_ru(people, "человек", "человека", "человек"))
    singular = orgs + people == 1 or (not people and orgs % 10 == 1 and orgs % 100 != 11)
    if singular:
        tail = "пожелавшая остаться неназванной" if orgs else "пожелавший остаться неназванным"
    else:
        tail = "пожелавшие остаться неназванными"
    return f"а также {' и '.join(parts)}, {tail}"


WORDING = {"en": _en, "fr": _fr, "es": _es, "ru": _ru}


def anonymous_sentence(orgs: int, people: int, language: str) -> str:
    """'and 3 other organisations that asked not to be named', in the statement's
    language where we have the wording (en, fr, es, ru), else in English."""
    if not orgs and not people:
        return ""
    wording = WORDING.get(language.split("-")[0], _en)
    return wording(orgs, people)
