"""Routes: dashboard, new statement, view, edit, history, versions, diff, export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..accounts.access import statement_for
from ..accounts.models import Role
from ..audit import record, user_actor
from ..confirmation import confirmation_page, confirmed
from ..database import only_reads_from_here
from ..documents.markdown import render_html
from ..errors import error_page
from ..extensions import db
from ..routing import query_int
from ..signatures.consent import (
    consent_floor,
    consents_exist,
    listed_count,
    most_consented_version,
    needs_reconfirmation,
)
from ..signatures.invitations import unanswered_count
from ..signatures.listing import final_section
from ..signatures.models import Signature, SignatureState
from ..signatures.reconfirm import (
    diff_emails_ahead,
    request_reconfirmations,
    signers_a_substantive_change_emails,
)
from ..text import canonical_text, clean_line
from .changes import changes_between, draft_changes
from .diff_render import changes_view
from .files import dump_statement_file
from .forms import EditForm, OpenForm, ReopenForm, StatementForm
from .lifecycle import (
    LifecycleError,
    close,
    deadline_from_local,
    deadline_in_zone,
    open_for_signatures,
    reopen,
    status_now,
    time_zone_names,
)
from .live_list import LIVE_LIST_RISK, set_live_list
from .models import ChangeKind, SignatoryOrder, Status, Version
from .service import (
    create_statement,
    save_version,
    set_lead_organisations,
    statements_visible_to,
    version_by_number,
)
from .transfer import export_statement

blueprint = Blueprint("statements", __name__)


@blueprint.route("/")
@login_required
def dashboard():
    rows = statements_visible_to(current_user)
    signed = dict(
        db.session.execute(
            select(Signature.statement_id, func.count())
            .where(Signature.state == SignatureState.SIGNED)
            .group_by(Signature.statement_id)
        ).all()
    )
    # Listed = what the documents print (consent covers the current text); the
    # rest of the signed ones wait for re-confirmation.
    counts = {
        statement.id: (listed_count(statement), signed.get(statement.id, 0))
        for statement, _role in rows
        if signed.get(statement.id)
    }
    return render_template("statements/dashboard.html", rows=rows, counts=counts)


@blueprint.route("/statements/new", methods=["GET", "POST"])
@login_required
def new():
    form = StatementForm()
    if form.validate_on_submit() and not form.preview.data:
        statement = create_statement(
            title=form.title.data,
            body=form.body.data,
            language=form.language.data,
            owner=current_user,
            note=form.note.data,
        )
        set_lead_organisations(statement, form.lead_organisations.data or "", actor=current_user)
        db.session.commit()
        flash("Statement created as a draft. Version 1 is saved.", "success")
        return redirect(url_for("statements.show", slug=statement.slug))
    if request.method == "POST":
        only_reads_from_here()  # a preview or a refusal: rendered without the write lock
    preview = render_html(form.body.data or "") if form.preview.data and not form.errors else None
    return render_template(
        "statements/edit.html", form=form, statement=None, preview=preview
    ), 400 if form.errors else 200


@blueprint.route("/statements/<slug>")
@login_required
def show(slug: str):
    statement = statement_for(slug)
    signatures = db.session.scalars(
        select(Signature)
        .where(Signature.statement_id == statement.id)
        .order_by(Signature.position, Signature.signed_at, Signature.id)
    ).all()
    floor = consent_floor(statement)
    return render_template(
        "statements/show.html",
        statement=statement,
        version=statement.current_version,
        html=render_html(statement.body),
        signatures=signatures,
        needs_reconfirmation={s.id for s in signatures if needs_reconfirmation(s, floor)},
        section=final_section(statement),
    )


@blueprint.route("/statements/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    if status_now(statement) is Status.PUBLISHED:
        return error_page(
            409,
            "The text is final",
            "This statement is published: its text and list are frozen, so it cannot be edited.",
        )
    form = EditForm(
        data=None
        if request.method == "POST"
        else {
            "title": statement.title,
            "body": statement.body,
            "language": statement.language,
            "lead_organisations": statement.lead_organisations,
        }
    )
    # Once anyone has signed, each new version says whether consents carry over.
    ask_kind = consents_exist(statement)
    if form.validate_on_submit() and not form.preview.data:
        # Only a new text asks what kind of change it is: saving the same text with
        # other lead organisations or another language makes no version.
        new_text = _text_changes(statement, form)
        kind = _change_kind(form) if ask_kind and new_text else None
        if not ask_kind or kind is not None or not new_text:
            return _save(statement, form, kind)
    if request.method == "POST":
        only_reads_from_here()  # the diff and the preview below hold no write lock
    baseline = (most_consented_version(statement) if ask_kind else None) or (
        statement.current_version
    )
    changes = None
    # A body the form refused (too long, control characters) is not compared.
    if request.method == "POST" and (form.preview.data or ask_kind) and not form.body.errors:
        changes = changes_view(
            draft_changes(
                baseline,
                statement.current_version,
                title=form.title.data or "",
                body=form.body.data or "",
                note=form.note.data or "",
            )
        )
    preview = render_html(form.body.data or "") if form.preview.data and not form.errors else None
    return render_template(
        "statements/edit.html",
        form=form,
        statement=statement,
        preview=preview,
        changes=changes,
        baseline=baseline,
        ask_kind=ask_kind,
        would_email=signers_a_substantive_change_emails(statement) if ask_kind else 0,
    ), 400 if form.errors else 200


def _text_changes(statement, form: EditForm) -> bool:
    """Would saving the form make a new version (the title or the text differ)?"""
    current = statement.current_version
    return current is None or (
        clean_line(form.title.data or ""),
        canonical_text(form.body.data or ""),
    ) != (current.title, current.body)


def _change_kind(form: EditForm) -> ChangeKind | None:
    if form.change_kind.data in ("minor", "substantive"):
        return ChangeKind(form.change_kind.data)
    form.change_kind.errors = [
        "People have signed: say whether this change is minor (their signatures carry "
        "over) or substantive (they must confirm the new text)."
    ]
    return None


def _save(statement, form: EditForm, kind: ChangeKind | None):
    if kind is ChangeKind.SUBSTANTIVE:
        # The emails show each signer the changes: diffed now, before the lock.
        diff_emails_ahead(statement, body=canonical_text(form.body.data))
    statement.language = form.language.data
    leads_changed = set_lead_organisations(
        statement, form.lead_organisations.data or "", actor=current_user
    )
    version = save_version(
        statement,
        title=form.title.data,
        body=form.body.data,
        author=current_user,
        note=form.note.data,
        kind=kind,
    )
    if version is None:
        db.session.commit()
        if leads_changed:
            flash("Lead organisations saved. The text did not change: no new version.", "success")
        else:
            flash("No change to the text, so no new version was saved.", "info")
        return redirect(url_for("statements.show", slug=statement.slug))
    record(
        statement.id,
        user_actor(current_user),
        "version saved",
        version=version.number,
        kind=version.change_kind.value,
        note=version.note,
    )
    asked = 0
    if version.change_kind is ChangeKind.SUBSTANTIVE and kind is not None:
        asked = request_reconfirmations(statement, actor=current_user)
    db.session.commit()
    message = f"Saved as version {version.number}"
    if kind is ChangeKind.MINOR:
        message += " (minor change: signatures carry over)"
    elif kind is ChangeKind.SUBSTANTIVE:
        message += (
            f" (substantive change: {asked} signer{'s' if asked != 1 else ''} asked to "
            "confirm the new text)"
        )
    flash(message + ".", "success")
    return redirect(url_for("statements.show", slug=statement.slug))


@blueprint.route("/statements/<slug>/history")
@login_required
def history(slug: str):
    statement = statement_for(slug)
    versions = db.session.scalars(
        select(Version).where(Version.statement_id == statement.id).order_by(Version.number.desc())
    ).all()
    return render_template("statements/history.html", statement=statement, versions=versions)


@blueprint.route("/statements/<slug>/versions/<int:number>")
@login_required
def version(slug: str, number: int):
    statement = statement_for(slug)
    found = version_by_number(statement, number) or abort(404)
    return render_template(
        "statements/version.html", statement=statement, version=found, html=render_html(found.body)
    )


@blueprint.route("/statements/<slug>/diff")
@login_required
def diff(slug: str):
    statement = statement_for(slug)
    latest = statement.current_version.number
    old_number = query_int("from", max(latest - 1, 1))
    new_number = query_int("to", latest)
    old, new = version_by_number(statement, old_number), version_by_number(statement, new_number)
    if old is None or new is None:
        abort(404)
    versions = db.session.scalars(
        select(Version.number).where(Version.statement_id == statement.id).order_by(Version.number)
    ).all()
    return render_template(
        "statements/diff.html",
        statement=statement,
        old=old,
        new=new,
        versions=versions,
        changes=changes_view(changes_between(old, new)),
        html=render_html(new.body),
    )


@blueprint.route("/statements/<slug>/export.md")
@login_required
def export(slug: str):
    statement = statement_for(slug)
    text = dump_statement_file(export_statement(statement))
    return Response(
        text,
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{statement.slug}.md"'},
    )


@blueprint.route("/statements/<slug>/open", methods=["GET", "POST"])
@login_required
def open_statement(slug: str):
    statement = statement_for(slug, Role.OWNER)
    status = status_now(statement)
    if status is Status.OPEN and request.method == "GET":
        # Open already: the page keeps only the live-list setting (public/views.py).
        return render_template(
            "statements/open.html", statement=statement, form=None, live_list_risk=LIVE_LIST_RISK
        )
    if status not in (Status.DRAFT, Status.CLOSED):
        flash(f"This statement is {status.value}; it cannot be opened.", "error")
        return redirect(url_for("statements.show", slug=slug))
    form = OpenForm(obj=None if request.method == "POST" else _open_defaults(statement))
    if form.validate_on_submit():
        try:
            deadline = (
                deadline_from_local(form.deadline.data, form.time_zone.data)
                if form.deadline.data
                else None
            )
            open_for_signatures(
                statement,
                deadline=deadline,
                time_zone=form.time_zone.data,
                signatories_intro=form.signatories_intro.data or "",
                signatory_order=SignatoryOrder(form.signatory_order.data),
                link_grace_hours=form.link_grace_hours.data or 0,
                open_call=form.open_call.data,
            )
        except LifecycleError as error:
            form.deadline.errors = [*form.deadline.errors, str(error)]
        else:
            actor = user_actor(current_user)
            record(
                statement.id,
                actor,
                "opened for signatures",
                deadline=deadline.isoformat() if deadline else None,
            )
            if status is Status.DRAFT:  # a closed one keeps its setting (its own form)
                set_live_list(statement, form.live_list.data, actor)
            db.session.commit()
            flash("The statement is open for signatures. Invite your partners now.", "success")
            return redirect(url_for("signatures.invitations", slug=slug))
    return render_template(
        "statements/open.html",
        statement=statement,
        form=form,
        time_zones=time_zone_names(),
        live_list_risk=LIVE_LIST_RISK,
    ), 400 if form.errors else 200


def _open_defaults(statement):
    from types import SimpleNamespace

    local = deadline_in_zone(statement)
    return SimpleNamespace(
        deadline=local.replace(tzinfo=None) if local else None,
        time_zone=statement.time_zone,
        link_grace_hours=statement.link_grace_hours,
        signatories_intro=statement.signatories_intro
        or "This statement is signed by the following organisations:",
        signatory_order=statement.signatory_order.value,
        open_call=statement.open_call,
        live_list=statement.live_list,
    )


@blueprint.route("/statements/<slug>/close", methods=["POST"])
@login_required
def close_statement(slug: str):
    statement = statement_for(slug, Role.OWNER)
    if status_now(statement) is Status.OPEN and not confirmed():
        return _confirm_close(statement)
    try:
        close(statement)
    except LifecycleError as error:
        flash(str(error), "error")
        return redirect(url_for("statements.show", slug=slug))
    record(statement.id, user_actor(current_user), "closed")
    db.session.commit()
    flash("Signatures are closed. You can curate the list, or reopen.", "success")
    return redirect(url_for("statements.show", slug=slug))


def _confirm_close(statement):
    unanswered = unanswered_count(statement)
    consequences = [
        "Nobody can sign any more: invitation links and the public form stop taking signatures.",
        "You can then curate the list and publish it, or reopen.",
    ]
    if unanswered:
        consequences.insert(
            1,
            f"{unanswered} invited partner{'s have' if unanswered != 1 else ' has'} not "
            "answered yet.",
        )
    return confirmation_page(
        title="Close signatures?",
        question=f"Close “{statement.title}” for signatures now?",
        consequences=consequences,
        confirm_label="Close signatures",
        cancel_url=url_for("statements.show", slug=statement.slug),
        statement=statement,
    )


@blueprint.route("/statements/<slug>/reopen", methods=["POST"])
@login_required
def reopen_statement(slug: str):
    statement = statement_for(slug, Role.OWNER)
    form = ReopenForm()
    if not form.validate_on_submit():
        # A deadline that does not parse must not reopen the statement without one.
        flash(
            "The statement was not reopened: "
            + " ".join(error for errors in form.errors.values() for error in errors),
            "error",
        )
        return redirect(url_for("statements.show", slug=slug))
    try:
        deadline = (
            deadline_from_local(form.deadline.data, statement.time_zone)
            if form.deadline.data
            else None
        )
        reopen(statement, deadline=deadline)
    except LifecycleError as error:
        flash(f"The statement was not reopened: {error}", "error")
        return redirect(url_for("statements.show", slug=slug))
    record(
        statement.id,
        user_actor(current_user),
        "reopened",
        deadline=deadline.isoformat() if deadline else None,
    )
    db.session.commit()
    flash("The statement is open for signatures again.", "success")
    return redirect(url_for("statements.show", slug=slug))
