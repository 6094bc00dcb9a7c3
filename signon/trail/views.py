"""Routes: a statement's audit trail, as a page and as CSV (owners and editors)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import login_required
from sqlalchemy import func, select

from ..accounts.models import Role
from ..audit.models import AuditEvent
from ..documents.csv import csv_bytes
from ..extensions import db
from ..routing import query_int
from ..statements.access import statement_for
from .rows import statement_zone, trail_rows

blueprint = Blueprint("audit", __name__)

PER_PAGE = 100
NAMED_PER_BATCH = 10  # invitations named per batch on the page; the CSV names all
CSV_COLUMNS = ("time_utc", "actor", "action", "details")


@blueprint.route("/statements/<slug>/audit")
@login_required
def trail(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    page = query_int("page", 1)
    total = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.statement_id == statement.id)
    )
    pages = max(1, -(-total // PER_PAGE))
    if page < 1 or page > pages:
        abort(404)
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.statement_id == statement.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "statements/audit.html",
        statement=statement,
        rows=trail_rows(statement, events, list_limit=NAMED_PER_BATCH),
        zone_name=str(statement_zone(statement)),
        total=total,
        page=page,
        pages=pages,
    )


@blueprint.route("/statements/<slug>/audit.csv")
@login_required
def trail_csv(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.statement_id == statement.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    rows = trail_rows(statement, events)
    data = csv_bytes(
        CSV_COLUMNS,
        (
            (row.at.isoformat(timespec="seconds"), row.actor, row.label, "; ".join(row.details))
            for row in rows
        ),
    )
    response = Response(data, mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=f"{slug}-audit-trail.csv")
    response.headers["Cache-Control"] = "no-store"  # team members' and partners' names
    return response
