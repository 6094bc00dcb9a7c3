"""The signatory section of a statement, as every output prints it.

One function decides who is listed, in which order and how each entry reads;
the team's preview, the public page, PDF, DOCX, CSV and JSON all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from babel import Locale, UnknownLocaleError
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


def plural_category(n: int, language: str) -> str:
    """CLDR's plural category of `n` in `language` (Babel): 'one', 'few', 'many'... so
    that each language's wording follows its own rules (Russian 1, 2, 5, 21; Arabic's
    six forms; French 0 and 1 alike)."""
    try:
        return Locale.parse(language.replace("-", "_")).plural_form(n)
    except (ValueError, UnknownLocaleError):
        return Locale("en").plural_form(n)


def _form(forms: dict[str, str], n: int, language: str) -> str:
    return forms.get(plural_category(n, language), forms["other"]).format(n=n)


# Per language: the counted organisations, the counted people (each by plural
# category), how the parts are joined, and the closing clause, which agrees with
# the whole (singular only when one organisation or one person alone is counted).
WORDINGS = {
    "en": {
        "orgs": {"one": "{n} other organisation", "other": "{n} other organisations"},
        "people": {"one": "{n} individual", "other": "{n} individuals"},
        "sentence": "and {parts} {tail}",
        "and": " and ",
        "tail": {
            "orgs": "that asked not to be named",
            "people": "who asked not to be named",
        },
    },
    "fr": {
        "orgs": {"one": "{n} autre organisation", "other": "{n} autres organisations"},
        "people": {"one": "{n} personne", "other": "{n} personnes"},
        "sentence": "et {parts} {tail}",
        "and": " et ",
        "tail": {
            "single": "qui a demandé à ne pas être nommée",
            "orgs": "qui ont demandé à ne pas être nommées",
            "people": "qui ont demandé à ne pas être nommées",
        },
    },
    "es": {
        "orgs": {"one": "{n} otra organización", "other": "{n} otras organizaciones"},
        "people": {"one": "{n} persona", "other": "{n} personas"},
        "sentence": "y {parts} {tail}",
        "and": " y ",
        "tail": {
            "single": "que pidió no ser nombrada",
            "orgs": "que pidieron no ser nombradas",
            "people": "que pidieron no ser nombradas",
        },
    },
    "ru": {
        "orgs": {
            "one": "ещё {n} организация",
            "few": "ещё {n} организации",
            "other": "ещё {n} организаций",
        },
        "people": {"one": "{n} человек", "few": "{n} человека", "other": "{n} человек"},
        "sentence": "а также {parts}, {tail}",
        "and": " и ",
        "tail": {
            "single-org": "пожелавшая остаться неназванной",
            "single-person": "пожелавший остаться неназванным",
            "orgs": "пожелавшие остаться неназванными",
            "people": "пожелавшие остаться неназванными",
        },
    },
    # Kyrgyz counts with the singular noun: one form for every number.
    "ky": {
        "orgs": {"other": "дагы {n} уюм"},
        "people": {"other": "{n} адам"},
        "sentence": "ошондой эле аты аталбоосун суранган {parts}",
        "and": " жана ",
        "tail": {"orgs": "", "people": ""},
    },
    # Arabic: one, two, 3-10 (plural), 11-99 (singular, accusative), 100+ (singular).
    "ar": {
        "orgs": {
            "one": "منظمة أخرى",
            "two": "منظمتان أخريان",
            "few": "{n} منظمات أخرى",
            "many": "{n} منظمةً أخرى",
            "other": "{n} منظمة أخرى",
        },
        "people": {
            "one": "شخص واحد",
            "two": "شخصان",
            "few": "{n} أشخاص",
            "many": "{n} شخصًا",
            "other": "{n} شخص",
        },
        "sentence": "و{parts} {tail}",
        "and": " و",
        "tail": {
            "single-org": "طلبت عدم ذكر اسمها",
            "single-person": "طلب عدم ذكر اسمه",
            "two-orgs": "طلبتا عدم ذكر اسميهما",
            "orgs": "طلبت عدم ذكر أسمائها",
            "people": "طلبوا عدم ذكر أسمائهم",
        },
    },
}


def _tail(wording: dict, orgs: int, people: int, language: str) -> str:
    tails = wording["tail"]
    if orgs + people == 1:
        specific = tails.get("single-org" if orgs else "single-person") or tails.get("single")
        if specific is not None:
            return specific
    if orgs and not people:
        category = plural_category(orgs, language)
        if category == "one" and "single-org" in tails:  # Russian 21, 31...: agreement
            return tails["single-org"]
        if category == "two" and "two-orgs" in tails:
            return tails["two-orgs"]
    return tails["people" if people else "orgs"]


def anonymous_sentence(orgs: int, people: int, language: str) -> str:
    """'and 3 other organisations that asked not to be named', in the statement's
    language where we have the wording (en, fr, es, ru, ky, ar), else in English;
    each count worded by the language's plural rules (Babel)."""
    if not orgs and not people:
        return ""
    base = language.split("-")[0].lower()
    if base not in WORDINGS:
        base, language = "en", "en"
    wording = WORDINGS[base]
    parts = []
    if orgs:
        parts.append(_form(wording["orgs"], orgs, language))
    if people:
        parts.append(_form(wording["people"], people, language))
    tail = _tail(wording, orgs, people, language)
    return wording["sentence"].format(parts=wording["and"].join(parts), tail=tail).strip()
