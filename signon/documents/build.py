"""Building the document model from a stored statement or from a statement file."""

from __future__ import annotations

from ..statements.files import StatementFile
from ..text import fingerprint
from .model import Document, build_document
from .signatories import Signatory, build_section


def document_for_statement(statement, *, author: str = "") -> Document:
    """The current text and final list of a statement in the database.
    `author` goes into the PDF's and DOCX's metadata (DOCUMENT_AUTHOR)."""
    from ..signatures.listing import final_section

    version = statement.current_version
    return build_document(
        title=version.title,
        body=version.body,
        language=statement.language,
        signatories=final_section(statement),
        date=statement.date or version.created_at.date().isoformat(),
        version_number=version.number,
        sha256=version.sha256,
        author=author,
    )


def document_for_file(source: StatementFile, *, author: str = "") -> Document:
    """A statement file as a document, with no database (`signon render`)."""
    section = build_section(
        (
            Signatory(
                name=s.name,
                acronym=s.acronym,
                country=s.country,
                note=s.note,
                kind=s.kind,
                listed=not s.anonymous,
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
