"""A signatory's entry, declared once: the fields a signer gives, who sees each,
and their length limits. The sign-on and correction forms, the signer's input,
the update of a signature, the printed line, the public CSV and JSON, and
statement files all take their field names from here."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

ORGANISATION = "organisation"
INDIVIDUAL = "individual"
KINDS = (ORGANISATION, INDIVIDUAL)

PRINTED = "printed"  # in the list the documents print
PUBLIC = "public"  # not printed, but kept in statement files (a website)
CONTACT = "contact"  # only the statement's team sees it; a purge removes it


def _text(limit: int, shown: str):
    return field(default="", metadata={"limit": limit, "shown": shown})


@dataclass(frozen=True)
class SignatoryEntry:
    """What a signatory gives, already normalised by a form or a statement file.
    Printed fields in the order a line prints them, `Name (ACRONYM), note`, with
    the country beside it."""

    name: str = _text(300, PRINTED)
    acronym: str = _text(50, PRINTED)
    country: str = _text(100, PRINTED)
    website: str = _text(300, PUBLIC)
    note: str = _text(500, PRINTED)
    authorised_by: str = _text(200, CONTACT)
    authoriser_title: str = _text(200, CONTACT)
    contact_email: str = _text(254, CONTACT)
    kind: str = ORGANISATION
    listed_publicly: bool = True  # False: counted ("and 3 other organisations"), not named

    @classmethod
    def from_form(cls, form) -> SignatoryEntry:
        """The entry a validated sign-on form holds; fields it lacks keep their defaults."""
        values: dict = {name: form[name].data or "" for name in TEXT_FIELDS if name in form}
        if "kind" in form:
            values["kind"] = form.kind.data
        if "listed_publicly" in form:
            values["listed_publicly"] = bool(form.listed_publicly.data)
        return cls(**values)


def _shown(*audiences: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(SignatoryEntry) if f.metadata.get("shown") in audiences)


TEXT_FIELDS = _shown(PRINTED, PUBLIC, CONTACT)
PRINTED_FIELDS = _shown(PRINTED)  # name, acronym, country, note
FILE_FIELDS = _shown(PRINTED, PUBLIC)  # a statement file's text keys
CONTACT_FIELDS = _shown(CONTACT)
# What anyone may see of a listed entry: the public CSV and JSON, an edition's snapshot.
PUBLIC_ENTRY_FIELDS = (*PRINTED_FIELDS, "kind")
ENTRY_FIELDS = tuple(f.name for f in fields(SignatoryEntry))
LIMITS = {f.name: f.metadata["limit"] for f in fields(SignatoryEntry) if "limit" in f.metadata}


def entry_values(source, names: tuple[str, ...] = ENTRY_FIELDS) -> dict:
    """`names` read off any object that has them (a signature, an entry)."""
    return {name: getattr(source, name) for name in names}
