"""Drafting: creating statements and saving immutable versions."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from slugify import slugify as make_slug
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Membership, Role, User
from ..audit.models import record, user_actor
from ..columns import utcnow
from ..extensions import db
from ..text import canonical_text, clean_line, fingerprint
from .models import ChangeKind, Statement, Version

SLUG_MAX = 80


class StatementError(ValueError):
    """A drafting request that cannot be carried out, with a message for people."""


def slugify(title: str) -> str:
    """A URL slug from a title: ASCII letters and digits joined by hyphens, other
    scripts transliterated (Кыргызстан -> kyrgyzstan, Ελευθερία -> eleutheria), cut at
    a word boundary; "statement" when nothing is left (a title of symbols)."""
    slug = make_slug(title, max_length=SLUG_MAX, word_boundary=True, save_order=True)
    return slug or "statement"


def unique_slug(base: str) -> str:
    """base, or base-2, base-3 ... whichever is free."""
    taken = set(
        db.session.scalars(
            select(Statement.slug).where(
                (Statement.slug == base) | Statement.slug.like(f"{base}-%")
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        suffix = f"-{n}"
        slug = base[: SLUG_MAX - len(suffix)] + suffix
        n += 1
    return slug


def create_statement(
    *,
    title: str,
    body: str,
    language: str,
    owner: User | None,
    slug: str | None = None,
    note: str = "",
) -> Statement:
    """A new draft statement with its first version (not committed)."""
    title = clean_line(title)
    statement = Statement(title=title, language=language)
    for attempt in range(10):
        base = slugify(title)
        if attempt >= 2:  # many leads racing for one title: stop counting, add a random tag
            base = f"{base[: SLUG_MAX - 7]}-{secrets.token_hex(3)}"
        statement.slug = slug or unique_slug(base)
        try:
            with db.session.begin_nested():
                db.session.add(statement)
                db.session.flush()
            break
        except IntegrityError:
            # Another request took the slug between our check and our insert.
            if slug is not None:
                raise StatementError(
                    f"The slug {slug!r} is already used by another statement."
                ) from None
    else:
        raise StatementError(_("No free address could be found for this title; try again."))
    if owner is not None:
        db.session.add(Membership(user=owner, statement=statement, role=Role.OWNER))
    save_version(statement, title=title, body=body, author=owner, note=note or "First draft")
    return statement


def set_lead_organisations(statement: Statement, leads: str, *, actor: User) -> bool:
    """Who is asking, one organisation per line, as invitations name it (not
    committed). A change is recorded in the audit trail; True when it changed."""
    if leads == statement.lead_organisations:
        return False
    statement.lead_organisations = leads
    record(
        statement.id,
        user_actor(actor),
        "lead organisations changed",
        lead_organisations=statement.lead_organisation_names,
    )
    return True


def save_version(
    statement: Statement,
    *,
    title: str,
    body: str,
    author: User | None,
    note: str = "",
    kind: ChangeKind | None = None,
) -> Version | None:
    """Record title and body as a new version, or None when nothing changed.

    Versions are immutable: a save never edits an earlier one. The text is stored
    in its canonical form, the same form its SHA-256 is computed over.
    """
    title = clean_line(title)
    body = canonical_text(body)
    current = _latest_version_locked(statement)
    if current is not None and current.title == title and current.body == body:
        return None
    number = 1 if current is None else current.number + 1
    version = Version(
        statement=statement,
        number=number,
        title=title,
        body=body,
        sha256=fingerprint(title, body),
        author=author,
        note=clean_line(note),
        change_kind=kind or (ChangeKind.INITIAL if current is None else ChangeKind.SUBSTANTIVE),
    )
    db.session.add(version)
    db.session.flush()
    statement.current_version = version
    statement.title = title
    statement.updated_at = utcnow()
    return version


def _latest_version_locked(statement: Statement) -> Version | None:
    """The newest version, read after locking the statement row.

    Two editors saving at once on PostgreSQL would otherwise both take the same
    next number; SQLite needs no lock (BEGIN IMMEDIATE already serialises writers).
    """
    if statement.id is None:
        return None
    db.session.execute(select(Statement.id).where(Statement.id == statement.id).with_for_update())
    return db.session.scalar(
        select(Version)
        .where(Version.statement_id == statement.id)
        .order_by(Version.number.desc())
        .limit(1)
    )


def version_by_number(statement: Statement, number: int) -> Version | None:
    """The statement's version with this number."""
    return db.session.scalar(
        select(Version).where(Version.statement_id == statement.id, Version.number == number)
    )


def statements_visible_to(user: User) -> list[tuple[Statement, Role]]:
    """The statements the user is a member of (all of them for admins), newest first."""
    if user.is_admin:
        rows = db.session.scalars(select(Statement).order_by(Statement.updated_at.desc()))
        return [(statement, Role.OWNER) for statement in rows]
    rows = db.session.execute(
        select(Statement, Membership.role)
        .join(Membership, Membership.statement_id == Statement.id)
        .where(Membership.user_id == user.id)
        .order_by(Statement.updated_at.desc())
    )
    return [(statement, role) for statement, role in rows]
