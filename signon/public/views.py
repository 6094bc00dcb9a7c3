"""Public pages and downloads of statements whose list is public, the JSON API,
and the team's CSV with contact data.

Every public address answers 404 for a draft, and for a published statement
before its embargo. A published statement's page and downloads are its latest
edition; the page links the earlier ones by date (publication/views.py serves
them). Pages work without JavaScript.
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, render_template, request, send_file
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.access import statement_for
from ..accounts.models import Role
from ..documents.cache import RenderFailed
from ..documents.csv import LISTED_CONSENT, public_csv, team_csv
from ..documents.html import body_html
from ..documents.text import date_line, document_markdown, document_text, list_updated_line
from ..errors import error_page
from ..extensions import db
from ..publication.service import dated_editions
from ..signatures.consent import consent_floor, covers_current
from ..signatures.models import Signature, SignatureState
from .service import (
    PAGE_SIZES,
    api_payload,
    current_edition,
    find_public_statement,
    public_document,
    public_statement,
    rendered_docx,
    rendered_pdf,
    stored_download,
)

blueprint = Blueprint("public", __name__, static_folder="static", static_url_path="/public/static")

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-cache"  # the list may grow: always ask again
    return response


def _render_failed(error: RenderFailed):
    current_app.logger.error("Render failed: %s", error, exc_info=error.__cause__)
    response = error_page(
        503,
        "Document unavailable",
        "The document could not be produced; try again in a moment.",
    )
    response.headers["Retry-After"] = "30"
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/s/<slug>")
def statement(slug: str):
    record = public_statement(slug)
    edition = current_edition(record)
    document = public_document(record, edition)
    earlier = (
        [(day, e) for day, e in dated_editions(record) if e.id != edition.id] if edition else []
    )
    response = Response(
        render_template(
            "public/statement.html",
            statement=record,
            document=document,
            section=document.signatories,
            body=body_html(document.blocks, document.footnotes),
            date_text=date_line(document),
            list_updated=list_updated_line(document),
            earlier_editions=earlier,
        )
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.route("/s/<slug>.pdf")
def pdf(slug: str):
    size = request.args.get("size", "a4").lower()
    if size not in PAGE_SIZES:
        return error_page(400, "Unknown page size", "Ask for ?size=a4 or ?size=letter.")
    name = f"{slug}.pdf" if size == "a4" else f"{slug}-{size}.pdf"
    stored = stored_download(slug, "pdf", {"page_size": PAGE_SIZES[size]})
    if stored is not None:
        return _file(stored, PDF, name)
    record = public_statement(slug)
    try:
        path = rendered_pdf(record, PAGE_SIZES[size])
    except RenderFailed as error:
        return _render_failed(error)
    return _file(path, PDF, name)


@blueprint.route("/s/<slug>.docx")
def docx(slug: str):
    stored = stored_download(slug, "docx")
    if stored is not None:
        return _file(stored, DOCX, f"{slug}.docx")
    record = public_statement(slug)
    try:
        path = rendered_docx(record)
    except RenderFailed as error:
        return _render_failed(error)
    return _file(path, DOCX, f"{slug}.docx")


def _file(path, mimetype: str, filename: str) -> Response:
    response = send_file(
        path, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.route("/s/<slug>.md")
def markdown(slug: str):
    document = public_document(public_statement(slug))
    return _download(document_markdown(document).encode("utf-8"), "text/markdown", f"{slug}.md")


@blueprint.route("/s/<slug>.txt")
def text(slug: str):
    document = public_document(public_statement(slug))
    return _download(document_text(document).encode("utf-8"), "text/plain", f"{slug}.txt")


@blueprint.route("/s/<slug>.csv")
def signatories_csv(slug: str):
    document = public_document(public_statement(slug))
    return _download(public_csv(document), "text/csv", f"{slug}-signatories.csv")


@blueprint.route("/statements/<slug>/signatures.csv")
@login_required
def team_signatures_csv(slug: str):
    record = statement_for(slug, Role.EDITOR)  # contact data: editors and owners only
    signatures = db.session.scalars(
        select(Signature)
        .where(Signature.statement_id == record.id)
        .order_by(Signature.position, Signature.id)
        .options(selectinload(Signature.version), selectinload(Signature.invitation))
    ).all()
    floor = consent_floor(record)
    consent = {
        s.id: LISTED_CONSENT if covers_current(s, floor) else "needs re-confirmation"
        for s in signatures
        if s.state is SignatureState.SIGNED
    }
    response = _download(team_csv(signatures, consent), "text/csv", f"{slug}-signatures.csv")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/api/v1/statements/<slug>")
def api_statement(slug: str):
    record = find_public_statement(slug)
    if record is None:
        return _json({"error": "not found"}, 404)
    response = _json(api_payload(record, public_document(record)))
    response.headers["Cache-Control"] = "public, no-cache"
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    return response.make_conditional(request)


def _json(payload: dict, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")
