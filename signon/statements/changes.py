"""What changed between two versions, as signers and editors are shown it.

See docs/architecture.md, Diffs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from .diff import CACHED_PAIRS, TextDiff, text_diff, word_diff
from .models import Version


@dataclass(frozen=True)
class EditorNote:
    """The note an editor saved with a version (None: the change not yet saved)."""

    number: int | None
    text: str
    kind: str = ""


@dataclass(frozen=True)
class Changes:
    title: tuple[tuple[str, str], ...]
    title_changed: bool
    body: TextDiff
    notes: tuple[EditorNote, ...]

    @property
    def changed(self) -> bool:
        return self.title_changed or self.body.changed

    @property
    def inserted(self) -> int:
        return self.body.inserted

    @property
    def deleted(self) -> int:
        return self.body.deleted


def _notes_between(statement_id: int, low: int, high: int) -> list[EditorNote]:
    """The notes of versions low+1 .. high, oldest first."""
    rows = db.session.execute(
        select(Version.number, Version.note, Version.change_kind)
        .where(Version.statement_id == statement_id, Version.number > low, Version.number <= high)
        .order_by(Version.number)
    ).all()
    return [EditorNote(number, note, kind.value) for number, note, kind in rows if note]


def _changes(old_title: str, old_body: str, new_title: str, new_body: str, notes) -> Changes:
    return Changes(
        title=tuple(word_diff(old_title, new_title)),
        title_changed=old_title != new_title,
        body=text_diff(old_body, new_body),
        notes=tuple(notes),
    )


def changes_between(old: Version | None, new: Version) -> Changes:
    """The changes from one saved version to another (old None: from nothing),
    with the editors' notes of the versions in between."""
    low = min(old.number, new.number) if old is not None else 0
    high = max(old.number, new.number) if old is not None else new.number
    notes = _notes_between(new.statement_id, low, high)
    old_title, old_body = (old.title, old.body) if old is not None else ("", "")
    return _changes(old_title, old_body, new.title, new.body, notes)


def translation_changes(old, new) -> Changes:
    """The changes from one version of a translation to a later one (old None: from
    nothing), with the translators' notes of the versions in between."""
    low = old.number if old is not None else 0
    notes = [
        EditorNote(v.number, v.note, v.change_kind.value)
        for v in new.translation.versions
        if low < v.number <= new.number and v.note
    ]
    old_title, old_body = (old.title, old.body) if old is not None else ("", "")
    return _changes(old_title, old_body, new.title, new.body, notes)


def draft_changes(baseline: Version, current: Version, *, title: str, body: str, note: str):
    """The changes a save would make against `baseline` (the version signers
    consented to), with the notes saved since it and the one being typed."""
    notes = _notes_between(baseline.statement_id, baseline.number, current.number)
    if note.strip():
        notes.append(EditorNote(None, note.strip()))
    return _changes(baseline.title, baseline.body, title, body, notes)


def diff_ahead(pairs: Iterable[tuple[str, str]]) -> None:
    """Diff these (old body, new body) pairs into the cache, so the emails and
    pages that show them later find them done; as many as the cache keeps."""
    for old, new in list(dict.fromkeys(pairs))[:CACHED_PAIRS]:
        text_diff(old, new)
