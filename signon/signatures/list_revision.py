"""Every change to a signature raises its statement's list_revision, in the same flush.

See docs/architecture.md, The list revision.
"""

from __future__ import annotations

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from ..statements.models import Statement
from .models import Signature


def install() -> None:
    """Listen on every session's flush (once per process; create_app calls it)."""
    if not event.contains(Session, "before_flush", _raise_list_revisions):
        event.listen(Session, "before_flush", _raise_list_revisions)


def _raise_list_revisions(session: Session, _context, _instances) -> None:
    touched = {
        obj.statement_id
        for obj in (*session.new, *session.deleted)
        if isinstance(obj, Signature) and obj.statement_id is not None
    }
    touched |= {
        obj.statement_id
        for obj in session.dirty
        if isinstance(obj, Signature) and session.is_modified(obj, include_collections=False)
    }
    touched |= {  # a new signature added through its relationship only
        obj.statement.id
        for obj in session.new
        if isinstance(obj, Signature) and obj.statement_id is None and obj.statement is not None
    }
    touched.discard(None)
    if touched:
        # On the connection: session.execute would try to flush again.
        session.connection().execute(
            update(Statement)
            .where(Statement.id.in_(touched))
            .values(list_revision=Statement.list_revision + 1)
        )
        for statement in session.identity_map.values():
            if isinstance(statement, Statement) and statement.id in touched:
                session.expire(statement, ["list_revision"])
