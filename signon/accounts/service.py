"""Accounts: creating users, checking passwords, statement membership."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.models import record, user_actor
from ..database import outside_transaction
from ..extensions import db
from ..text import clean_line
from . import security_log
from .models import Membership, Role, User
from .passwords import hash_password, needs_rehash, password_problem, verify_password


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message for people
    (translated where it is raised) and, when known, the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def find_user(email: str) -> User | None:
    """The user with this email, compared case-insensitively."""
    # Both sides through the database's lower(), the same one the unique index uses:
    # SQLite's lower() leaves non-ASCII letters alone where Python's would not.
    return db.session.scalar(
        select(User).where(func.lower(User.email) == func.lower(email.strip()))
    )


def create_user(email: str, name: str, password: str, *, is_admin: bool = False) -> User:
    """Add a user (not committed). Raises AccountError on a taken email or weak password."""
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError(_("Invalid email address: %(reason)s", reason=error)) from None
    name = clean_line(name)
    if not name or len(name) > 200:
        raise AccountError(_("A name of 1 to 200 characters is required."))
    # The words of the account's email and name are the first a guesser tries.
    problem = password_problem(password, about=(email, *re.split(r"[\W_]+", f"{email} {name}")))
    if problem:
        raise AccountError(problem)
    if find_user(email):
        raise AccountError(_("A user with the email %(email)s already exists.", email=email))
    user = User(email=email, name=name, password_hash=hash_password(password), is_admin=is_admin)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, upgrading an old hash on the way; a
    wrong password goes into the account's security log (not committed)."""
    user = find_user(email)
    # Checking a hash takes about 0.1 s: with no transaction open, so a login
    # never keeps another user's save waiting on SQLite's write lock.
    if not outside_transaction(verify_password, user.password_hash if user else None, password):
        if user is not None:
            security_log.note(user, security_log.LOGIN_FAILED)
        return None
    if user.disabled_at is not None:
        # The same answer as a wrong password: the page tells nobody the account exists.
        security_log.note(user, security_log.DISABLED_LOGIN)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


SESSION_GENERATION_KEY = "session_generation"


def end_sessions(user: User) -> None:
    """End every session the user has, in every browser, copied cookies included
    (not committed). Sessions carry the generation they began with; the user
    loader treats any other number as logged out. Call it wherever a password
    changes too."""
    user.session_generation = (user.session_generation or 0) + 1


def session_is_current(user: User, generation: object) -> bool:
    """True when a session's stored generation is the user's current one."""
    return isinstance(generation, int) and generation == user.session_generation


def role_of(user: User, statement_id: int) -> Role | None:
    """The user's role on a statement; admins count as owners everywhere."""
    if user.is_admin:
        return Role.OWNER
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.statement_id == statement_id
        )
    )
    return membership.role if membership else None


def add_member(statement, email: str, role: Role, *, actor=None) -> Membership | None:
    """Give the user with this email a role on the statement (not committed).

    None when no account uses the email: the caller answers exactly as when one
    does, so the answer never tells whether an address has an account. The member
    list still shows who became a member: the owner has to see their team. Until
    team invitations by email (a later issue) list a pending address the same way,
    an owner can learn from the list whether an address they added has an account.
    Adding someone already on the list still says so: the list shows it anyway."""
    user = find_user(email)
    if user is None:
        return None
    existing = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.statement_id == statement.id
        )
    )
    if existing:
        raise AccountError(_already_member(user.name, existing.role))
    membership = Membership(user=user, statement=statement, role=role)
    db.session.add(membership)
    if actor is not None:
        record(
            statement.id,
            user_actor(actor),
            "member added",
            member=user_actor(user),
            role=role.value,
        )
    return membership


def _already_member(name: str, role: Role) -> str:
    if role is Role.OWNER:
        return _("%(name)s is already a member of this statement, as owner.", name=name)
    if role is Role.EDITOR:
        return _("%(name)s is already a member of this statement, as editor.", name=name)
    return _("%(name)s is already a member of this statement, as viewer.", name=name)


def change_role(membership: Membership, role: Role, *, actor=None) -> None:
    """Set a member's role, keeping at least one owner; a change is recorded when
    `actor` is given."""
    if membership.role is Role.OWNER and role is not Role.OWNER:
        _keep_an_owner(membership)
    previous, membership.role = membership.role, role
    if actor is not None and role is not previous:
        record(
            membership.statement_id,
            user_actor(actor),
            "member role changed",
            member=user_actor(membership.user),
            role=role.value,
            previous=previous.value,
        )


def remove_member(membership: Membership, *, actor=None) -> None:
    """Remove a member, keeping at least one owner; recorded when `actor` is given."""
    if membership.role is Role.OWNER:
        _keep_an_owner(membership)
    db.session.delete(membership)
    if actor is not None:
        record(
            membership.statement_id,
            user_actor(actor),
            "member removed",
            member=user_actor(membership.user),
            role=membership.role.value,
        )


def _keep_an_owner(membership: Membership) -> None:
    owners = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.statement_id == membership.statement_id, Membership.role == Role.OWNER)
    )
    if owners <= 1:
        raise AccountError(_("A statement needs at least one owner."))
