"""Routes a signer reaches from an email link or the open call; no account needed.

GET only shows pages: mail scanners open links before people do. Every change is
a POST with a CSRF token, answered with a redirect to a page that shows the result.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ...database import only_reads_from_here
from ...documents.html import render_html
from ...extensions import db, limiter
from ...locale_choice import use_statement_language
from ...statements.diff_render import changes_view
from ...statements.lifecycle import deadline_in_zone, status_now, under_embargo
from ...statements.models import Statement, Status
from ...tokens import Purpose
from ..asking import reply_address, who_is_asking
from ..consent import consent_floor, covers_current, waits_for_translation
from ..forms import ActionForm, ManageSignatureForm, OpenCallForm, SignatureForm
from ..models import Signature, SignatureState
from ..printed import printed_as
from ..reconfirm import ReconfirmError, changes_since, check_answerable, confirm, text_now
from ..sign_on import (
    SignatureInput,
    SigningClosed,
    SigningError,
    confirm_contact,
    record_opened,
    sign_again,
    sign_from_invitation,
    submit_open_call,
    update_signature,
    verify_email,
    withdraw,
)
from .link_lookup import (
    LinkProblem,
    contact_signature_from,
    invitation_from,
    link_problem_page,
    signature_from,
)
from .reading import QUERY as TEXT_QUERY
from .reading import reading_for, reading_to_sign

blueprint = Blueprint("signer", __name__)


def _token_limit() -> str:
    return current_app.config["RATELIMIT_TOKEN_PAGES"]


def _public_form_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC_FORM"]


TOKEN_PATHS = ("/i/", "/m/", "/v/", "/r/", "/c/")


def _token_scope(endpoint: str) -> str:
    # All link pages draw on one allowance per address, so guessing at /i/, /m/,
    # /v/, /r/ and /c/ in turn gains nothing; the open-call pages keep one each.
    return "token-pages" if request.path.startswith(TOKEN_PATHS) else ""


limiter.shared_limit(_token_limit, scope=_token_scope)(blueprint)


@blueprint.after_app_request
def private_page_headers(response):
    """Token pages: the URL is a secret; keep it out of Referer headers and caches.
    Applied by path, so a 404 or 405 under a token URL is covered too."""
    if request.blueprint == blueprint.name or request.path.startswith(TOKEN_PATHS):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.app_template_global("title_of")
def title_of(statement: Statement) -> str:
    """The statement's title as this page's reader reads it: their translation's."""
    return g.get("signon_title_read") or statement.title


@blueprint.app_template_filter("printed_as")
def printed_as_filter(signature: Signature):
    """`signature | printed_as`: the entry as the documents print it, for the
    templates that get no `printed` from their view (emails, re-confirmation)."""
    return printed_as(signature)


@blueprint.errorhandler(LinkProblem)
def bad_link(problem: LinkProblem):
    return link_problem_page(problem)


@blueprint.errorhandler(SigningClosed)
def closed(_error):
    return render_template("signer/link_problem.html", kind="closed", statement=None), 410


# The sign-on fields in the order the page shows them (_signature_fields.html): the
# error summary lists its links in this order, whatever order the form class has.
SIGNATURE_FIELD_ORDER = (
    "kind", "name", "acronym", "country", "note", "other_names", "listed_publicly",
    "website", "authorised_by", "authoriser_title", "contact_email", "authorised",
)  # fmt: skip


def _text_unavailable(error: SigningError):
    """409: the language asked for cannot be signed now; nothing was saved."""
    return render_template(
        "signer/message.html", title=_("This text cannot be signed now"), message=str(error)
    ), 409


def _text(statement: Statement, version=None) -> dict:
    """The text shown beside a form: by default the one being signed now; a
    translation's version in its own language."""
    version = version or statement.current_version
    language = getattr(getattr(version, "translation", None), "language", statement.language)
    return {
        "version": version,
        "html": render_html(version.body, language),
        "shown_language": language,
    }


@blueprint.route("/i/<token>", methods=["GET", "POST"])
def invitation(token: str):
    invite = invitation_from(token)
    form = ActionForm()
    if form.validate_on_submit():
        record_opened(invite)
        db.session.commit()
        return redirect(url_for("signer.sign", token=token), 303)
    statement = invite.statement
    return render_template(
        "signer/landing.html",
        invitation=invite,
        statement=statement,
        form=form,
        deadline=deadline_in_zone(statement),
        asking=who_is_asking(invite),
    )


@blueprint.route("/i/<token>/sign", methods=["GET", "POST"])
def sign(token: str):
    invite = invitation_from(token)
    statement = invite.statement
    existing = db.session.scalar(select(Signature).where(Signature.invitation_id == invite.id))
    form = SignatureForm(obj=existing if existing else None)
    if not form.is_submitted() and existing is None:
        form.name.data = invite.organisation
        form.contact_email.data = invite.email
        form.authorised_by.data = invite.contact_name
    reading = reading_for(statement, invite.language)
    if form.validate_on_submit():
        try:
            read = reading_to_sign(statement, invite.language).translation
        except SigningError as error:
            return _text_unavailable(error)
        sign_from_invitation(
            invite,
            SignatureInput.from_form(form),
            existing=existing,
            read=read,
            other_names=getattr(form.other_names, "parsed", None),
        )
        db.session.commit()
        return redirect(url_for("signer.signed", token=token), 303)
    return render_template(
        "signer/sign.html",
        form=form,
        statement=statement,
        existing=existing,
        # How the entry prints now; a withdrawn one prints nothing until signed again.
        printed=printed_as(existing)
        if existing and existing.state is SignatureState.SIGNED
        else None,
        field_order=SIGNATURE_FIELD_ORDER,
        deadline=deadline_in_zone(statement),
        # The post signs the text shown: its language goes with it.
        action=url_for("signer.sign", token=token, **{TEXT_QUERY: reading.language}),
        **reading.context(),
    ), 400 if form.errors else 200


@blueprint.route("/i/<token>/signed")
def signed(token: str):
    invite = invitation_from(token, for_signing=False)
    signature = db.session.scalar(select(Signature).where(Signature.invitation_id == invite.id))
    if signature is None:
        return redirect(url_for("signer.sign", token=token))
    return render_template(
        "signer/signed.html",
        signature=signature,
        statement=invite.statement,
        printed=printed_as(signature),
    )


@blueprint.route("/m/<token>", methods=["GET", "POST"])
def manage(token: str):
    """The signer's own page: change the entry, or sign again once withdrawn."""
    signature = signature_from(token, Purpose.MANAGE_SIGNATURE)
    statement = signature.statement
    signing_open = status_now(statement) is Status.OPEN
    withdrawn = signature.state is SignatureState.WITHDRAWN
    # Signing again is a new consent, to the current text: the authorisation is
    # asked again. A change of entry keeps the one given when signing.
    form = (SignatureForm if withdrawn else ManageSignatureForm)(obj=signature)
    message = None
    if form.validate_on_submit():
        try:
            if withdrawn:
                sign_again(signature, SignatureInput.from_form(form))
            else:
                changed = update_signature(signature, SignatureInput.from_form(form))
        except SigningError as error:
            message = str(error)
        except SigningClosed:
            message = _("Signatures for this statement are closed, so your entry cannot change.")
        else:
            db.session.commit()
            done = {"restored": 1} if withdrawn else {"saved": int(changed)}
            return redirect(url_for("signer.manage", token=token, **done), 303)
    can_change = signature.state is SignatureState.SIGNED and signing_open
    return render_template(
        "signer/manage.html",
        form=form,
        signature=signature,
        statement=statement,
        message=message,
        token=token,
        printed=printed_as(signature),
        field_order=SIGNATURE_FIELD_ORDER,
        deadline=deadline_in_zone(statement),
        reply_to=reply_address(),
        can_change=can_change,
        can_sign_again=withdrawn and signing_open,
        # The text this signature consented to, which may be older than the current
        # one; a withdrawn signer who signs again signs the current one.
        **_text(statement, None if withdrawn else signature.read_text),
    ), 400 if form.errors or message else 200


def _withdrawal_context(signature: Signature, token: str) -> dict:
    statement = signature.statement
    return {
        "signature": signature,
        "statement": statement,
        "token": token,
        "signing_open": status_now(statement) is Status.OPEN,
        "deadline": deadline_in_zone(statement),
    }


@blueprint.route("/m/<token>/withdraw", methods=["GET", "POST"])
def withdraw_signature(token: str):
    """GET asks to confirm (it changes nothing); the POST from that page withdraws."""
    signature = signature_from(token, Purpose.MANAGE_SIGNATURE)
    if signature.state is SignatureState.WITHDRAWN:
        return redirect(url_for("signer.withdrawn", token=token), 303)
    if signature.state is SignatureState.REJECTED:
        return render_template(
            "signer/message.html",
            title=_("Nothing to withdraw"),
            message=_("The organisers did not accept this signature: it is not on the list."),
        ), 409
    form = ActionForm()
    if request.method == "GET":
        return render_template(
            "signer/withdraw.html", form=form, **_withdrawal_context(signature, token)
        )
    if not form.validate_on_submit():  # CSRFProtect already refused a bad token
        abort(400)
    try:
        withdraw(signature)
    except SigningError as error:
        return render_template(
            "signer/message.html", title=_("Cannot withdraw"), message=str(error)
        ), 409
    db.session.commit()
    return redirect(url_for("signer.withdrawn", token=token), 303)


@blueprint.route("/m/<token>/withdrawn")
def withdrawn(token: str):
    """What happened, after a withdrawal; how to sign again while signing is open."""
    signature = signature_from(token, Purpose.MANAGE_SIGNATURE)
    if signature.state is not SignatureState.WITHDRAWN:
        return redirect(url_for("signer.manage", token=token))
    return render_template(
        "signer/withdrawn.html",
        emailed=bool(signature.reply_address),
        **_withdrawal_context(signature, token),
    )


def _visible_open_call(slug: str) -> Statement | None:
    """The statement whose open call anyone may see at this slug, else None: a
    draft's or an embargoed statement's is not there, not even its language."""
    statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
    if (
        statement is None
        or not statement.open_call
        or statement.status is Status.DRAFT
        or under_embargo(statement)  # not public yet, not even its title
    ):
        return None
    return statement


@blueprint.route("/s/<slug>/sign", methods=["GET", "POST"])
@limiter.limit(_public_form_limit, methods=["POST"])
def open_call(slug: str):
    statement = _visible_open_call(slug)
    if statement is None:
        return render_template(
            "errors.html",
            code=404,
            title=_("Not found"),
            message=_("There is no open call at this address."),
        ), 404
    use_statement_language(statement.language)
    if status_now(statement) is not Status.OPEN:
        return render_template(
            "signer/link_problem.html",
            kind="closed",
            statement=statement,
            deadline=deadline_in_zone(statement),
        ), 410
    form = OpenCallForm()
    reading = reading_for(statement)
    if form.validate_on_submit():
        try:
            read = reading_to_sign(statement).translation
        except SigningError as error:
            return _text_unavailable(error)
        submit_open_call(statement, SignatureInput.from_form(form), read=read)
        db.session.commit()
        return redirect(url_for("signer.check_email", slug=slug), 303)
    return render_template(
        "signer/sign.html",
        form=form,
        statement=statement,
        existing=None,
        field_order=SIGNATURE_FIELD_ORDER,
        deadline=deadline_in_zone(statement),
        action=url_for("signer.open_call", slug=slug, **{TEXT_QUERY: reading.language}),
        open_call=True,
        **reading.context(),
    ), 400 if form.errors else 200


@blueprint.route("/s/<slug>/sign/check-email")
def check_email(slug: str):
    statement = _visible_open_call(slug)
    if statement is not None:
        use_statement_language(statement.language)
    return render_template(
        "signer/message.html",
        title=_("Check your email"),
        message=_(
            "We sent a message to the address you gave. Follow the link "
            "in it to confirm your signature. If it does not arrive within a "
            "few minutes, look in your spam folder."
        ),
    )


@blueprint.route("/v/<token>", methods=["GET", "POST"])
def verify(token: str):
    signature = signature_from(token, Purpose.VERIFY_EMAIL)
    form = ActionForm()
    if form.validate_on_submit():
        verify_email(signature)
        db.session.commit()
        return redirect(url_for("signer.verify", token=token), 303)
    return render_template(
        "signer/verify.html", signature=signature, form=form, statement=signature.statement
    )


@blueprint.route("/c/<token>", methods=["GET", "POST"])
def contact(token: str):
    """A contact address typed into the sign form confirms itself (a button, so a
    mail scanner opening the link confirms nothing)."""
    signature = contact_signature_from(token)
    form = ActionForm()
    if form.validate_on_submit():
        confirm_contact(signature)
        db.session.commit()
        return redirect(url_for("signer.contact", token=token), 303)
    return render_template(
        "signer/confirm_contact.html",
        signature=signature,
        statement=signature.statement,
        form=form,
        confirmed=signature.contact_confirmed == signature.contact_email.lower(),
    )


# Re-confirmation after a substantive change ------------------------------------------
def _reconfirm_page(token: str, signature: Signature, *, status: int = 200, note: str = ""):
    statement = signature.statement
    try:
        check_answerable(signature)
        problem = ""
    except ReconfirmError as error:
        problem = str(error)
    floor = consent_floor(statement)
    covered = covers_current(signature, floor)
    changes = changes_since(signature, statement)
    current = text_now(signature, statement)
    read = signature.translation_version
    language = read.translation.language if read is not None else statement.language
    return render_template(
        "signer/reconfirm.html",
        token=token,
        signature=signature,
        statement=statement,
        problem=problem,
        covered=covered,
        waiting=waits_for_translation(signature, floor),
        note=note,
        changes=changes_view(changes),
        old=read or signature.version,
        form=ActionForm(),
        version=current,
        html=render_html(current.body, language),
        shown_language=language,
    ), status


@blueprint.route("/r/<token>")
def reconfirm(token: str):
    """The changes since the signer's version, the new text, and two buttons."""
    return _reconfirm_page(token, signature_from(token, Purpose.RECONFIRM))


@blueprint.route("/r/<token>/confirm", methods=["POST"])
def reconfirm_confirm(token: str):
    signature = signature_from(token, Purpose.RECONFIRM)
    if not ActionForm().validate_on_submit():
        abort(400)
    shown = request.form.get("version_id", type=int)
    try:
        confirmed = confirm(signature, shown_version_id=shown)
    except ReconfirmError:
        only_reads_from_here()  # the page shows a diff: no write lock while it is made
        return _reconfirm_page(token, signature, status=409)
    if not confirmed:
        only_reads_from_here()
        note = _("The text changed again while you were reading. Please read the changes below.")
        return _reconfirm_page(token, signature, status=409, note=note)
    db.session.commit()
    return redirect(url_for("signer.reconfirm", token=token), 303)


@blueprint.route("/r/<token>/withdraw", methods=["POST"])
def reconfirm_withdraw(token: str):
    signature = signature_from(token, Purpose.RECONFIRM)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        check_answerable(signature)
        withdraw(signature)
    except (ReconfirmError, SigningError):
        return _reconfirm_page(token, signature, status=409)
    db.session.commit()
    return redirect(url_for("signer.reconfirm", token=token), 303)
