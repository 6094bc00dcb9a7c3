"""`signon demo`: an account and the example statement, created once."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .accounts.models import Membership, Role
from .accounts.service import create_user, find_user
from .extensions import db
from .paths import EXAMPLE_STATEMENTS
from .statements.files import read_statement_file
from .statements.models import Statement
from .workspace.transfer import import_statement

DEMO_EMAIL = "demo@example.org"
EXAMPLE = EXAMPLE_STATEMENTS / "example.md"


def create_demo() -> list[str]:
    """Create what is missing of the demo and say how to log in; safe to run again."""
    password_file = Path(current_app.instance_path) / "demo-password"
    user = find_user(DEMO_EMAIL)
    if user is None:
        password = secrets.token_urlsafe(12)
        user = create_user(DEMO_EMAIL, "Demo Owner", password)
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
    elif password_file.exists():
        password = password_file.read_text().strip()
    else:
        password = "(chosen when the demo was first created; not stored)"  # noqa: S105

    source = read_statement_file(EXAMPLE)
    statement = db.session.scalar(select(Statement).where(Statement.slug == source.slug))
    if statement is None:
        statement = import_statement(source, owner=user)
    elif not db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.statement_id == statement.id
        )
    ):
        db.session.add(Membership(user=user, statement=statement, role=Role.OWNER))
    db.session.commit()
    base = current_app.config["BASE_URL"]
    return [
        f"Demo ready at {base}/ : log in as {DEMO_EMAIL} with the password {password}",
        f"Example statement: {base}/statements/{statement.slug}",
    ]
