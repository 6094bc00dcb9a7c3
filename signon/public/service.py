"""What the public sees of a statement: which statements, which document, which data.

See docs/architecture.md, Privacy of the public pages.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app
from sqlalchemy import bindparam, select

from ..documents.cache import cached_render, stored_path
from ..documents.model import Document
from ..extensions import db
from ..publication.documents import document_for_statement, planned_date
from ..publication.models import Edition
from ..publication.service import (
    edition_document,
    edition_file,
    edition_languages,
    latest_edition,
)
from ..signatory_fields import PUBLIC_ENTRY_FIELDS, entry_values
from ..statements.access import statement_for
from ..statements.lifecycle import status_now
from ..statements.models import Statement, Status
from ..statements.translation_models import TranslationVersion
from ..statements.translations import LanguageState, language_states, offered_languages
from ..statements.visibility import list_is_public

PAGE_SIZES = {"a4": "A4", "letter": "Letter"}  # ?size= -> signon.documents.pdf's name
DEFAULT_RENDER_TIME_LIMIT = 60


def preview_statement(slug: str) -> Statement:
    """The statement at slug for its team's preview of the public page and files:
    any member's (others get 404, as on every team route); 404 while it has no text."""
    statement = statement_for(slug)
    if statement.current_version_id is None:
        abort(404)
    return statement


# The columns that decide whether a statement is public and name its stored files:
# a row of them answers a cached download without loading the statement, by the
# same rule as every other public address (list_is_public). Built once: making a
# select of ten columns costs as much as running it.
_IDENTITY_ROW = select(
    Statement.id,
    Statement.status,
    Statement.current_version_id,
    Statement.embargo_until,
    Statement.live_list,
    Statement.list_revision,
    Statement.language,
    Statement.date,
    Statement.time_zone,
    Statement.signatories_intro,
    Statement.signatory_order,
).where(Statement.slug == bindparam("slug"))


def stored_download(slug: str, kind: str, options: dict | None = None) -> Path | None:
    """The already rendered file of a live list's download (an open or closed
    statement whose owner opted in), found from one row of the statements table
    (no list, no ORM object): the common case of a download after the first.
    None when there is no such file yet, or the statement is published (its
    editions decide), or not public (the caller's slower path answers 404 then).
    A file the team's preview rendered has the same name, so the public check
    here is what keeps it from the public."""
    # One read: no session to set up and tear down, no transaction (database.py).
    with db.engine.connect().execution_options(single_read=True) as connection:
        row = connection.execute(_IDENTITY_ROW, {"slug": slug}).first()
    if row is None or row.status is Status.PUBLISHED or not list_is_public(row):
        return None
    path = stored_path(current_app.instance_path, kind, statement_identity(row), options=options)
    return path if path.is_file() else None


def current_edition(statement: Statement) -> Edition | None:
    """The edition the public sees: the latest, once published; else None."""
    if statement.status is not Status.PUBLISHED:
        return None
    return latest_edition(statement)


def public_document(
    statement: Statement, edition: Edition | None = None, language: str | None = None
) -> Document:
    """The document every public output is a view of: the latest edition of a
    published statement, the live text and list before that; in `language`, one of
    its translations (current ones, or those the edition froze). Raises LookupError
    for a language the statement is not offered in."""
    edition = edition or current_edition(statement)
    if edition is not None:
        return edition_document(edition, language=language)
    author = current_app.config.get("DOCUMENT_AUTHOR", "")
    return document_for_statement(
        statement, author=author, translation=live_translation(statement, language)
    )


def text_languages(statement: Statement, edition: Edition | None = None) -> list[str]:
    """The languages the public reads the statement in, the master's first."""
    edition = edition or current_edition(statement)
    return edition_languages(edition) if edition is not None else offered_languages(statement)


def live_translation(statement: Statement, language: str | None) -> TranslationVersion | None:
    """The current translation in `language` (None for the master's); LookupError
    for a language the statement is not offered in now."""
    if not language or language == statement.language:
        return None
    for state in language_states(statement):
        if state.language == language and not state.master and state.offered:
            return state.version
    raise LookupError(language)


def statement_identity(statement: Statement) -> dict:
    """What names a stored statement's document in the render cache, read from its
    own row: versions never change, and every change to a signature raises
    list_revision (signatures/list_revision.py), so a cached download builds no list."""
    return {
        "statement": statement.id,
        "version": statement.current_version_id,
        "list_revision": statement.list_revision,
        "language": statement.language,
        "date": planned_date(statement),  # today's, when no date is planned
        "intro": statement.signatories_intro,
        "order": statement.signatory_order.value,
        "author": current_app.config.get("DOCUMENT_AUTHOR", ""),
    }


def _seconds() -> float:
    return float(current_app.config.get("RENDER_TIME_LIMIT", DEFAULT_RENDER_TIME_LIMIT))


def rendered_pdf(statement: Statement, page_size: str, language: str | None = None) -> Path:
    """The stored PDF of the statement (in `language`), rendered (within the time
    limit) if need be. A published statement's is its latest edition's file (A4),
    or, on Letter, a render of that edition. Raises documents.cache.RenderFailed."""
    from ..documents.pdf import render_pdf_with_time_limit

    edition = current_edition(statement)
    if edition is not None and page_size == "A4":
        return edition_file(edition, "pdf", language)
    # An edition's Letter PDF is named by its document, which never changes.
    frozen = edition_document(edition, language=language) if edition is not None else None

    def render() -> bytes:
        document = frozen or public_document(statement, language=language)
        return render_pdf_with_time_limit(document, page_size=page_size, seconds=_seconds())

    return cached_render(
        current_app.instance_path,
        "pdf",
        frozen or _identity_in(statement, language),
        render,
        options={"page_size": page_size},
    )


def _identity_in(statement: Statement, language: str | None) -> dict:
    """statement_identity, and the translation version a document in `language` prints."""
    identity = statement_identity(statement)
    translation = live_translation(statement, language)
    if translation is not None:
        identity["translation"] = translation.id
    return identity


def rendered_docx(statement: Statement, language: str | None = None) -> Path:
    """The stored DOCX of the statement, rendered if need be (in a child process with
    the same time limit as the PDF); a published statement's latest edition's file.
    Raises RenderFailed."""
    from ..documents.docx import render_docx
    from ..documents.pdf import render_with_time_limit

    edition = current_edition(statement)
    if edition is not None:
        return edition_file(edition, "docx", language)

    def render() -> bytes:
        document = public_document(statement, language=language)
        return render_with_time_limit(render_docx, document, seconds=_seconds())

    return cached_render(
        current_app.instance_path, "docx", _identity_in(statement, language), render
    )


def api_payload(statement: Statement, document: Document) -> dict:
    """GET /api/v1/statements/<slug>, as the README documents it. No contact data: the
    signatories come from the document model, which holds display fields only."""
    section = document.signatories
    anonymous = section.anonymous_organisations + section.anonymous_individuals
    return {
        "title": document.title,
        "slug": statement.slug,
        "status": status_now(statement).value,
        "language": document.language,
        "date": document.date,
        "version": {"number": document.version_number, "sha256": document.sha256},
        "counts": {"listed": len(section.listed), "anonymous": anonymous, "total": section.total},
        "signatories": [entry_values(s, PUBLIC_ENTRY_FIELDS) for s in section.listed],
        "anonymous_count": anonymous,
        "languages": [_language_entry(state) for state in language_states(statement)],
    }


def _language_entry(state: LanguageState) -> dict:
    """One language of the text: the master, or a translation and its status."""
    version = state.version
    entry = {
        "language": state.language,
        "master": state.master,
        "status": "master"
        if state.master
        else "dropped"
        if state.dropped
        else "current"
        if state.current
        else "out of date",
        "version": version.number if version is not None else None,
        "sha256": version.sha256 if version is not None else None,
    }
    if not state.master and version is not None:
        entry["master_version"] = version.master_version.number
    return entry
