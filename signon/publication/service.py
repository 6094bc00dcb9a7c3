"""Publishing a closed statement, and the dated editions of its published list.

See docs/architecture.md, Publication and editions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..audit.models import record
from ..columns import utcnow
from ..documents.atomic_files import write_atomically, write_once
from ..documents.cache import RenderFailed, note_render
from ..documents.model import Document, build_document
from ..documents.signatories import Signatory, SignatorySection, in_language, named_in
from ..extensions import db
from ..i18n import language_name
from ..locale_choice import current_language
from ..signatory_fields import PUBLIC_ENTRY_FIELDS, entry_values
from ..signatures.consent import awaiting_reconfirmation
from ..signatures.listing import final_section
from ..signatures.models import Signature, SignatureState
from ..statements.lifecycle import LATEST_DEADLINE, settle_status, under_embargo
from ..statements.models import Statement, Status, Version
from ..statements.translation_models import TranslationVersion
from ..statements.translations import language_states
from ..times import local_day, team_time
from .documents import publication_date
from .models import Edition

EDITIONS_FOLDER = "editions"
FILE_KINDS = ("pdf", "docx")  # what every edition keeps; the PDF on A4
# 2: the snapshot's "date" is the statement's own date only (or ""); the printed
# date is then the day of publication (`printed_date`). 1: the date as frozen.
SNAPSHOT_FORMAT = 2


class PublicationError(ValueError):
    """Publishing is not possible now, with a message for people."""


class EmbargoError(PublicationError):
    """The embargo time is not acceptable (in the past, or too far ahead)."""


class FilesFailed(PublicationError):
    """The final files could not be made, so nothing was published."""


# Embargo ----------------------------------------------------------------------
def check_embargo(embargo_until: datetime | None) -> None:
    """EmbargoError unless the embargo is unset or in the coming years."""
    if embargo_until is None:
        return
    now = utcnow()
    if embargo_until <= now:
        raise EmbargoError(
            _("The embargo must be in the future. Leave it empty to publish right away.")
        )
    if embargo_until > now + LATEST_DEADLINE:
        raise EmbargoError(_("The embargo is too far ahead; choose a time in the coming years."))


def scheduled_for(statement: Statement) -> str:
    """When a publication under embargo goes public, in the statement's zone
    ('5 Jun 2026, 16:03 (Europe/Paris)'), in the page's language; '' unless it is
    under embargo now."""
    if not under_embargo(statement):
        return ""
    return team_time(statement.embargo_until, statement.time_zone, current_language())


def _refuse_unless_scheduled(statement: Statement) -> None:
    if statement.status is not Status.PUBLISHED:
        raise PublicationError(_("This statement is not scheduled for publication."))
    if not under_embargo(statement):
        raise PublicationError(
            _(
                "This statement is public already: its embargo has ended, so its "
                "publication can no longer be moved or cancelled."
            )
        )


def move_embargo(statement: Statement, actor: str, embargo_until: datetime | None) -> bool:
    """Move a scheduled publication to `embargo_until` (UTC), or, with None,
    publish it now: the embargo ends at once. Not committed; audited as "embargo
    moved" or "published now". False (nothing recorded) for the time it already
    has. Raises EmbargoError for a time in the past or too far ahead, and
    PublicationError unless the statement is under embargo; nothing changes then."""
    _refuse_unless_scheduled(statement)
    previous = statement.embargo_until
    if embargo_until is None:
        statement.embargo_until = utcnow()
        record(statement.id, actor, "published now", previous_embargo=previous.isoformat())
        return True
    check_embargo(embargo_until)
    if embargo_until == previous:
        return False
    statement.embargo_until = embargo_until
    record(
        statement.id,
        actor,
        "embargo moved",
        embargo_until=embargo_until.isoformat(),
        previous_embargo=previous.isoformat(),
    )
    return True


def cancel_publication(statement: Statement, actor: str) -> list[int]:
    """Take back a publication still under embargo (not committed): the statement
    is closed again, as before publishing, and its editions (the publication and
    any list update made since) are deleted with their files, so nothing of them
    can become public. Audited as "publication cancelled". Returns the numbers of
    the editions undone. PublicationError unless it is under embargo.

    The files go before the commit: should the commit fail, an edition whose file
    is missing renders it again on its next download (edition_file)."""
    _refuse_unless_scheduled(statement)
    editions = editions_of(statement)
    for edition in editions:
        for kind in FILE_KINDS:
            path = edition_path(edition, kind)
            try:
                path.unlink(missing_ok=True)
            except OSError as error:  # left behind, never served: no edition names it
                current_app.logger.warning("Could not delete %s: %s", path, error)
        db.session.delete(edition)
    embargo = statement.embargo_until
    statement.status = Status.CLOSED
    statement.published_at = None
    statement.published_by = ""
    statement.embargo_until = None
    numbers = [e.number for e in editions]
    record(
        statement.id,
        actor,
        "publication cancelled",
        embargo_until=embargo.isoformat(),
        editions=numbers,
    )
    return numbers


# Snapshots and documents --------------------------------------------------------
def section_snapshot(section: SignatorySection) -> dict:
    """The printed section as JSON-ready data: display fields only."""
    return {
        "intro": section.intro,
        "organisations": [_entry(s) for s in section.organisations],
        "individuals": [_entry(s) for s in section.individuals],
        "anonymous_organisations": section.anonymous_organisations,
        "anonymous_individuals": section.anonymous_individuals,
        "anonymous_sentence": section.anonymous_sentence,
    }


def _entry(signatory: Signatory) -> dict:
    entry = entry_values(signatory, PUBLIC_ENTRY_FIELDS)
    if signatory.names:
        entry["names"] = dict(signatory.names)
    return entry


def _signatory(entry: dict) -> Signatory:
    names = tuple(sorted(entry.pop("names", {}).items()))
    return Signatory(**entry, names=names)


def section_from_snapshot(data: dict) -> SignatorySection:
    """The section a snapshot froze, in its printed order (no sorting again)."""
    return SignatorySection(
        intro=data["intro"],
        organisations=[_signatory(dict(entry)) for entry in data["organisations"]],
        individuals=[_signatory(dict(entry)) for entry in data["individuals"]],
        anonymous_organisations=data["anonymous_organisations"],
        anonymous_individuals=data["anonymous_individuals"],
        anonymous_sentence=data["anonymous_sentence"],
    )


def _live_snapshot(statement: Statement, version: Version) -> dict:
    return {
        "format": SNAPSHOT_FORMAT,
        "language": statement.language,
        "order": statement.signatory_order.value,
        "date": statement.date or "",
        "author": current_app.config.get("DOCUMENT_AUTHOR", ""),
        "section": section_snapshot(final_section(statement)),
        # The current translations frozen with it: language -> translation version id.
        "translations": {
            state.language: state.version.id
            for state in language_states(statement)
            if not state.master and state.offered
        },
    }


def edition_languages(edition: Edition) -> list[str]:
    """The languages an edition prints: its master's, then its translations'."""
    return [edition.snapshot["language"], *sorted(edition.snapshot.get("translations", {}))]


def edition_date(edition: Edition) -> date:
    """The day the edition was made, in its statement's time zone."""
    return local_day(edition.created_at, edition.statement.time_zone)


def made_public_at(statement: Statement) -> datetime | None:
    """When the public first sees (or saw) the statement: the embargo's end when
    publication was scheduled, else the moment it was published."""
    return statement.embargo_until or statement.published_at


def printed_date(edition: Edition, published: datetime | None = None) -> str:
    """The ISO date every edition of a statement prints: the statement's own date
    as frozen at publication, else the day the statement became public in its
    time zone (an embargoed statement: the embargo's day, which follows the
    embargo if it moves). `published` stands in for the statement's own times
    while it is being published."""
    snapshot = edition.snapshot
    if snapshot.get("format", 1) < 2:
        return snapshot["date"]  # frozen whole by an earlier signon
    statement = edition.statement
    moment = published or made_public_at(statement) or edition.created_at
    return publication_date(snapshot["date"], statement.time_zone, moment)


def edition_document(
    edition: Edition, *, published: datetime | None = None, language: str | None = None
) -> Document:
    """What an edition prints: its version's text and its snapshot's list, dated
    with the publication date (`printed_date`); in `language`, the translation it
    froze, above the same list. Editions after the first say "List updated on"
    their date. Raises LookupError for a language the edition does not hold."""
    snapshot = edition.snapshot
    text = edition.version
    section = section_from_snapshot(snapshot["section"])
    if language and language != snapshot["language"]:
        text = _frozen_translation(edition, language)
        section = in_language(section, language, text.intro, snapshot["order"])
    else:
        language = snapshot["language"]
        section = named_in(section, language, snapshot["order"])
    return build_document(
        title=text.title,
        body=text.body,
        language=language,
        signatories=section,
        date=printed_date(edition, published),
        version_number=text.number,
        sha256=text.sha256,
        author=snapshot["author"],
        list_updated=edition_date(edition).isoformat() if edition.number > 1 else "",
    )


def _frozen_translation(edition: Edition, language: str) -> TranslationVersion:
    version_id = edition.snapshot.get("translations", {}).get(language)
    version = db.session.get(TranslationVersion, version_id) if version_id else None
    if version is None:
        raise LookupError(language)
    return version


# Files --------------------------------------------------------------------------
def edition_path(
    edition: Edition, kind: str, *, published: datetime | None = None, language: str | None = None
) -> Path:
    """Where an edition's file lives. The name carries a digest of what shapes the
    file, so a file left by a publication that was rolled back is never served
    for another edition, and a moved embargo (another printed date) makes new files."""
    shaping = {
        "number": edition.number,
        "sha256": edition.version.sha256,
        "title": edition.version.title,
        "snapshot": edition.snapshot,
        "list_updated": edition_date(edition).isoformat() if edition.number > 1 else "",
    }
    if edition.snapshot.get("format", 1) >= 2:
        # (An older snapshot froze its date: its files keep their names.)
        shaping["date"] = printed_date(edition, published)
    translated = language and language != edition.snapshot["language"]
    if translated:
        shaping["language"] = language
    material = json.dumps(shaping, sort_keys=True)
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
    folder = Path(current_app.instance_path) / EDITIONS_FOLDER / str(edition.statement_id)
    suffix = f".{language}" if translated else ""
    return folder / f"{edition.number}-{digest}{suffix}.{kind}"


def _seconds() -> float:
    return float(current_app.config.get("RENDER_TIME_LIMIT", 60))


def _render(kind: str, document: Document) -> bytes:
    from ..documents.docx import render_docx
    from ..documents.pdf import render_pdf_with_time_limit, render_with_time_limit
    from ..documents.render_child import RenderError

    try:
        if kind == "pdf":
            data = render_pdf_with_time_limit(document, page_size="A4", seconds=_seconds())
        else:
            data = render_with_time_limit(render_docx, document, seconds=_seconds())
    except RenderError as error:
        raise RenderFailed(f"The {kind.upper()} could not be produced: {error}") from error
    if not data:
        raise RenderFailed(f"The {kind.upper()} renderer produced no file.")
    return data


def _write(edition: Edition, files: dict[str, bytes], published: datetime | None = None) -> None:
    for kind, data in files.items():
        path = edition_path(edition, kind, published=published)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)


def edition_file(edition: Edition, kind: str, language: str | None = None) -> Path:
    """The stored PDF (A4) or DOCX of an edition (in one of its languages), rendered
    from the edition the first time it is asked for. Raises RenderFailed; nothing
    is written then, and LookupError for a language the edition does not hold."""
    if kind not in FILE_KINDS:
        raise ValueError(f"an edition keeps {' and '.join(FILE_KINDS)} files, not {kind!r}")
    document = edition_document(edition, language=language) if language else None
    path = edition_path(edition, kind, language=language)
    if path.is_file():
        return path

    def produce() -> bytes:
        note_render(f"edition {kind}")
        return _render(kind, document or edition_document(edition))

    return write_once(path, produce)


# Queries ------------------------------------------------------------------------
def editions_of(statement: Statement) -> list[Edition]:
    """Every edition of a statement, the first first."""
    return list(
        db.session.scalars(
            select(Edition).where(Edition.statement_id == statement.id).order_by(Edition.number)
        )
    )


def latest_edition(statement: Statement) -> Edition | None:
    """The edition the public sees now, or None if the statement was never published."""
    return db.session.scalar(
        select(Edition)
        .where(Edition.statement_id == statement.id)
        .order_by(Edition.number.desc())
        .limit(1)
    )


def edition_on(statement: Statement, day: date) -> Edition | None:
    """The latest edition made on that day (in the statement's time zone)."""
    found = [e for e in editions_of(statement) if edition_date(e) == day]
    return found[-1] if found else None


def dated_editions(statement: Statement) -> list[tuple[date, Edition]]:
    """One (day, edition) per day an edition was made, newest first: the editions
    a dated address serves."""
    by_day: dict[date, Edition] = {}
    for edition in editions_of(statement):
        by_day[edition_date(edition)] = edition  # a later edition that day wins
    return sorted(by_day.items(), key=lambda item: item[0], reverse=True)


def _next_number(statement: Statement) -> int:
    last = db.session.scalar(
        select(func.max(Edition.number)).where(Edition.statement_id == statement.id)
    )
    return (last or 0) + 1


# Publishing ---------------------------------------------------------------------
@dataclass(frozen=True)
class PublicationSummary:
    """What publishing would freeze, for the owner's confirmation page."""

    version: Version
    section: SignatorySection
    awaiting_reconfirmation: int
    awaiting_approval: int

    @property
    def listed(self) -> int:
        return len(self.section.listed)

    @property
    def anonymous(self) -> int:
        return self.section.anonymous_organisations + self.section.anonymous_individuals


def publication_summary(statement: Statement) -> PublicationSummary:
    """The version and list that publishing now would freeze, and who is left out."""
    pending = db.session.scalar(
        select(func.count())
        .select_from(Signature)
        .where(Signature.statement_id == statement.id, Signature.state == SignatureState.PENDING)
    )
    return PublicationSummary(
        version=statement.current_version,
        section=final_section(statement),
        awaiting_reconfirmation=len(awaiting_reconfirmation(statement)),
        awaiting_approval=pending or 0,
    )


def cannot_publish_message(status: Status) -> str:
    """Why a statement that is not closed (a draft, open) cannot be published."""
    if status is Status.DRAFT:
        return _(
            "Only a closed statement can be published; this one is draft. "
            "Close it for signatures first."
        )
    return _(
        "Only a closed statement can be published; this one is open. Close it for signatures first."
    )


def edition_reason(reason: str) -> str:
    """Why an edition was made (stored in English), as people read it now; a
    reason this version does not know shows as stored."""
    reasons = {
        "published": _("published"),
        "list updated: signature withdrawn": _("list updated: signature withdrawn"),
        "list updated: late signature approved": _("list updated: late signature approved"),
        "list updated: entry corrected by the team": _("list updated: entry corrected by the team"),
        "list updated: list reordered": _("list updated: list reordered"),
    }
    return reasons.get(reason, reason)


def _check_translations(statement: Statement) -> None:
    """An out-of-date translation blocks publishing until it is updated or dropped."""
    behind = [
        language_name(state.language, current_language())
        for state in language_states(statement)
        if not state.master and not state.dropped and not state.current
    ]
    if behind:
        raise PublicationError(
            ngettext(
                "The %(languages)s translation is out of date: update it to the current "
                "text, or drop it from this edition, before publishing.",
                "The %(languages)s translations are out of date: update them to the current "
                "text, or drop them from this edition, before publishing.",
                len(behind),
                languages=", ".join(behind),
            )
        )


def publish(statement: Statement, actor: str, embargo_until: datetime | None = None) -> Edition:
    """closed -> published (not committed): freeze the version and the list as
    edition 1 and write its files. `actor` is an audit actor (audit.user_actor);
    before `embargo_until` (UTC) the public sees nothing.

    Raises PublicationError with a message for people: EmbargoError for the
    embargo, FilesFailed when the files cannot be made (nothing is changed then).
    """
    if statement.status is Status.PUBLISHED:
        raise PublicationError(_("This statement is already published."))
    status = settle_status(statement)
    if status is not Status.CLOSED:
        raise PublicationError(cannot_publish_message(status))
    version = statement.current_version
    if version is None:
        raise PublicationError(_("This statement has no text to publish."))
    _check_translations(statement)
    check_embargo(embargo_until)
    now = utcnow()
    edition = Edition(
        statement_id=statement.id,
        number=_next_number(statement),
        version_id=version.id,
        created_at=now,
        created_by=actor,
        reason="published",
        snapshot=_live_snapshot(statement, version),
    )
    # Not yet in the session: if a file fails, there is nothing to take back.
    edition.statement, edition.version = statement, version
    # The statement's times are set only once the files exist; meanwhile the
    # moment it will become public dates them.
    published = embargo_until or now
    document = edition_document(edition, published=published)
    try:
        files = {kind: _render(kind, document) for kind in FILE_KINDS}
        _write(edition, files, published)
    except (RenderFailed, OSError) as error:
        current_app.logger.error("Publishing %s failed: %s", statement.slug, error)
        raise FilesFailed(
            _(
                "The final PDF and DOCX could not be produced, so nothing was published. "
                "Try again in a moment."
            )
        ) from error
    statement.status = Status.PUBLISHED
    statement.published_at = now
    statement.published_by = actor
    statement.embargo_until = embargo_until
    db.session.add(edition)
    section = edition.snapshot["section"]
    record(
        statement.id,
        actor,
        "published",
        version=version.number,
        edition=edition.number,
        embargo_until=embargo_until.isoformat() if embargo_until else None,
        listed=len(section["organisations"]) + len(section["individuals"]),
        anonymous=section["anonymous_organisations"] + section["anonymous_individuals"],
    )
    return edition


def note_list_change(statement: Statement, actor: str, reason: str) -> Edition | None:
    """After a signature changed (not committed): if the statement is published and
    its printed list now differs from the latest edition's, add the next edition
    and record "list updated". Its files are rendered on first download. A no-op
    (None) for an unpublished statement or an unchanged list."""
    if statement.status is not Status.PUBLISHED:
        return None
    db.session.flush()  # the change itself, before the list is read again
    # One list update at a time per statement (PostgreSQL; SQLite serialises writes).
    db.session.execute(select(Statement.id).where(Statement.id == statement.id).with_for_update())
    latest = latest_edition(statement)
    if latest is None:
        return None
    live = _live_snapshot(statement, latest.version)
    if live["section"] == latest.snapshot["section"]:
        return None
    # The text, its date and its language stay as published; only the list moves.
    snapshot = {**latest.snapshot, "section": live["section"]}
    edition = Edition(
        statement_id=statement.id,
        number=latest.number + 1,
        version_id=latest.version_id,
        created_at=utcnow(),
        created_by=actor,
        reason=f"list updated: {reason}"[:200],
        snapshot=snapshot,
    )
    db.session.add(edition)
    record(statement.id, actor, "list updated", edition=edition.number, reason=reason)
    return edition
