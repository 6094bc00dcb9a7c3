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
    return csv_bytes(
        PUBLIC_COLUMNS,
        (entry_values(s, PUBLIC_COLUMNS).values() for s in document.signatories.listed),
    )


def team_csv(signatures: Iterable, consent: dict[int, str]) -> bytes:
    """Every signature of a statement with its contact data, for the statement's team.

    `signatures` are signatures.models.Signature rows in the order to print;
    `consent` says, per signature id, whether its consent covers the final text
    ("covers the text") or not ("needs re-confirmation"); a signature that is
    not signed has none. "listed" is whether the documents print it (named or
    counted), so the CSV counts what the documents count."""
    return csv_bytes(TEAM_COLUMNS, (_team_row(s, consent.get(s.id, "")) for s in signatures))


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
