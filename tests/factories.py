"""Test data made through the services, returned as plain records."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from signon.accounts.models import Membership, Role, User
from signon.accounts.service import create_user
from signon.extensions import db
from signon.statements.service import create_statement

DEFAULT_PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)

DEFAULT_BODY = """We, the undersigned organisations, call on the authorities to release
all detained journalists immediately and unconditionally.

## Our demands

1. Release the journalists.
2. Drop the charges.
"""


@dataclass(frozen=True)
class UserRecord:
    id: int
    email: str
    name: str
    password: str


@dataclass(frozen=True)
class StatementRecord:
    id: int
    slug: str
    title: str


def make_user(*, email=None, name=None, password=DEFAULT_PASSWORD, admin=False) -> UserRecord:
    n = next(_numbers)
    user = create_user(
        email or f"person{n}@partner.example", name or f"Person {n}", password, is_admin=admin
    )
    db.session.commit()
    return UserRecord(user.id, user.email, user.name, password)


def make_statement(*, owner, title=None, body=DEFAULT_BODY, language="en", members=None):
    statement = create_statement(
        title=title or f"Joint statement {next(_numbers)}",
        body=body,
        language=language,
        owner=db.session.get(User, owner.id) if owner else None,
    )
    for member, role in (members or {}).items():
        db.session.add(Membership(user_id=member.id, statement=statement, role=Role(role)))
    db.session.commit()
    return StatementRecord(statement.id, statement.slug, statement.title)
