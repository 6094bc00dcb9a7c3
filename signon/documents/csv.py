"""CSV views of the signatory list: the public one from the document model, the
team's one from the signatures with their contact data.

Spreadsheets run a cell that starts with = + - @ (and some a tab or CR) as a
formula, so such a cell gets a leading apostrophe (OWASP, "CSV injection").
Files are UTF-8 with a byte order mark, so that Excel reads accents correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ..i18n import N_, translate
from ..signatory_fields import PUBLIC_ENTRY_FIELDS, entry_values
from .model import Document

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PUBLIC_COLUMNS = PUBLIC_ENTRY_FIELDS
TEAM_COLUMNS = (
    "name", "acronym", "country", "website", "note", "kind", "named", "listed", "position",
    "state", "consent", "source", "contact_email", "authorised_by", "authoriser_title", "version",
    "text_sha256", "signed_at", "updated_at", "verified_at", "withdrawn_at", "invited_as",
    "invitation_email",
)  # fmt: skip


# The header row, in the language of the list (the public file) or of the team
# member who downloads it; the cells keep their values (yes/no, states) as codes.
COLUMN_LABELS = {
    "name": N_("Name"),
    "acronym": N_("Acronym"),
    "country": N_("Country"),
    "website": N_("Website"),
    "note": N_("Note"),
    "kind": N_("Kind"),
    "named": N_("Named"),
    "listed": N_("Listed"),
    "position": N_("Position"),
    "state": N_("State"),
    "consent": N_("Consent"),
    "source": N_("Source"),
    "contact_email": N_("Contact email"),
    "authorised_by": N_("Authorised by"),
    "authoriser_title": N_("Title of the person who authorised"),
    "version": N_("Text version"),
    "text_sha256": N_("Text fingerprint (SHA-256)"),
    "signed_at": N_("Signed at"),
    "updated_at": N_("Updated at"),
    "verified_at": N_("Email confirmed at"),
    "withdrawn_at": N_("Withdrawn at"),
    "invited_as": N_("Invited as"),
    "invitation_email": N_("Invitation email"),
}


# The public file's kind column in the list's language ("organisation" in English).
KIND_WORDS = {"organisation": N_("organisation"), "individual": N_("individual")}


def header_row(columns: Iterable[str], language: str) -> list[str]:
    return [translate(language, COLUMN_LABELS[column]) for column in columns]


def safe_cell(value) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """A CSV file (UTF-8 with BOM, CRLF line ends), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def public_csv(document: Document) -> bytes:
    """The named signatories as the documents list them, no contact data."""
    language = document.language

    def row(signatory) -> list:
        values = entry_values(signatory, PUBLIC_COLUMNS)
        values["kind"] = translate(language, KIND_WORDS.get(values["kind"], values["kind"]))
        return list(values.values())

    return csv_bytes(
        header_row(PUBLIC_COLUMNS, language), (row(s) for s in document.signatories.listed)
    )


def team_csv(signatures: Iterable, consent: dict[int, str], language: str = "en") -> bytes:
    """Every signature of a statement with its contact data, for the statement's team.

    `signatures` are signatures.models.Signature rows in the order to print;
    `consent` says, per signature id, whether its consent covers the final text
    ("covers the text") or not ("needs re-confirmation"); a signature that is
    not signed has none. "listed" is whether the documents print it (named or
    counted), so the CSV counts what the documents count."""
    return csv_bytes(
        header_row(TEAM_COLUMNS, language),
        (_team_row(s, consent.get(s.id, "")) for s in signatures),
    )


LISTED_CONSENT = "covers the text"


def _team_row(signature, consent: str) -> list:
    invitation = signature.invitation
    return [
        signature.name,
        signature.acronym,
        signature.country,
        signature.website,
        signature.note,
        signature.kind.value,
        signature.listed_publicly,
        consent == LISTED_CONSENT,
        signature.position,
        signature.state.value,
        consent,
        signature.source.value,
        signature.contact_email,
        signature.authorised_by,
        signature.authoriser_title,
        signature.version.number if signature.version else "",
        signature.text_sha256,
        signature.signed_at,
        signature.updated_at,
        signature.verified_at,
        signature.withdrawn_at,
        invitation.organisation if invitation else "",
        invitation.email if invitation else "",
    ]
