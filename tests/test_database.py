"""The database layer: SQLite settings, concurrent writers, migrations matching models."""

from __future__ import annotations

import threading
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from signon.extensions import db
from signon.statements.models import Statement, Version
from signon.statements.service import create_statement, save_version


def on_sqlite(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(app):
    if not on_sqlite(app):
        pytest.skip("SQLite settings only apply to SQLite")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_many_editors_saving_at_once_never_see_database_is_locked(app, dummy_statement):
    """Eight writers, each saving ten versions: every save lands, numbers stay unique."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def editor(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with app.app_context():
                    statement = db.session.get(Statement, dummy_statement.id)
                    save_version(
                        statement, title=statement.title, body=f"Text {n}-{i}\n", author=None
                    )
                    db.session.commit()
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        numbers = db.session.scalars(
            select(Version.number).where(Version.statement_id == dummy_statement.id)
        ).all()
    assert sorted(numbers) == list(range(1, 82))


def test_many_new_statements_at_once_all_get_unique_slugs(app, dummy_user):
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def lead() -> None:
        try:
            start.wait()
            for _ in range(5):
                with app.app_context():
                    create_statement(title="Same title", body="Text\n", language="en", owner=None)
                    db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=lead) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        slugs = db.session.scalars(select(Statement.slug)).all()
        assert len(slugs) == len(set(slugs)) == 30
        assert db.session.scalar(select(func.count()).select_from(Version)) == 30


def test_migrations_build_exactly_the_schema_the_models_describe(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        with warnings.catch_warnings():
            # SQLite cannot reflect the lower(email) index; it is checked below instead.
            warnings.filterwarnings("ignore", message=".*expression-based index")
            differences = compare_metadata(context, db.metadata)
    differences = [d for d in differences if "uq_users_email_lower" not in repr(d)]
    assert _without_unnamed_inline_keys(differences) == []


def _without_unnamed_inline_keys(differences: list) -> list:
    """SQLite adds a column's foreign key only inline (ADD COLUMN ... REFERENCES), and
    SQLAlchemy reflects such a key without its name or ON DELETE: the same key,
    removed unnamed and added named, is no difference (PostgreSQL compares it whole)."""

    def key(fk):
        return (
            fk.parent.name,
            tuple(c.name for c in fk.columns),
            tuple(e.target_fullname for e in fk.elements),
        )

    removed = {key(d[1]) for d in differences if d[0] == "remove_fk" and d[1].name is None}
    added = {key(d[1]) for d in differences if d[0] == "add_fk"}
    same = removed & added
    return [d for d in differences if not (d[0] in ("remove_fk", "add_fk") and key(d[1]) in same)]


def test_emails_are_unique_whatever_their_case(app, create_user):
    from sqlalchemy.exc import IntegrityError

    from signon.accounts.models import User

    create_user(email="lena@coalition.example")
    with app.app_context():
        db.session.add(User(email="LENA@coalition.example", name="x", password_hash="x"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
