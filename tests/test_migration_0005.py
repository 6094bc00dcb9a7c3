"""Schema 0005 on a database with accounts: every account starts at session
generation 0 and logs in as before."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

from signon import create_app
from signon.accounts.passwords import hash_password
from signon.extensions import db

from .conftest import TEST_SECRET
from .support import Web
from .test_migration_0004 import NOW, _signon

PASSWORD = "correct horse battery staple"


def test_accounts_made_before_0005_log_in_and_out_as_before(tmp_path):
    _signon(tmp_path, "db", "upgrade", "0004")
    database = sqlite3.connect(tmp_path / "signon.db")
    database.execute(
        "INSERT INTO users (id, email, name, password_hash, is_admin, created_at)"
        " VALUES (1, 'lead@coalition.example', 'Lena Lead', ?, 0, ?)",
        (hash_password(PASSWORD), NOW),
    )
    database.commit()
    database.close()

    _signon(tmp_path, "db", "upgrade")

    database = sqlite3.connect(tmp_path / "signon.db")
    assert database.execute("SELECT session_generation FROM users").fetchall() == [(0,)]
    database.close()
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": tmp_path,
            "SECRET_KEY": TEST_SECRET,
        }
    )
    web = Web(app.test_client())
    logged_in = web.login(SimpleNamespace(email="lead@coalition.example", password=PASSWORD))
    assert logged_in.status_code == 302
    assert web.get("/account").status_code == 200
    web.logout()
    assert web.get("/account").status_code == 302
    with app.app_context():
        db.engine.dispose()
