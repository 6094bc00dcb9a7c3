"""Routes of a statement's team workspace: the dashboard, the statement page,
editing (which asks signers to re-confirm), the statement file, the team."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..accounts import team
from ..accounts.forms import AddMemberForm, ChangeRoleForm, RemoveMemberForm
from ..accounts.models import Membership, Role, TeamInvitation
from ..accounts.service import AccountError, change_role, remove_member
from ..confirmation import confirmation_page, confirmed
from ..database import only_reads_from_here
from ..documents.html import render_html
from ..errors import error_page
from ..extensions import db
from ..signatures.consent import (
    consent_floor,
    consents_exist,
    listed_count,
    most_consented_version,
    needs_reconfirmation,
    waits_for_translation,
)
from ..signatures.invitations.service import unanswered_count
from ..signatures.listing import final_section
from ..signatures.models import Signature, SignatureState
from ..signatures.reconfirm import (
    signers_a_substantive_change_emails,
)
from ..statements.access import statement_for
from ..statements.changes import draft_changes
from ..statements.diff_render import changes_view
from ..statements.files import dump_statement_file
from ..statements.forms import EditForm
from ..statements.lifecycle import LifecycleError, close, status_now
from ..statements.models import ChangeKind, Status
from ..statements.service import statements_visible_to
from ..text import canonical_text, clean_line
from .editing import save_text
from .transfer import export_statement

blueprint = Blueprint("workspace", __name__)


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
        html=render_html(statement.body, statement.language),
        signatures=signatures,
        needs_reconfirmation={
            s.id
            for s in signatures
            if needs_reconfirmation(s, floor) and not waits_for_translation(s, floor)
        },
        section=final_section(statement),
    )


@blueprint.route("/statements/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    if status_now(statement) is Status.PUBLISHED:
        return error_page(
            409,
            _("The text is final"),
            _("This statement is published: its text and list are frozen, so it cannot be edited."),
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
        _(
            "People have signed: say whether this change is minor (their signatures carry "
            "over) or substantive (they must confirm the new text)."
        )
    ]
    return None


def _save(statement, form: EditForm, kind: ChangeKind | None):
    saved = save_text(
        statement,
        title=form.title.data,
        body=form.body.data,
        language=form.language.data,
        lead_organisations=form.lead_organisations.data or "",
        note=form.note.data,
        kind=kind,
        actor=current_user,
    )
    db.session.commit()
    if saved.version is None:
        if saved.leads_changed:
            flash(
                _("Lead organisations saved. The text did not change: no new version."),
                "success",
            )
        else:
            flash(_("No change to the text, so no new version was saved."), "info")
        return redirect(url_for("workspace.show", slug=statement.slug))
    number = saved.version.number
    if kind is ChangeKind.MINOR:
        message = _(
            "Saved as version %(number)s (minor change: signatures carry over).", number=number
        )
    elif kind is ChangeKind.SUBSTANTIVE:
        message = ngettext(
            "Saved as version %(number)s (substantive change: %(num)s signer asked to "
            "confirm the new text).",
            "Saved as version %(number)s (substantive change: %(num)s signers asked to "
            "confirm the new text).",
            saved.asked,
            number=number,
        )
    else:
        message = _("Saved as version %(number)s.", number=number)
    flash(message, "success")
    return redirect(url_for("workspace.show", slug=statement.slug))


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


@blueprint.route("/statements/<slug>/members", methods=["GET", "POST"])
@login_required
def members(slug: str):
    statement = statement_for(slug, Role.OWNER)
    form = AddMemberForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            team.invite(statement, form.email.data, role, actor=current_user)
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            # One answer whether or not an account uses the address.
            flash(_invitation_sent(form.email.data, role), "success")
            return redirect(url_for("workspace.members", slug=slug))
    memberships = db.session.scalars(
        select(Membership).where(Membership.statement_id == statement.id).order_by(Membership.id)
    ).all()
    status = 400 if form.errors else 200
    return render_template(
        "accounts/members.html",
        statement=statement,
        memberships=memberships,
        pending=team.pending_invitations(statement),
        form=form,
        role_form=ChangeRoleForm(),
        remove_form=RemoveMemberForm(),
    ), status


@blueprint.route(
    "/statements/<slug>/members/invitations/<int:invitation_id>/revoke", methods=["POST"]
)
@login_required
def team_invitation_revoke(slug: str, invitation_id: int):
    statement = statement_for(slug, Role.OWNER)
    invitation = db.session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.statement_id != statement.id:
        abort(404)
    if not RemoveMemberForm().validate_on_submit():
        abort(400)
    team.revoke(invitation, actor=current_user)
    db.session.commit()
    flash(
        _(
            "The invitation to %(email)s is revoked: its link no longer works.",
            email=invitation.email,
        ),
        "info",
    )
    return redirect(url_for("workspace.members", slug=slug))


@blueprint.route("/statements/<slug>/members/<int:member_id>/role", methods=["POST"])
@login_required
def member_role(slug: str, member_id: int):
    statement = statement_for(slug, Role.OWNER)
    membership = _membership_or_404(statement, member_id)
    form = ChangeRoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the listed roles."), "error")
        return redirect(url_for("workspace.members", slug=slug))
    try:
        change_role(membership, Role(form.role.data), actor=current_user)
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("workspace.members", slug=slug))
    db.session.commit()
    flash(_now_role(membership.user.name, membership.role), "success")
    return redirect(url_for("workspace.members", slug=slug))


@blueprint.route("/statements/<slug>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def member_remove(slug: str, member_id: int):
    statement = statement_for(slug, Role.OWNER)
    membership = _membership_or_404(statement, member_id)
    if not confirmed():
        return confirmation_page(
            title=_("Remove this member?"),
            question=_(
                "Remove %(name)s (%(email)s) from “%(title)s”?",
                name=membership.user.name,
                email=membership.user.email,
                title=statement.title,
            ),
            consequences=[
                _("They will no longer see the statement, its list or its contacts."),
                _("Their account stays; an owner can add them again."),
            ],
            confirm_label=_("Remove %(name)s", name=membership.user.name),
            cancel_url=url_for("workspace.members", slug=slug),
            statement=statement,
            tab="workspace.members",
        )
    try:
        remove_member(membership, actor=current_user)
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("workspace.members", slug=slug))
    name = membership.user.name
    db.session.commit()
    flash(_("%(name)s no longer has access to this statement.", name=name), "success")
    return redirect(url_for("workspace.members", slug=slug))


def _invitation_sent(email: str, role: Role) -> str:
    """The flash after a team invitation: one whole sentence per role."""
    if role is Role.OWNER:
        return _(
            "Invitation sent to %(email)s: they join as owner once they accept it (the "
            "link works for 7 days).",
            email=email,
        )
    if role is Role.EDITOR:
        return _(
            "Invitation sent to %(email)s: they join as editor once they accept it (the "
            "link works for 7 days).",
            email=email,
        )
    return _(
        "Invitation sent to %(email)s: they join as viewer once they accept it (the "
        "link works for 7 days).",
        email=email,
    )


def _now_role(name: str, role: Role) -> str:
    """The flash after a role change: one whole sentence per role."""
    if role is Role.OWNER:
        return _("%(name)s is now owner.", name=name)
    if role is Role.EDITOR:
        return _("%(name)s is now editor.", name=name)
    return _("%(name)s is now viewer.", name=name)


def _membership_or_404(statement, member_id: int) -> Membership:
    membership = db.session.get(Membership, member_id)
    if membership is None or membership.statement_id != statement.id:
        abort(404)
    return membership


@blueprint.route("/statements/<slug>/close", methods=["POST"])
@login_required
def close_statement(slug: str):
    statement = statement_for(slug, Role.OWNER)
    if status_now(statement) is Status.OPEN and not confirmed():
        return _confirm_close(statement)
    try:
        close(statement, actor=current_user)
    except LifecycleError as error:
        flash(str(error), "error")
        return redirect(url_for("workspace.show", slug=slug))
    db.session.commit()
    flash(_("Signatures are closed. You can curate the list, or reopen."), "success")
    return redirect(url_for("workspace.show", slug=slug))


def _confirm_close(statement):
    unanswered = unanswered_count(statement)
    consequences = [
        _("Nobody can sign any more: invitation links and the public form stop taking signatures."),
        _("You can then curate the list and publish it, or reopen."),
    ]
    if unanswered:
        consequences.insert(
            1,
            ngettext(
                "%(num)s invited partner has not answered yet.",
                "%(num)s invited partners have not answered yet.",
                unanswered,
            ),
        )
    return confirmation_page(
        title=_("Close signatures?"),
        question=_("Close “%(title)s” for signatures now?", title=statement.title),
        consequences=consequences,
        confirm_label=_("Close signatures"),
        cancel_url=url_for("workspace.show", slug=statement.slug),
        statement=statement,
    )
