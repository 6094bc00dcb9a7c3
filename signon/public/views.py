"""Public pages and downloads of statements whose list is public, the JSON API;
the team's preview of them, its live-list setting and its CSV with contact data.

Every public address answers the same 404 for a draft, an open or closed
statement (unless its owner opted in to a live list), and a published one
before its embargo ends (statements/visibility.py). A published statement's page
and downloads are its latest edition; the page links the earlier ones by date
(publication/views.py serves them). Pages work without JavaScript.
"""

from __future__ import annotations

import hashlib
import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Role
from ..audit.models import user_actor
from ..documents.cache import RenderFailed
from ..documents.csv import LISTED_CONSENT, public_csv, team_csv
from ..documents.html import body_html
from ..documents.plain_text import date_line, document_markdown, document_text, list_updated_line
from ..errors import error_page
from ..extensions import db
from ..languages import LANGUAGES
from ..locale_choice import current_language, use_fixed_language
from ..publication.service import dated_editions, scheduled_for
from ..signatures.consent import consent_floor, is_listed
from ..signatures.models import Signature, SignatureState
from ..statements.access import statement_for
from ..statements.lifecycle import status_now
from ..statements.live_list import LIVE_LIST_RISK, set_live_list
from ..statements.visibility import (
    LIVE_LIST_STATUSES,
    find_public_statement,
    list_is_public,
    public_statement,
)
from .forms import LiveListForm
from .service import (
    PAGE_SIZES,
    api_payload,
    current_edition,
    preview_statement,
    public_document,
    rendered_docx,
    rendered_pdf,
    stored_download,
    text_languages,
)

blueprint = Blueprint("public", __name__, static_folder="static", static_url_path="/public/static")

blueprint.add_app_template_global(list_is_public, "list_is_public")

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
        _("Document unavailable"),
        _("The document could not be produced; try again in a moment."),
    )
    response.headers["Retry-After"] = "30"
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/s/<slug>")
def statement(slug: str):
    response = _page(public_statement(slug), preview=False)
    response.headers["Cache-Control"] = "no-cache"
    return response


# A translation's public page and files: /s/<slug>/ru, /s/<slug>/ru.pdf ...
IN_LANGUAGE = "/s/<slug>/<any(" + ", ".join(sorted(LANGUAGES)) + "):language>"


@blueprint.route(IN_LANGUAGE)
def statement_in(slug: str, language: str):
    record = _public_in(slug, language)
    if language == record.language:  # the master's page has its own address
        return redirect(url_for("public.statement", slug=slug), 301)
    response = _page(record, preview=False, language=language)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _public_in(slug: str, language: str):
    """The public statement, if the public reads it in `language`; else 404."""
    record = public_statement(slug)
    if language not in text_languages(record):
        abort(404)
    return record


@blueprint.route(IN_LANGUAGE + ".pdf")
def pdf_in(slug: str, language: str):
    size = _pdf_size()
    if size is None:
        return _bad_size()
    record = _public_in(slug, language)
    suffix = "" if size == "A4" else f"-{size.lower()}"
    try:
        path = rendered_pdf(record, size, language)
    except RenderFailed as error:
        return _render_failed(error)
    return _file(path, PDF, f"{slug}.{language}{suffix}.pdf")


@blueprint.route(IN_LANGUAGE + ".docx")
def docx_in(slug: str, language: str):
    record = _public_in(slug, language)
    try:
        path = rendered_docx(record, language)
    except RenderFailed as error:
        return _render_failed(error)
    return _file(path, DOCX, f"{slug}.{language}.docx")


@blueprint.route(IN_LANGUAGE + ".<any(md, txt):kind>")
def text_in(slug: str, language: str, kind: str):
    record = _public_in(slug, language)
    mimetype, make, _stem = TEXT_KINDS[kind]
    data = make(public_document(record, language=language))
    return _download(data, mimetype, f"{slug}.{language}.{kind}")


def _language_links(record, edition, language: str | None) -> list[dict]:
    """The statement in each language the public reads it in: hreflang and switcher."""
    links = []
    for code in text_languages(record, edition):
        master = code == record.language
        url = (
            url_for("public.statement", slug=record.slug)
            if master
            else url_for("public.statement_in", slug=record.slug, language=code)
        )
        links.append(
            {"code": code, "name": LANGUAGES.get(code, code), "url": url,
             "current": code == (language or record.language)}
        )  # fmt: skip
    return links


def _file_urls(record, language: str | None) -> dict:
    """The public downloads of the page, in its language."""
    slug = record.slug
    if not language:
        return {
            "pdf": url_for("public.pdf", slug=slug),
            "letter": url_for("public.pdf", slug=slug, size="letter"),
            "docx": url_for("public.docx", slug=slug),
            "md": url_for("public.markdown", slug=slug),
            "txt": url_for("public.text", slug=slug),
        }
    return {
        "pdf": url_for("public.pdf_in", slug=slug, language=language),
        "letter": url_for("public.pdf_in", slug=slug, language=language, size="letter"),
        "docx": url_for("public.docx_in", slug=slug, language=language),
        "md": url_for("public.text_in", slug=slug, language=language, kind="md"),
        "txt": url_for("public.text_in", slug=slug, language=language, kind="txt"),
    }


def _page(record, *, preview: bool, language: str | None = None) -> Response:
    """The public page of `record` (in `language`, a translation), or the team's
    preview of it: the same template, the preview with its banner and its
    downloads from the team's addresses."""
    use_fixed_language(language or record.language)
    edition = current_edition(record)
    document = public_document(record, edition, language)
    earlier = (
        [(day, e) for day, e in dated_editions(record) if e.id != edition.id] if edition else []
    )
    return Response(
        render_template(
            "public/statement.html",
            statement=record,
            document=document,
            section=document.signatories,
            body=body_html(document.blocks, document.footnotes, document.language),
            date_text=date_line(document),
            list_updated=list_updated_line(document),
            earlier_editions=earlier,
            preview=preview,
            public_now=list_is_public(record),
            public_from=scheduled_for(record),
            languages=[] if preview else _language_links(record, edition, language),
            files=_file_urls(record, language),
        )
    )


def _pdf_size():
    """The ?size= of a PDF address, as the renderer names it; None if unknown."""
    return PAGE_SIZES.get(request.args.get("size", "a4").lower())


def _bad_size():
    return error_page(400, _("Unknown page size"), _("Ask for ?size=a4 or ?size=letter."))


@blueprint.route("/s/<slug>.pdf")
def pdf(slug: str):
    size = _pdf_size()
    if size is None:
        return _bad_size()
    name = f"{slug}.pdf" if size == "A4" else f"{slug}-{size.lower()}.pdf"
    stored = stored_download(slug, "pdf", {"page_size": size})
    if stored is not None:
        return _file(stored, PDF, name)
    return _pdf_of(public_statement(slug), size, name)


def _pdf_of(record, size: str, name: str) -> Response:
    try:
        path = rendered_pdf(record, size)
    except RenderFailed as error:
        return _render_failed(error)
    return _file(path, PDF, name)


@blueprint.route("/s/<slug>.docx")
def docx(slug: str):
    stored = stored_download(slug, "docx")
    if stored is not None:
        return _file(stored, DOCX, f"{slug}.docx")
    return _docx_of(public_statement(slug), f"{slug}.docx")


def _docx_of(record, name: str) -> Response:
    try:
        path = rendered_docx(record)
    except RenderFailed as error:
        return _render_failed(error)
    return _file(path, DOCX, name)


def _file(path, mimetype: str, filename: str) -> Response:
    response = send_file(
        path, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


# The text downloads: kind -> (mimetype, the document as bytes, what the file
# name adds to the slug).
TEXT_KINDS = {
    "md": ("text/markdown", lambda d: document_markdown(d).encode("utf-8"), ""),
    "txt": ("text/plain", lambda d: document_text(d).encode("utf-8"), ""),
    "csv": ("text/csv", public_csv, "-signatories"),
}


def _text_download(record, kind: str, *, preview: bool = False) -> Response:
    mimetype, make, stem = TEXT_KINDS[kind]
    name = f"{record.slug}{stem}{'-preview' if preview else ''}.{kind}"
    return _download(make(public_document(record)), mimetype, name)


@blueprint.route("/s/<slug>.md")
def markdown(slug: str):
    return _text_download(public_statement(slug), "md")


@blueprint.route("/s/<slug>.txt")
def text(slug: str):
    return _text_download(public_statement(slug), "txt")


@blueprint.route("/s/<slug>.csv")
def signatories_csv(slug: str):
    return _text_download(public_statement(slug), "csv")


# The team's preview: what the public page and files are (or will be, once
# published and past the embargo), for any member, labelled as a preview. It
# never goes through the public addresses, so nothing about it makes them answer.
@blueprint.route("/statements/<slug>/preview")
@login_required
def preview(slug: str):
    return _private(_page(preview_statement(slug), preview=True))


@blueprint.route("/statements/<slug>/preview.<any(pdf, docx, md, txt, csv, json):kind>")
@login_required
def preview_file(slug: str, kind: str):
    record = preview_statement(slug)
    if kind == "pdf":
        size = _pdf_size()
        if size is None:
            return _bad_size()
        suffix = "" if size == "A4" else f"-{size.lower()}"
        return _private(_pdf_of(record, size, f"{slug}{suffix}-preview.pdf"))
    if kind == "docx":
        return _private(_docx_of(record, f"{slug}-preview.docx"))
    if kind == "json":
        return _private(_json(api_payload(record, public_document(record))))
    return _private(_text_download(record, kind, preview=True))


def _private(response: Response) -> Response:
    # A preview is the team's: no shared cache keeps it, no search engine lists it.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@blueprint.route("/statements/<slug>/live-list", methods=["POST"])
@login_required
def live_list(slug: str):
    record = statement_for(slug, Role.OWNER)
    if status_now(record) not in LIVE_LIST_STATUSES:
        return error_page(
            409,
            _("No live list to change"),
            _(
                "A live list is set while a statement is open or closed: a draft sets it on "
                "the Open page, and a published statement's list is public."
            ),
        )
    form = LiveListForm()
    if not form.validate_on_submit():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return render_template(
            "statements/open.html",
            statement=record,
            form=None,
            live_list_risk=LIVE_LIST_RISK,
            live_list_error=problems,
        ), 400
    live = form.live_list.data == "on"
    set_live_list(record, live, user_actor(current_user))
    db.session.commit()
    if live:
        flash(_("Live list on: the names are public now. You can turn it off here."), "warning")
    else:
        flash(
            _(
                "The list is private again until publication. Whoever saw or saved it "
                "before keeps what they saw."
            ),
            "success",
        )
    return redirect(url_for("statements.open_statement", slug=slug) + "#live-list")


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
        s.id: LISTED_CONSENT if is_listed(s, floor) else "needs re-confirmation"
        for s in signatures
        if s.state is SignatureState.SIGNED
    }
    response = _download(
        team_csv(signatures, consent, current_language()), "text/csv", f"{slug}-signatures.csv"
    )
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
