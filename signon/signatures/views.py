"""Team routes: the signature list, its order, moderation, re-confirmation reminders."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..accounts.models import Role
from ..extensions import db, limiter
from ..signatory_fields import PRINTED_FIELDS
from ..statements.access import statement_for
from .consent import consent_floor, is_listed, needs_reconfirmation, waits_for_translation
from .duplicates import find_duplicates
from .forms import (
    ActionForm,
    EditDisplayForm,
    OrderForm,
    RejectForm,
)
from .listing import final_section
from .models import Signature
from .moderation import approve, edit_display, reject
from .ordering import (
    ORDER_HINTS,
    ORDER_NOTES,
    SWITCHED_FROM,
    OrderError,
    StaleOrder,
    ordered_signatures,
    positions_from_form,
    reorder,
)
from .printed import printed_as
from .reconfirm import ReconfirmError, diff_emails_ahead, remind_reconfirmations
from .sign_on import SigningError
from .team_mail import SCOPE, per_member, team_mail_limit

blueprint = Blueprint("signatures", __name__)


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
        needs_reconfirmation={
            s.id
            for s in rows
            if needs_reconfirmation(s, floor) and not waits_for_translation(s, floor)
        },
        waiting_translation={s.id for s in rows if waits_for_translation(s, floor)},
        listed={s.id for s in rows if is_listed(s, floor)},
        section=final_section(statement),
        show_contacts=g.role.allows(Role.EDITOR),
        action=ActionForm(),
        reject_form=RejectForm(),
        order_form=OrderForm(formdata=None, revision=statement.list_revision),
        order_note=ORDER_NOTES.get(statement.signatory_order, ""),
        order_hint=ORDER_HINTS.get(statement.signatory_order, ""),
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
        error = " ".join(str(m) for messages in form.errors.values() for m in messages)
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
        flash(_("The order is unchanged."), "info")
    else:
        # Whole sentences, each its own message, joined.
        sentences = [_("Order saved.")]
        if result.switched_from in SWITCHED_FROM:
            sentences.append(str(SWITCHED_FROM[result.switched_from]))
        if result.edition is not None:
            sentences.append(
                _(
                    "The published list has a new edition (%(number)s).",
                    number=result.edition.number,
                )
            )
        flash(" ".join(sentences), "success")
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
@limiter.shared_limit(team_mail_limit, scope=SCOPE, key_func=per_member)
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
            ngettext(
                "Reminded %(num)s signer to confirm the new text.",
                "Reminded %(num)s signers to confirm the new text.",
                count,
            ),
            "success",
        )
    else:
        flash(
            _(
                "Nobody to remind: everyone confirmed or withdrew, or was asked in the last 24 "
                "hours, or has no email address."
            ),
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
            listed_publicly=form.named,
            **{name: form[name].data or "" for name in PRINTED_FIELDS},
        )
        db.session.commit()
        flash(_("Entry updated; the change is recorded in the statement's audit trail."), "success")
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
    flash(_("%(name)s is now on the list.", name=signature.name), "success")
    return redirect(url_for("signatures.signatures", slug=slug))


@blueprint.route("/statements/<slug>/signatures/<int:signature_id>/reject", methods=["POST"])
@login_required
def reject_signature(slug: str, signature_id: int):
    statement = statement_for(slug, Role.EDITOR)
    signature = _signature(statement, signature_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.reason.errors)) or _("Could not reject."), "error")
        return redirect(url_for("signatures.signatures", slug=slug))
    try:
        reject(signature, actor=current_user, reason=form.reason.data or "")
    except SigningError as error:
        flash(str(error), "error")
        return redirect(url_for("signatures.signatures", slug=slug))
    db.session.commit()
    flash(
        _("%(name)s was rejected; the reason stays with your team.", name=signature.name), "success"
    )
    return redirect(url_for("signatures.signatures", slug=slug, _anchor=request.args.get("a")))
