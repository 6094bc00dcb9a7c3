"""Engine set-up per database: SQLite pragmas and write transactions.

See docs/architecture.md, SQLite transactions.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from .extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure(app: Flask) -> None:
    """Attach database-specific behaviour to the app's engine, and end each
    request's session without letting a lost connection escape the error pages."""
    app.teardown_appcontext(_end_session)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _end_session(_error: BaseException | None) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse order of
    # registration), whose rollback on a connection the server dropped would raise
    # after the response was chosen: gunicorn would answer its bare 500 instead.
    try:
        db.session.remove()
    except DBAPIError:
        db.session.registry.clear()


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would not).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get("single_read"):
            return  # one SELECT is consistent by itself: no transaction to open
        if has_request_context() and (request.method in READ_ONLY_METHODS or g.get("reading")):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _end_transaction() -> None:
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("the transaction holds unsaved changes; commit them first")
    session.rollback()  # nothing was written: this only lets go of the lock


def outside_transaction(work, *args):
    """Run `work(*args)` with no transaction open, and return what it returns.

    The request's transaction (nothing written in it yet) ends first, so another
    user's write is not kept waiting while `work` runs; the next query opens a
    new one. Loaded objects are reloaded then: the caller re-checks what it read.
    """
    _end_transaction()
    return work(*args)


def only_reads_from_here() -> None:
    """End the request's transaction (nothing written in it) and let the rest of
    the request read without the write lock: a POST that shows a page instead of
    saving (a preview, a refusal) renders it like a GET."""
    _end_transaction()
    if has_request_context():
        g.reading = True
