"""Building the document model from a stored statement (a statement file's:
statements/file_document.py)."""

from __future__ import annotations

from datetime import datetime

from ..columns import utcnow
from ..documents.model import Document, build_document
from ..documents.signatories import in_language, named_in
from ..signatures.listing import final_section
from ..times import local_day


def planned_date(statement, now: datetime | None = None) -> str:
    """The ISO day the documents of a statement not yet public carry: its own
    `date` if set, else the embargo's day if publication is scheduled, else today;
    days in the statement's time zone. Reads only `date`, `embargo_until` and
    `time_zone`, so a row of the statements table does as well as the object."""
    if statement.date:
        return statement.date
    moment = statement.embargo_until or now or utcnow()
    return local_day(moment, statement.time_zone).isoformat()


def publication_date(statement_date: str | None, time_zone: str, published: datetime) -> str:
    """The ISO day a published statement's documents carry: the statement's own
    `date` if set, else the day it became public, in its time zone."""
    return statement_date or local_day(published, time_zone).isoformat()


def document_for_statement(statement, *, author: str = "", translation=None) -> Document:
    """The current text and final list of a statement in the database, dated with
    its planned date (`planned_date`) and marked as not yet published; with a
    `translation` version, its text in its language above the same list.
    `author` goes into the PDF's and DOCX's metadata (DOCUMENT_AUTHOR)."""
    version = translation or statement.current_version
    order = statement.signatory_order.value
    language = statement.language
    if translation is not None:
        language = translation.language
        section = in_language(final_section(statement), language, translation.intro, order)
    else:
        section = named_in(final_section(statement), language, order)
    return build_document(
        title=version.title,
        body=version.body,
        language=language,
        signatories=section,
        date=planned_date(statement),
        date_planned=True,
        version_number=version.number,
        sha256=version.sha256,
        author=author,
    )
