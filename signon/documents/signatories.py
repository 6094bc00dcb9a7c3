"""The signatory section of a statement, as every output prints it.

One function decides who is listed, in which order and how each entry reads;
the team's preview, the public page, PDF, DOCX, CSV and JSON all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache

from pyuca import Collator

from ..i18n import translate, translate_plural
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
    # The name in other languages or scripts: (language, name) pairs.
    names: tuple[tuple[str, str], ...] = ()

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
        intro=intro or default_intro(language),
        organisations=[s for s in listed if s.kind == ORGANISATION],
        individuals=[s for s in listed if s.kind == INDIVIDUAL],
        anonymous_organisations=anonymous_orgs,
        anonymous_individuals=anonymous_people,
        anonymous_sentence=anonymous_sentence(anonymous_orgs, anonymous_people, language),
    )


def named_in(section: SignatorySection, language: str, order: str = "") -> SignatorySection:
    """The list with each name as its signatory gave it in `language`, where they
    did; an alphabetical list sorted again."""

    def named(people: list[Signatory]) -> list[Signatory]:
        people = [replace(s, name=dict(s.names).get(language, s.name)) for s in people]
        if order == "alphabetical":
            people.sort(key=lambda s: alphabetical_key(s.name))
        return people

    if not any(s.names for s in section.listed):
        return section
    return replace(
        section, organisations=named(section.organisations), individuals=named(section.individuals)
    )


def in_language(
    section: SignatorySection, language: str, intro: str = "", order: str = ""
) -> SignatorySection:
    """The same list for a document in another language: the names given in that
    language (named_in), its intro sentence (the translation's, else the standard
    one) and its counted-not-named sentence."""
    return replace(
        named_in(section, language, order),
        intro=intro or default_intro(language),
        anonymous_sentence=anonymous_sentence(
            section.anonymous_organisations, section.anonymous_individuals, language
        ),
    )


def default_intro(language: str) -> str:
    """The sentence above the list when the team wrote none, in the list's language."""
    return translate(language, "This statement is signed by the following organisations:")


def anonymous_sentence(orgs: int, people: int, language: str) -> str:
    """'and 3 other organisations that asked not to be named', in the statement's
    language (English where signon has no catalog for it), each count worded by
    that language's plural rules (the catalog's Plural-Forms, from CLDR): Russian
    1, 2, 5, 21; Arabic's six forms; French 0 and 1 alike."""
    if orgs and people:
        return translate(
            language,
            "and %(organisations)s and %(individuals)s who asked not to be named",
            organisations=translate_plural(
                language, "%(num)s other organisation", "%(num)s other organisations", orgs
            ),
            individuals=translate_plural(
                language, "%(num)s individual", "%(num)s individuals", people
            ),
        )
    if orgs:
        return translate_plural(
            language,
            "and %(num)s other organisation that asked not to be named",
            "and %(num)s other organisations that asked not to be named",
            orgs,
        )
    if people:
        return translate_plural(
            language,
            "and %(num)s individual who asked not to be named",
            "and %(num)s individuals who asked not to be named",
            people,
        )
    return ""
