"""Routes: log in, log out (here or everywhere), passwords (reset by email, change),
the account page and its security log."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_login import current_user, login_required, login_user, logout_user

from ..confirmation import confirmation_page, confirmed
from ..extensions import db, limiter
from ..languages import LANGUAGES
from ..tokens import Purpose
from ..web import private_page
from . import security_log
from .credentials import (
    CredentialError,
    ResetLinkProblem,
    change_password,
    request_reset,
    reset_password,
    user_for_reset,
)
from .email_change import EmailLinkProblem
from .email_change import confirm as confirm_email_change
from .email_change import request_change as request_email_change
from .email_change import user_for_link as email_user_for_link
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    PasswordConfirmForm,
    ResetPasswordForm,
)
from .models import User
from .service import (
    SESSION_GENERATION_KEY,
    AccountError,
    authenticate,
    end_sessions,
)
from .site_settings import two_factor_required
from .two_factor import (
    TwoFactorError,
    new_secret,
    qr_code_svg,
    recovery_codes_left,
    second_step,
    turn_off,
    turn_on,
)

blueprint = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _account_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def _submitted_account() -> str:
    """The per-account count's key: the email as submitted, casefolded. Counted
    whether or not an account uses it, so the limit tells nothing about accounts."""
    return "login-account:" + (request.form.get("email") or "").strip().casefold()


def _wrong_password(response) -> bool:
    # Only failures count against an account: its owner logging in often is fine.
    return response.status_code == 401


def _safe_next(target: str | None) -> str | None:
    """`next` only as a path on this host: no scheme, no host, no //evil.example."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(
    _account_limit, key_func=_submitted_account, methods=["POST"], deduct_when=_wrong_password
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("workspace.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            next_page = _safe_next(request.args.get("next"))
            session.clear()  # a new session at login
            if user.has_two_factor:
                # Not logged in yet: the second step has five minutes.
                session[PENDING_USER] = [user.id, user.session_generation, time.time()]
                db.session.commit()
                return redirect(url_for("accounts.login_code", next=next_page))
            _complete_login(user, "password")
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(next_page or url_for("workspace.dashboard"))
        db.session.commit()  # the failed attempt, in the account's security log
        flash(_("That email and password do not match an account."), "error")
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


PENDING_USER = "pending_second_step"
PENDING_SECRET = "two_factor_secret"  # noqa: S105 (a session key: the secret being set up)
SECOND_STEP_SECONDS = 300


def _complete_login(user, how: str) -> None:
    login_user(user)
    session[SESSION_GENERATION_KEY] = user.session_generation
    security_log.note(user, security_log.LOGGED_IN, using=how)
    db.session.commit()


def _pending_user():
    """The account that gave its password for this log-in, still waiting for its
    second step, or None (none, too old, or its sessions ended meanwhile)."""
    pending = session.get(PENDING_USER)
    if not isinstance(pending, list) or len(pending) != 3:
        return None
    user_id, generation, since = pending
    if not isinstance(since, int | float) or time.time() - since > SECOND_STEP_SECONDS:
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.session_generation != generation or not user.has_two_factor:
        return None
    return user


def _two_factor_limit() -> str:
    return current_app.config["RATELIMIT_TWO_FACTOR"]


def _pending_key() -> str:
    pending = session.get(PENDING_USER)
    return f"second-step:{pending[0] if isinstance(pending, list) and pending else ''}"


@blueprint.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_two_factor_limit, key_func=_pending_key, methods=["POST"])
def login_code():
    """The second step of a log-in: a code from the app, or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING_USER, None)
        flash(_("Log in again: the second step waits five minutes at most."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            second_step(user, form.code.data)
        except TwoFactorError as error:
            security_log.note(user, security_log.TWO_FACTOR_FAILED)
            db.session.commit()
            form.code.errors = [*form.code.errors, str(error)]
            return render_template("accounts/login_code.html", form=form), 401
        next_page = _safe_next(request.args.get("next"))
        session.pop(PENDING_USER, None)
        _complete_login(user, "two-factor")
        left = recovery_codes_left(user)
        flash(_("Welcome, %(name)s.", name=user.name), "success")
        if left <= 3:
            flash(
                ngettext(
                    "You have %(num)s recovery code left: make new ones on your account's "
                    "two-factor page.",
                    "You have %(num)s recovery codes left: make new ones on your account's "
                    "two-factor page.",
                    left,
                ),
                "info",
            )
        return redirect(next_page or url_for("workspace.dashboard"))
    return render_template("accounts/login_code.html", form=form), 400 if form.errors else 200


@blueprint.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    user = current_user._get_current_object()
    if user.has_two_factor:
        form = PasswordConfirmForm()
        if form.validate_on_submit():
            try:
                turn_off(user, form.password.data)
            except TwoFactorError as error:
                form.password.errors = [*form.password.errors, str(error)]
            else:
                db.session.commit()
                flash(_("Two-factor authentication is off."), "info")
                return redirect(url_for("accounts.account"))
        page = render_template(
            "accounts/two_factor_on.html",
            form=form,
            left=recovery_codes_left(user),
            required=two_factor_required(),
        )
        return page, 400 if form.errors else 200
    secret = session.get(PENDING_SECRET)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[PENDING_SECRET] = new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = turn_on(user, secret, form.code.data)
        except TwoFactorError as error:
            form.code.errors = [*form.code.errors, str(error)]
        else:
            db.session.commit()
            session.pop(PENDING_SECRET, None)
            response = make_response(render_template("accounts/recovery_codes.html", codes=codes))
            response.headers["Cache-Control"] = "no-store"
            return response
    page = render_template(
        "accounts/two_factor_setup.html",
        form=form,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr_code=qr_code_svg(user, secret),
    )
    return page, 400 if form.errors else 200


@blueprint.route("/logout", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        _end_sessions_and_log_out()
        # One generation per account: ending this session ends the others too.
        flash(_("You are logged out, in this browser and any other."), "info")
    return redirect(url_for("accounts.login"))


@blueprint.route("/account")
@login_required
def account():
    return render_template(
        "accounts/account.html",
        form=LogoutForm(),
        language_form=LanguageForm(language=current_user.language or ""),
    )


@blueprint.route("/account/language", methods=["POST"])
@login_required
def language():
    """The account's interface language ("" follows the browser): team pages and
    the account's mail speak it."""
    form = LanguageForm()
    if not form.validate_on_submit() or "language" not in request.form:
        if form.csrf_token.errors:
            abort(400)
        form.language.errors = [
            _("Choose one of the languages in the list, or the same as your browser.")
        ]
        page = render_template("accounts/account.html", form=LogoutForm(), language_form=form)
        return page, 400
    current_user.language = form.language.data
    db.session.commit()
    refresh()  # the confirmation already in the language just chosen
    if form.language.data:
        name = LANGUAGES[form.language.data]
        flash(_("Language of the interface saved: %(language)s.", language=name), "success")
    else:
        flash(_("The interface now follows your browser's language."), "success")
    return redirect(url_for("accounts.account"), 303)


@blueprint.route("/account/email", methods=["GET", "POST"])
@login_required
def email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            address = request_email_change(
                current_user._get_current_object(), form.email.data, form.password.data
            )
        except AccountError as error:
            field = form.password if error.field == "password" else form.email
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "We sent a link to %(address)s: your account moves to it once you open the "
                    "link and confirm (within a day). Until then nothing changes.",
                    address=address,
                ),
                "success",
            )
            return redirect(url_for("accounts.account"))
    return render_template("accounts/email.html", form=form), 400 if form.errors else 200


@blueprint.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The new address's link: a page with a button (opening the link changes nothing)."""
    try:
        user = email_user_for_link(token)
    except EmailLinkProblem as problem:
        page = render_template("accounts/email_confirm.html", problem=problem.kind)
        return private_page(page, problem.status)
    form = LogoutForm()
    if form.validate_on_submit():
        try:
            confirm_email_change(user)
        except AccountError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Your account's email is now %(email)s.", email=user.email), "success")
            return redirect(
                url_for("accounts.account" if current_user.is_authenticated else "accounts.login")
            )
    page = render_template("accounts/email_confirm.html", problem=None, user=user, form=form)
    return private_page(page)


@blueprint.route("/account/security")
@login_required
def security():
    """The account's own security log."""
    return render_template("accounts/security.html", events=security_log.events_of(current_user))


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current.data, form.password.data)
        except CredentialError as error:
            field = form[error.field]
            field.errors = [*field.errors, str(error)]
        else:
            # Every other session ends; this one carries on with the new number.
            session[SESSION_GENERATION_KEY] = user.session_generation
            db.session.commit()
            flash(
                _("Your password is changed. Every other session of your account ended."),
                "success",
            )
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


def _reset_address_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD_RESET"]


def _reset_account_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD_RESET_ACCOUNT"]


def _reset_account() -> str:
    return "password-reset:" + (request.form.get("email") or "").strip().casefold()


@blueprint.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_address_limit, methods=["POST"])
@limiter.limit(_reset_account_limit, key_func=_reset_account, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        db.session.commit()
        # The same page whether or not an account uses the address.
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


@blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    return _choose_password(token, Purpose.RESET_PASSWORD)


@blueprint.route("/password/set/<token>", methods=["GET", "POST"])
def set_first_password(token: str):
    """An account an administrator created: its owner chooses the first password."""
    return _choose_password(token, Purpose.SET_PASSWORD)


def _choose_password(token: str, purpose: Purpose):
    try:
        user = user_for_reset(token, purpose)
    except ResetLinkProblem as problem:
        return private_page(
            render_template("accounts/reset_problem.html", kind=problem.kind), problem.status
        )
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(user, form.password.data)
        except CredentialError as error:
            form.password.errors = [*form.password.errors, str(error)]
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(
                _("Your password is set. Log in with it; every earlier session ended."), "success"
            )
            return redirect(url_for("accounts.login"))
    page = render_template(
        "accounts/reset.html", form=form, user=user, first=purpose is Purpose.SET_PASSWORD
    )
    return private_page(page, 400 if form.errors else 200)


@blueprint.route("/account/log-out-everywhere", methods=["POST"])
@login_required
def log_out_everywhere():
    if not LogoutForm().validate_on_submit():
        abort(400)
    if not confirmed():
        return confirmation_page(
            title=_("Log out everywhere?"),
            question=_("End every session of your account, in every browser and on every device?"),
            consequences=[
                _("Every browser logged in as you, this one included, is logged out at once."),
                _("Anyone holding a copy of your session cookie loses access with it."),
                _("Nothing else changes: your password stays the same."),
            ],
            confirm_label=_("Log out everywhere"),
            cancel_url=url_for("accounts.account"),
        )
    if current_user.is_authenticated:
        security_log.note(current_user, security_log.LOGGED_OUT_EVERYWHERE)
    _end_sessions_and_log_out()
    flash(_("You are logged out everywhere."), "info")
    return redirect(url_for("accounts.login"))


def _end_sessions_and_log_out() -> None:
    # Raising the generation voids this session's cookie and every copy of it on
    # the server side; clearing the session only forgets it in this browser.
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
