"""Routes: dashboard, new statement, view, edit, history, versions, diff, export."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import Role
from ..audit.models import user_actor
from ..database import only_reads_from_here
from ..documents.html import render_html
from ..extensions import db
from ..routing import query_int
from .access import statement_for
from .changes import changes_between
from .diff_render import changes_view
from .forms import OpenForm, ReopenForm, StatementForm
from .lifecycle import (
    LifecycleError,
    cannot_open_message,
    deadline_from_local,
    deadline_in_zone,
    open_for_signatures,
    reopen,
    status_label,
    status_now,
    time_zone_names,
)
from .live_list import LIVE_LIST_RISK, set_live_list
from .models import SignatoryOrder, Status, Version
from .service import (
    create_statement,
    set_lead_organisations,
    version_by_number,
)

blueprint = Blueprint("statements", __name__)
# Every page (a signer's too) shows a statement's status and deadline this way.
blueprint.add_app_template_global(status_now)
blueprint.add_app_template_global(deadline_in_zone)
blueprint.add_app_template_global(status_label)


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
        flash(_("Statement created as a draft. Version 1 is saved."), "success")
        return redirect(url_for("workspace.show", slug=statement.slug))
    if request.method == "POST":
        only_reads_from_here()  # a preview or a refusal: rendered without the write lock
    preview = render_html(form.body.data or "") if form.preview.data and not form.errors else None
    return render_template(
        "statements/edit.html", form=form, statement=None, preview=preview
    ), 400 if form.errors else 200


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
        "statements/version.html",
        statement=statement,
        version=found,
        html=render_html(found.body, statement.language),
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
        html=render_html(new.body, statement.language),
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
        flash(cannot_open_message(status), "error")
        return redirect(url_for("workspace.show", slug=slug))
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
                actor=current_user,
            )
        except LifecycleError as error:
            form.deadline.errors = [*form.deadline.errors, str(error)]
        else:
            if status is Status.DRAFT:  # a closed one keeps its setting (its own form)
                set_live_list(statement, form.live_list.data, user_actor(current_user))
            db.session.commit()
            flash(_("The statement is open for signatures. Invite your partners now."), "success")
            return redirect(url_for("invitations.invitations", slug=slug))
    return render_template(
        "statements/open.html",
        statement=statement,
        form=form,
        time_zones=time_zone_names(),
        live_list_risk=LIVE_LIST_RISK,
    ), 400 if form.errors else 200


def _open_defaults(statement):
    local = deadline_in_zone(statement)
    return SimpleNamespace(
        deadline=local.replace(tzinfo=None) if local else None,
        time_zone=statement.time_zone,
        link_grace_hours=statement.link_grace_hours,
        # Empty: the documents print the standard sentence in the statement's language.
        signatories_intro=statement.signatories_intro,
        signatory_order=statement.signatory_order.value,
        open_call=statement.open_call,
        live_list=statement.live_list,
    )


@blueprint.route("/statements/<slug>/reopen", methods=["POST"])
@login_required
def reopen_statement(slug: str):
    statement = statement_for(slug, Role.OWNER)
    form = ReopenForm()
    if not form.validate_on_submit():
        # A deadline that does not parse must not reopen the statement without one.
        flash(
            _(
                "The statement was not reopened: %(problem)s",
                problem=" ".join(str(error) for errors in form.errors.values() for error in errors),
            ),
            "error",
        )
        return redirect(url_for("workspace.show", slug=slug))
    try:
        deadline = (
            deadline_from_local(form.deadline.data, statement.time_zone)
            if form.deadline.data
            else None
        )
        reopen(statement, deadline=deadline, actor=current_user)
    except LifecycleError as error:
        flash(_("The statement was not reopened: %(problem)s", problem=error), "error")
        return redirect(url_for("workspace.show", slug=slug))
    db.session.commit()
    flash(_("The statement is open for signatures again."), "success")
    return redirect(url_for("workspace.show", slug=slug))
