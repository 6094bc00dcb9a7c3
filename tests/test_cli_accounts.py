"""An administrator creates accounts with `signon create-user`, the password on stdin."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from signon.accounts.models import User
from signon.extensions import db

PASSWORD = "a long enough password"


def users(app) -> list[tuple[str, str, bool]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(User.email, User.name, User.is_admin).order_by(User.id)
            )
        ]


def test_admin_creates_an_account_that_can_log_in(app, runner, web):
    result = runner.invoke(
        args=["create-user", "pat@partner.example", "--name", "Pat Partner"],
        input=PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    assert "Created user pat@partner.example." in result.output
    assert users(app) == [("pat@partner.example", "Pat Partner", False)]
    response = web.post("/login", {"email": "pat@partner.example", "password": PASSWORD})
    assert response.status_code == 302
    assert web.get("/").status_code == 200


def test_admin_creates_another_administrator(app, runner):
    result = runner.invoke(
        args=["create-user", "ada@signon.example", "--name", "Ada Admin", "--admin"],
        input=PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    assert "Created administrator ada@signon.example." in result.output
    assert users(app) == [("ada@signon.example", "Ada Admin", True)]


def test_password_read_from_stdin_keeps_its_spaces(app, runner, web):
    password = "  spaces at both ends  "
    runner.invoke(
        args=["create-user", "pat@partner.example", "--name", "Pat Partner"],
        input=password + "\r\n",
    )

    response = web.post("/login", {"email": "pat@partner.example", "password": password})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("LEAD@coalition.example", PASSWORD, "A user with the email"),
        ("pat@partner.example", "short", "Use at least 8 characters."),
        ("pat@partner.example", "", "Use at least 8 characters."),
        ("pat@partner.example", "p" * 129, "Use at most 128 characters."),
        ("not-an-email", PASSWORD, "Invalid email address:"),
        ("pat@", PASSWORD, "Invalid email address:"),
        (
            "pat@partner.example",
            "password1",
            "This password is too easy to guess (this is a very common",
        ),
        (
            "pat@partner.example",
            "qwertyuiop",
            "This password is too easy to guess (this is a top-100",
        ),
        (
            "pat@partner.example",
            "Password123!",
            "This password is too easy to guess (this is similar",
        ),
        ("pat@partner.example", "pat@partner.example", "This password is too easy to guess."),
        ("pat@partner.example", "PatPartner1", "This password is too easy to guess."),
    ],
    ids=[
        "duplicate email",
        "short password",
        "no password",
        "long password",
        "no @",
        "no domain",
        "common password",
        "keyboard walk",
        "common password dressed up",
        "the account's own email",
        "the account's own name",
    ],
)
def test_create_user_refuses_bad_input_and_creates_nothing(
    app, runner, dummy_user, email, password, message
):
    before = users(app)

    result = runner.invoke(
        args=["create-user", email, "--name", "Pat Partner"], input=password + "\n"
    )

    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert users(app) == before


def test_create_user_needs_a_name(app, runner):
    result = runner.invoke(args=["create-user", "pat@partner.example"], input=PASSWORD + "\n")

    assert result.exit_code == 2
    assert "Missing option '--name'" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.fixture
def console(tmp_path):
    """Run the installed `signon` console script on a fresh instance folder."""
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNON_", "FLASK_"))}
    env["SIGNON_INSTANCE_PATH"] = str(instance)
    script = Path(sys.executable).with_name("signon")

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(script), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    run.instance = instance
    return run


def test_installed_command_sets_up_a_fresh_instance_and_an_account(console):
    init = console("init-db")
    assert init.returncode == 0, init.stderr
    assert "Database is at the latest schema." in init.stdout

    created = console(
        "create-user", "Lena@Coalition.example", "--name", "Lena Lead", stdin=PASSWORD + "\n"
    )
    assert created.returncode == 0, created.stderr
    assert "Created user Lena@coalition.example." in created.stdout

    with sqlite3.connect(console.instance / "signon.db") as connection:
        rows = connection.execute(
            "SELECT email, name, is_admin, password_hash FROM users"
        ).fetchall()
    assert [row[:3] for row in rows] == [("Lena@coalition.example", "Lena Lead", 0)]
    assert rows[0][3].startswith("$argon2id$")
    assert (console.instance / "secret_key").exists()

    again = console(
        "create-user", "lena@coalition.example", "--name", "Lena Again", stdin=PASSWORD + "\n"
    )
    assert again.returncode == 1
    assert "A user with the email lena@coalition.example already exists." in again.stderr
