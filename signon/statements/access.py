"""Who may reach a statement: membership checks for every statement route."""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Role
from ..accounts.service import role_of
from ..extensions import db
from .models import Statement


def statement_for(slug: str, needed: Role = Role.VIEWER):
    """The statement named by slug if the current user holds at least `needed` on it.

    Non-members get 404, as if the statement did not exist: a coalition's
    statements are not even confirmed to others. Members without the role get 403.
    The user's role is left in g.role for templates.
    """
    statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
    role = role_of(current_user, statement.id) if statement else None
    if role is None:
        abort(404)
    if not role.allows(needed):
        abort(403)
    g.role = role
    return statement
