"""Team routes: invitations, the signature list, moderation, the final list preview."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Role
from ..confirmation import confirmation_page, confirmed
from ..extensions import db, limiter
from ..mail.models import MailState, OutboxMessage
from ..statements.access import statement_for
from ..statements.lifecycle import accepts_signatures
from .consent import consent_floor, is_listed, needs_reconfirmation
from .duplicates import find_duplicates
from .forms import (
    ActionForm,
    BackToListForm,
    ConfirmInvitationsForm,
    EditDisplayForm,
    InvitationListForm,
    OrderForm,
    RejectForm,
)
from .invitations import (
    InvitationError,
    add_invitations,
    check_list,
    decode_upload,
    remind_unanswered,
    resend,
    revoke,
)
from .listing import final_section
from .models import Invitation, Signature
from .ordering import (
    ORDER_NAMES,
    OrderError,
    StaleOrder,
    ordered_signatures,
    positions_from_form,
    reorder,
)
from .printed import printed_as
from .reconfirm import ReconfirmError, diff_emails_ahead, remind_reconfirmations
from .sign_on import SigningError, approve, edit_display, reject

blueprint = Blueprint("signatures", __name__)


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
        invitation_id: message.last_error
        for invitation_id, message in latest.items()
        if message.state is MailState.FAILED
    }
    pending = {
        invitation_id
        for invitation_id, message in latest.items()
        if message.state in (MailState.PENDING, MailState.SENDING)
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
        form.rows.errors = ["Paste at least one line, or choose a CSV file."]
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
        return redirect(url_for("signatures.invitations", slug=slug))
    if checked.problems or not checked.rows:
        return _check_page(statement, checked, pasted=form.rows.data, changed=True)
    try:
        created = add_invitations(statement, checked.rows, actor=current_user)
    except InvitationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("signatures.invitations", slug=slug))
    db.session.commit()
    flash(
        f"{len(created)} invitation{'s' if len(created) != 1 else ''} queued for sending.",
        "success",
    )
    return redirect(url_for("signatures.invitations", slug=slug))


def _invitation(statement, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.statement_id != statement.id:
        abort(404)
    return invitation


def _resend_limit() -> str:
    return current_app.config["RATELIMIT_RESENDS"]


def _per_user() -> str:
    """Team actions that send mail share one allowance per account (RATELIMIT_RESENDS),
    counted per account rather than per address: a team may share an office."""
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else "anonymous"


@blueprint.route("/statements/<slug>/invitations/<int:invitation_id>/<action>", methods=["POST"])
@login_required
@limiter.shared_limit(
    _resend_limit, scope="team-mail", key_func=_per_user, exempt_when=lambda: not confirmed()
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
            message = f"The link sent to {invitation.email} no longer works."
        elif action == "resend":
            resend(invitation, actor=current_user)
            message = (
                f"A new link is on its way to {invitation.email}; the old one stopped working."
            )
        else:
            abort(404)
    except InvitationError as error:
        flash(str(error), "error")
        return redirect(url_for("signatures.invitations", slug=slug))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("signatures.invitations", slug=slug))


INVITATION_ACTIONS = ("revoke", "resend")


def _confirm_invitation_action(statement, invitation, action: str):
    who = f"{invitation.organisation} ({invitation.email})"
    if action == "revoke":
        return confirmation_page(
            title="Revoke this invitation?",
            question=f"Revoke the invitation to {who}?",
            consequences=[
                "The link they were sent stops working at once; mail not yet sent is dropped.",
                "A signature they already gave stays as it is.",
            ],
            confirm_label="Revoke the invitation",
            cancel_url=url_for("signatures.invitations", slug=statement.slug),
            statement=statement,
            tab="signatures.invitations",
        )
    return confirmation_page(
        title="Send a new link?",
        question=f"Send {who} a new link?",
        consequences=[
            "The link sent before stops working; only the new one opens the statement.",
            f"An email goes to {invitation.email} now.",
        ],
        confirm_label="Send a new link",
        cancel_url=url_for("signatures.invitations", slug=statement.slug),
        statement=statement,
        tab="signatures.invitations",
        danger=False,
    )


@blueprint.route("/statements/<slug>/invitations/remind", methods=["POST"])
@login_required
@limiter.shared_limit(_resend_limit, scope="team-mail", key_func=_per_user)
def remind(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    try:
        count = remind_unanswered(statement, actor=current_user)
    except InvitationError as error:
        flash(str(error), "error")
        return redirect(url_for("signatures.invitations", slug=slug))
    db.session.commit()
    if count:
        flash(
            f"Reminded {count} partner{'s' if count != 1 else ''} who have not answered.", "success"
        )
    else:
        flash(
            "Nobody to remind: everyone answered, or was reminded or invited in the last 24 hours.",
            "info",
        )
    return redirect(url_for("signatures.invitations", slug=slug))


@blueprint.route("/statements/<slug>/signatures")
@login_required
def signatures(slug: str):
    statement = statement_for(slug)
    return _signatures_page(statement)


def _signatures_page(statement, *, order_error: str = "", typed=None, status: int = 200):
    rows = ordered_signatures(statement)
    duplicates = find_duplicates([(s.id, s.name, s.contact_email) for s in rows])
    floor = consent_floor(statement)
    return render_template(
        "signatures/list.html",
        statement=statement,
        signatures=rows,
        duplicates=duplicates,
        needs_reconfirmation={s.id for s in rows if needs_reconfirmation(s, floor)},
        listed={s.id for s in rows if is_listed(s, floor)},
        section=final_section(statement),
        show_contacts=g.role.allows(Role.EDITOR),
        action=ActionForm(),
        reject_form=RejectForm(),
        order_form=OrderForm(formdata=None, revision=statement.list_revision),
        order_name=ORDER_NAMES[statement.signatory_order],
        order_error=order_error,
        typed=typed or {},
    ), status


@blueprint.route("/statements/<slug>/signatures/order", methods=["POST"])
@login_required
def order_signatures(slug: str):
    """Save the team's order of the list (a position per row, or an arrow)."""
    statement = statement_for(slug, Role.EDITOR)
    form = OrderForm()
    typed = _typed_positions(request.form)
    if not form.validate_on_submit():
        error = " ".join(message for messages in form.errors.values() for message in messages)
        return _signatures_page(statement, order_error=error, typed=typed, status=400)
    try:
        result = reorder(
            statement,
            positions_from_form(request.form),
            actor=current_user,
            revision=form.revision.data,
            move=form.move_step(),
        )
    except OrderError as error:
        db.session.rollback()
        # A stale form shows the list as it is now; a bad one keeps what was typed.
        typed = {} if isinstance(error, StaleOrder) else typed
        return _signatures_page(statement, order_error=str(error), typed=typed, status=error.status)
    db.session.commit()
    if not result.changed:
        flash("The order is unchanged.", "info")
    else:
        message = "Order saved."
        if result.switched_from is not None:
            message += (
                f" The list now prints in this order (“As listed”); it printed "
                f"{ORDER_NAMES[result.switched_from]}."
            )
        if result.edition is not None:
            message += f" The published list has a new edition ({result.edition.number})."
        flash(message, "success")
    step = form.move_step()
    anchor = f"signature-{step[0]}" if step else "order-form"
    return redirect(url_for("signatures.signatures", slug=slug, _anchor=anchor))


def _typed_positions(formdata) -> dict[int, str]:
    """What was typed in each position box, to show it again beside an error."""
    try:
        return positions_from_form(formdata)
    except OrderError:
        return {}


@blueprint.route("/statements/<slug>/signatures/remind-reconfirm", methods=["POST"])
@login_required
@limiter.shared_limit(_resend_limit, scope="team-mail", key_func=_per_user)
def remind_reconfirm(slug: str):
    """Remind signers who have not re-confirmed after a substantive change, at most
    once a day each."""
    statement = statement_for(slug, Role.EDITOR)
    if not ActionForm().validate_on_submit():
        abort(400)
    diff_emails_ahead(statement)  # the reminders show the changes: diffed before the lock
    try:
        count = remind_reconfirmations(statement, actor=current_user)
    except ReconfirmError as error:
        flash(str(error), "error")
        return redirect(url_for("signatures.signatures", slug=slug))
    db.session.commit()
    if count:
        flash(
            f"Reminded {count} signer{'s' if count != 1 else ''} to confirm the new text.",
            "success",
        )
    else:
        flash(
            "Nobody to remind: everyone confirmed or withdrew, or was asked in the last 24 "
            "hours, or has no email address.",
            "info",
        )
    return redirect(url_for("signatures.signatures", slug=slug))


def _signature(statement, signature_id: int) -> Signature:
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.statement_id != statement.id:
        abort(404)
    return signature


@blueprint.route("/statements/<slug>/signatures/<int:signature_id>/edit", methods=["GET", "POST"])
@login_required
def edit_signature(slug: str, signature_id: int):
    statement = statement_for(slug, Role.EDITOR)
    signature = _signature(statement, signature_id)
    form = EditDisplayForm(obj=signature)
    if form.validate_on_submit():
        edit_display(
            signature,
            actor=current_user,
            name=form.name.data,
            acronym=form.acronym.data or "",
            country=form.country.data or "",
            note=form.note.data or "",
            listed_publicly=form.named,
        )
        db.session.commit()
        flash("Entry updated; the change is recorded in the statement's audit trail.", "success")
        return redirect(url_for("signatures.signatures", slug=slug))
    return render_template(
        "signatures/edit.html",
        statement=statement,
        signature=signature,
        form=form,
        printed=printed_as(signature),
    ), 400 if form.errors else 200


@blueprint.route("/statements/<slug>/signatures/<int:signature_id>/approve", methods=["POST"])
@login_required
def approve_signature(slug: str, signature_id: int):
    statement = statement_for(slug, Role.EDITOR)
    signature = _signature(statement, signature_id)
    # Approved after a substantive change, they are emailed the changes.
    diff_emails_ahead(statement, signature=signature)
    try:
        approve(signature, actor=current_user)
    except SigningError as error:
        flash(str(error), "error")
        return redirect(url_for("signatures.signatures", slug=slug))
    db.session.commit()
    flash(f"{signature.name} is now on the list.", "success")
    return redirect(url_for("signatures.signatures", slug=slug))


@blueprint.route("/statements/<slug>/signatures/<int:signature_id>/reject", methods=["POST"])
@login_required
def reject_signature(slug: str, signature_id: int):
    statement = statement_for(slug, Role.EDITOR)
    signature = _signature(statement, signature_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Could not reject.", "error")
        return redirect(url_for("signatures.signatures", slug=slug))
    try:
        reject(signature, actor=current_user, reason=form.reason.data or "")
    except SigningError as error:
        flash(str(error), "error")
        return redirect(url_for("signatures.signatures", slug=slug))
    db.session.commit()
    flash(f"{signature.name} was rejected; the reason stays with your team.", "success")
    return redirect(url_for("signatures.signatures", slug=slug, _anchor=request.args.get("a")))
