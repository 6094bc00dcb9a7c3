"""The one way a change to a statement's list reaches publication.

Publication sits above signatures, so signatures cannot call it. create_app
registers publication's answer to a changed list (a published statement gets its
next edition); every service that changes what the list prints announces it here.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from ..statements.models import Statement

EXTENSION = "signon.list_changed"
Listener = Callable[[Statement, str, str], object]


def on_list_change(app: Flask, listener: Listener) -> None:
    """Have `listener(statement, actor, reason)` run after each change to a list."""
    app.extensions[EXTENSION] = listener


def list_changed(statement: Statement, actor: str, reason: str):
    """Announce a change to the statement's list (not committed); what the listener
    returns (for publication: the new edition, or None)."""
    listener = current_app.extensions.get(EXTENSION)
    return listener(statement, actor, reason) if listener is not None else None
