"""Saving a new text of a statement, the action behind the edit page."""

from __future__ import annotations

from dataclasses import dataclass

from ..accounts.models import User
from ..audit.models import actor_name, record
from ..signatures.reconfirm import diff_emails_ahead, request_reconfirmations
from ..statements.models import ChangeKind, Statement, Version
from ..statements.service import save_version, set_lead_organisations
from ..text import canonical_text


@dataclass(frozen=True)
class SavedText:
    version: Version | None  # None: the text did not change, no version was made
    leads_changed: bool
    asked: int  # signers asked to confirm a substantive change


def save_text(
    statement: Statement,
    *,
    title: str,
    body: str,
    language: str,
    lead_organisations: str,
    note: str,
    kind: ChangeKind | None,
    actor,
) -> SavedText:
    """The team's edit (not committed): language, lead organisations, and the text as
    the next version, recorded; a substantive change asks its signers to confirm.

    Their emails show each signer the changes, so those are diffed first, before
    anything is written and the write lock is taken."""
    if kind is ChangeKind.SUBSTANTIVE:
        diff_emails_ahead(statement, body=canonical_text(body))
    statement.language = language
    leads_changed = set_lead_organisations(statement, lead_organisations, actor=actor)
    version, asked = save_next_version(
        statement, title=title, body=body, author=actor, actor=actor, note=note, kind=kind
    )
    return SavedText(version, leads_changed, asked)


def save_next_version(
    statement: Statement,
    *,
    title: str,
    body: str,
    author: User | None,
    actor,
    note: str,
    kind: ChangeKind | None,
) -> tuple[Version | None, int]:
    """The text as the statement's next version (not committed), recorded in the
    audit trail; after a substantive change its signers are asked to confirm.
    Returns the version (None: the text did not change) and how many signers were
    emailed. `actor` is a user, or how the audit trail names a command; a caller
    that emails diffs computes them first (reconfirm.diff_emails_ahead)."""
    version = save_version(statement, title=title, body=body, author=author, note=note, kind=kind)
    if version is None:
        return None, 0
    record(
        statement.id,
        actor_name(actor),
        "version saved",
        version=version.number,
        kind=version.change_kind.value,
        note=version.note,
    )
    asked = 0
    if version.change_kind is ChangeKind.SUBSTANTIVE and kind is not None:
        asked = request_reconfirmations(statement, actor=actor)
    return version, asked
