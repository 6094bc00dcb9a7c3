"""Fixtures: an app on a real database file (or PostgreSQL), client, runner, factories.

Every test gets its own instance folder and its own SQLite file, copied from one
migrated at the start of the session. With SIGNON_TEST_DATABASE_URL set, tests
run on PostgreSQL instead: the session creates a database of its own on that
server (so parallel runs never meet), migrates it, empties its tables after each
test and drops it at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from signon import create_app
from signon.extensions import db

from .support import Web

TEST_SECRET = "a-test-secret-key-that-is-long-enough-for-signon"
POSTGRES_URL = os.environ.get("SIGNON_TEST_DATABASE_URL")
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(
        {"TESTING": True, "INSTANCE_PATH": instance, "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET}
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session, or None for SQLite."""
    if not POSTGRES_URL:
        yield None
        return
    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"signon_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory, postgres_url):
    """A database at the latest schema: a SQLite file to copy, or PostgreSQL's URL."""
    instance = tmp_path_factory.mktemp("template")
    if postgres_url:
        _migrate(postgres_url, instance)
        return postgres_url
    path = instance / "signon.db"
    _migrate(f"sqlite:///{path}", instance)
    return path


@pytest.fixture
def app_config(tmp_path, database_template) -> dict:
    """The configuration a test's app is created with; tests may change it first."""
    instance = tmp_path / "instance"
    instance.mkdir()
    if isinstance(database_template, str):
        url = database_template
    else:
        shutil.copy(database_template, instance / "signon.db")
        url = f"sqlite:///{instance / 'signon.db'}"
    return {
        "TESTING": True,
        "INSTANCE_PATH": instance,
        "DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": "http://signon.test",
        # Still argon2id, at the lowest cost: hashing is not what these tests measure.
        "PASSWORD_HASH_PARAMETERS": FAST_ARGON2,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def web(client):
    """The test client with CSRF tokens and logging in taken care of."""
    return Web(client)


@pytest.fixture
def create_user(app):
    """Factory: create_user(email=..., name=..., password=..., admin=False) -> UserRecord."""
    from .factories import make_user

    def factory(**kwargs):
        with app.app_context():
            return make_user(**kwargs)

    return factory


@pytest.fixture
def dummy_user(create_user):
    return create_user(email="lead@coalition.example", name="Lena Lead")


@pytest.fixture
def create_statement(app, dummy_user):
    """Factory: create_statement(title=..., body=..., owner=..., members={user: role})."""
    from .factories import make_statement

    def factory(**kwargs):
        kwargs.setdefault("owner", dummy_user)
        with app.app_context():
            return make_statement(**kwargs)

    return factory


@pytest.fixture
def dummy_statement(create_statement):
    return create_statement()


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; `.mailbox` holds what it received."""
    from .mailbox import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_via_smtp(app, smtp_server):
    """The app sends through `smtp_server` (mail settings are read at send time)."""
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=smtp_server.port,
        MAIL_SMTP_TIMEOUT=5,
        MAIL_FROM="Meridia coalition <statements@coalition.example>",
        MAIL_REPLY_TO="lead@coalition.example",
    )
    return smtp_server.mailbox


@pytest.fixture
def send_outbox(app):
    """send_outbox() drains the outbox once, as `signon send-mail` does."""
    from signon.mail.worker import drain_once

    return lambda: drain_once(app)
