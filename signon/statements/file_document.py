"""A statement file as a document, with no database: what `signon render` prints.

Kept apart from publication/ so that the command loads no database code."""

from __future__ import annotations

from ..documents.model import Document, build_document
from ..documents.signatories import Signatory, build_section
from ..signatory_fields import PRINTED_FIELDS, entry_values
from ..text import fingerprint
from .files import StatementFile


def document_for_file(source: StatementFile, *, author: str = "") -> Document:
    """A statement file as a document, with no database (`signon render`)."""
    section = build_section(
        (
            Signatory(
                **entry_values(s, PRINTED_FIELDS),
                kind=s.kind,
                listed=s.listed_publicly,
                position=position,
            )
            for position, s in enumerate(source.signatories)
        ),
        order=source.signatory_order,
        language=source.language,
        intro=source.signatories_intro,
    )
    return build_document(
        title=source.title,
        body=source.body,
        language=source.language,
        signatories=section,
        date=source.date or "",
        version_number=1,
        sha256=fingerprint(source.title, source.body),
        author=author,
    )
