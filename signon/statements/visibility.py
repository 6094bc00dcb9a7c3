"""Which statements anyone may see: the one rule every public address follows.

Nothing of a list is public before its publication: a draft, an open or a closed
statement, and a published one still under its embargo, answer 404, the same 404
as a slug that does not exist. An owner may opt in to a live list (live_list.py):
then an open or closed statement is public while it collects.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from ..extensions import db
from .lifecycle import under_embargo
from .models import Statement, Status

# Public while collecting only with a live list; published, once its embargo ends.
LIVE_LIST_STATUSES = frozenset({Status.OPEN, Status.CLOSED})


def list_is_public(statement: Statement) -> bool:
    """True when the statement's text and list may be shown to anyone: published
    and past any embargo, or open or closed with the owner's live list on.
    `statement` may be a row of the statements table (stored_download)."""
    if statement.current_version_id is None:
        return False
    if statement.status is Status.PUBLISHED:
        return not under_embargo(statement)
    return statement.status in LIVE_LIST_STATUSES and bool(statement.live_list)


def find_public_statement(slug: str) -> Statement | None:
    """The statement at slug if its list is public, else None (drafts included)."""
    statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
    return statement if statement is not None and list_is_public(statement) else None


def public_statement(slug: str) -> Statement:
    """The statement at slug if its list is public; 404 otherwise (drafts included)."""
    statement = find_public_statement(slug)
    if statement is None:
        abort(404)
    return statement
