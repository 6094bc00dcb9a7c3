"""A statement file as a document, with no database: what `signon render` prints.

Kept apart from publication/ so that the command loads no database code."""

from __future__ import annotations

from ..documents.model import Document, build_document
from ..documents.signatories import Signatory, build_section
from ..signatory_fields import PRINTED_FIELDS, entry_values
from ..text import fingerprint
from .files import StatementFile
from .translation_files import TranslationFile


def document_for_file(
    source: StatementFile, *, author: str = "", translation: TranslationFile | None = None
) -> Document:
    """A statement file as a document, with no database (`signon render`); with a
    `translation`, its text and intro in its language, above the same list."""
    text = translation or source
    language = translation.language if translation else source.language
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
        language=language,
        intro=text.signatories_intro,
    )
    return build_document(
        title=text.title,
        body=text.body,
        language=language,
        signatories=section,
        date=source.date or "",
        version_number=1,
        sha256=fingerprint(text.title, text.body),
        author=author,
    )
