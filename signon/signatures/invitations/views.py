"""Team routes for invitations: paste and check a list, send, re-send, revoke, remind."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...accounts.models import Role
from ...confirmation import confirmation_page, confirmed
from ...extensions import db, limiter
from ...mail.models import MailState, OutboxMessage
from ...mail.worker import shown_error
from ...statements.access import statement_for
from ...statements.lifecycle import accepts_signatures
from ..consent import consent_floor, needs_reconfirmation
from ..forms import (
    ActionForm,
    BackToListForm,
    ConfirmInvitationsForm,
    InvitationListForm,
)
from ..models import Invitation
from ..team_mail import SCOPE, per_member, team_mail_limit
from .service import (
    InvitationError,
    add_invitations,
    check_list,
    decode_upload,
    remind_unanswered,
    resend,
    revoke,
)

blueprint = Blueprint("invitations", __name__)


@blueprint.route("/statements/<slug>/invitations")
@login_required
def invitations(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    return _invitations_page(statement, InvitationListForm())


def _invitations_page(statement, form, status: int = 200):
    rows = db.session.scalars(
        select(Invitation)
        .where(Invitation.statement_id == statement.id)
        .options(selectinload(Invitation.signature))
        .order_by(Invitation.position, Invitation.id)
    ).all()
    # Each invitation's latest mail (invitation or reminder) says how delivery went:
    # a failure that a later mail got past is history, not the state.
    latest: dict[int, OutboxMessage] = {}
    for message in db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.statement_id == statement.id,
            OutboxMessage.invitation_id.is_not(None),
        )
        .order_by(OutboxMessage.id)
    ):
        latest[message.invitation_id] = message
    failed = {
        invitation_id: shown_error(message.last_error)
        for invitation_id, message in latest.items()
        if message.state is MailState.FAILED
    }
    # Still to go out, with what held it up last if anything did (the mail server
    # away, a 4xx to retry); and when the sent ones reached the mail server.
    pending = {
        invitation_id: shown_error(message.last_error)
        for invitation_id, message in latest.items()
        if message.state in (MailState.PENDING, MailState.SENDING)
    }
    delivered = {
        invitation_id: message.sent_at
        for invitation_id, message in latest.items()
        if message.state is MailState.SENT
    }
    floor = consent_floor(statement)
    return render_template(
        "signatures/invitations.html",
        statement=statement,
        invitations=rows,
        to_reconfirm={
            i.id for i in rows if i.signature and needs_reconfirmation(i.signature, floor)
        },
        form=form,
        failed=failed,
        pending=pending,
        delivered=delivered,
        action=ActionForm(),
        accepting=accepts_signatures(statement),
    ), status


@blueprint.route("/statements/<slug>/invitations/check", methods=["POST"])
@login_required
def check_invitations(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    form = InvitationListForm()
    if not accepts_signatures(statement):
        # The page says why and offers the owners to open the statement.
        return _invitations_page(statement, form, 409)
    if not form.validate_on_submit():
        return _invitations_page(statement, form, 400)
    try:
        text = decode_upload(form.upload.data.read()) if form.upload.data else form.rows.data
    except InvitationError as error:
        form.upload.errors = [str(error)]
        return _invitations_page(statement, form, 400)
    if not (text or "").strip():
        form.rows.errors = [_("Paste at least one line, or choose a CSV file.")]
        return _invitations_page(statement, form, 400)
    checked = check_list(statement, text)
    if checked.refused:
        form.rows.errors = [checked.refused]
        return _invitations_page(statement, form, 413 if checked.too_long else 400)
    return _check_page(statement, checked, pasted=text)


def _check_page(statement, checked, *, pasted: str, changed: bool = False):
    confirm = ConfirmInvitationsForm(formdata=None, rows=checked.as_text())
    return render_template(
        "signatures/check.html",
        statement=statement,
        checked=checked,
        confirm=confirm,
        back=BackToListForm(formdata=None, rows=pasted),
        changed=changed,
    ), 200 if checked.rows and not changed else 400


@blueprint.route("/statements/<slug>/invitations/back", methods=["POST"])
@login_required
def back_to_invitations(slug: str):
    """Cancel on the check page: the Invitations page, the list as pasted in its box."""
    statement = statement_for(slug, Role.EDITOR)
    back = BackToListForm()
    if not back.validate_on_submit():
        abort(400)
    return _invitations_page(statement, InvitationListForm(formdata=None, rows=back.rows.data))


@blueprint.route("/statements/<slug>/invitations/confirm", methods=["POST"])
@login_required
def confirm_invitations(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    form = ConfirmInvitationsForm()
    if not form.validate_on_submit():
        abort(400)
    # Checked again: the hidden list came back from the browser, and someone on the
    # team may have invited one of these addresses since.
    checked = check_list(statement, form.rows.data, delimiter=",")
    if checked.refused:
        flash(checked.refused, "error")
        return redirect(url_for("invitations.invitations", slug=slug))
    if checked.problems or not checked.rows:
        return _check_page(statement, checked, pasted=form.rows.data, changed=True)
    try:
        created = add_invitations(statement, checked.rows, actor=current_user)
    except InvitationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("invitations.invitations", slug=slug))
    db.session.commit()
    flash(
        ngettext(
            "%(num)s invitation queued for sending.",
            "%(num)s invitations queued for sending.",
            len(created),
        ),
        "success",
    )
    return redirect(url_for("invitations.invitations", slug=slug))


def _invitation(statement, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.statement_id != statement.id:
        abort(404)
    return invitation


@blueprint.route("/statements/<slug>/invitations/<int:invitation_id>/<action>", methods=["POST"])
@login_required
@limiter.shared_limit(
    team_mail_limit, scope=SCOPE, key_func=per_member, exempt_when=lambda: not confirmed()
)
def invitation_action(slug: str, invitation_id: int, action: str):
    statement = statement_for(slug, Role.EDITOR)
    invitation = _invitation(statement, invitation_id)
    if action not in INVITATION_ACTIONS:
        abort(404)
    if not confirmed():
        return _confirm_invitation_action(statement, invitation, action)
    try:
        if action == "revoke":
            revoke(invitation, actor=current_user)
            message = _("The link sent to %(email)s no longer works.", email=invitation.email)
        elif action == "resend":
            resend(invitation, actor=current_user)
            message = _(
                "A new link is on its way to %(email)s; the old one stopped working.",
                email=invitation.email,
            )
        else:
            abort(404)
    except InvitationError as error:
        flash(str(error), "error")
        return redirect(url_for("invitations.invitations", slug=slug))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("invitations.invitations", slug=slug))


INVITATION_ACTIONS = ("revoke", "resend")


def _confirm_invitation_action(statement, invitation, action: str):
    who = {"organisation": invitation.organisation, "email": invitation.email}
    if action == "revoke":
        return confirmation_page(
            title=_("Revoke this invitation?"),
            question=_("Revoke the invitation to %(organisation)s (%(email)s)?", **who),
            consequences=[
                _("The link they were sent stops working at once; mail not yet sent is dropped."),
                _("A signature they already gave stays as it is."),
            ],
            confirm_label=_("Revoke the invitation"),
            cancel_url=url_for("invitations.invitations", slug=statement.slug),
            statement=statement,
            tab="invitations.invitations",
        )
    return confirmation_page(
        title=_("Send a new link?"),
        question=_("Send %(organisation)s (%(email)s) a new link?", **who),
        consequences=[
            _("The link sent before stops working; only the new one opens the statement."),
            _("An email goes to %(email)s now.", email=invitation.email),
        ],
        confirm_label=_("Send a new link"),
        cancel_url=url_for("invitations.invitations", slug=statement.slug),
        statement=statement,
        tab="invitations.invitations",
        danger=False,
    )


@blueprint.route("/statements/<slug>/invitations/remind", methods=["POST"])
@login_required
@limiter.shared_limit(team_mail_limit, scope=SCOPE, key_func=per_member)
def remind(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    try:
        count = remind_unanswered(statement, actor=current_user)
    except InvitationError as error:
        flash(str(error), "error")
        return redirect(url_for("invitations.invitations", slug=slug))
    db.session.commit()
    if count:
        flash(
            ngettext(
                "Reminded %(num)s partner who have not answered.",
                "Reminded %(num)s partners who have not answered.",
                count,
            ),
            "success",
        )
    else:
        flash(
            _(
                "Nobody to remind: everyone answered, or was reminded or invited in the last 24 "
                "hours."
            ),
            "info",
        )
    return redirect(url_for("invitations.invitations", slug=slug))
