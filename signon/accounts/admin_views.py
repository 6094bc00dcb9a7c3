"""Routes for administrators: every account, its security log, and what can be
done to it. Only administrators reach them; anyone else gets the same 404 as for
a page that does not exist."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..extensions import db
from . import administration, security_log, site_settings
from .forms import CreateAccountForm, LogoutForm, RequireTwoFactorForm
from .models import User
from .service import AccountError

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

ACTIONS = {
    "disable": lambda user, admin: administration.disable(user, admin=admin),
    "enable": lambda user, admin: administration.enable(user, admin=admin),
    "make-admin": lambda user, admin: administration.set_admin(user, True, admin=admin),
    "unmake-admin": lambda user, admin: administration.set_admin(user, False, admin=admin),
    "reset-two-factor": lambda user, admin: administration.reset_two_factor(user, admin=admin),
}


DONE = {
    "disable": _l("%(email)s is disabled: it cannot log in, and its sessions ended."),
    "enable": _l("%(email)s can log in again."),
    "make-admin": _l("%(email)s is an administrator now."),
    "unmake-admin": _l("%(email)s is no longer an administrator."),
    "reset-two-factor": _l(
        "Two-factor authentication of %(email)s is removed: its password alone logs in "
        "until it turns it on again."
    ),
}


@blueprint.before_request
@login_required
def administrators_only():
    if not current_user.is_admin:
        abort(404)


@blueprint.route("/users", methods=["GET", "POST"])
def users():
    form = CreateAccountForm()
    if form.validate_on_submit():
        try:
            user = administration.create_account(
                form.email.data, form.name.data, admin=current_user, make_admin=form.admin.data
            )
        except AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "Account created: %(email)s gets a link to choose a password.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("admin.users"))
    page = render_template(
        "admin/users.html",
        form=form,
        accounts=administration.all_accounts(),
        action=LogoutForm(),
        required=site_settings.two_factor_required(),
        by_operator=bool(current_app.config.get("REQUIRE_TWO_FACTOR")),
        require_form=RequireTwoFactorForm(),
    )
    return page, 400 if form.errors else 200


@blueprint.route("/require-two-factor", methods=["POST"])
def require_two_factor():
    form = RequireTwoFactorForm()
    if not form.validate_on_submit():
        abort(400)
    on = form.required.data == "on"
    site_settings.require_two_factor(on, admin=current_user._get_current_object())
    db.session.commit()
    if on:
        flash(_("Every account now needs two-factor authentication: one without it is sent "
                "to set it up before any team page."), "success")  # fmt: skip
    else:
        flash(_("Two-factor authentication is no longer required of every account."), "info")
    return redirect(url_for("admin.users"))


@blueprint.route("/users/<int:user_id>")
def user(user_id: int):
    account = db.session.get(User, user_id) or abort(404)
    return render_template(
        "admin/user.html",
        account=account,
        events=security_log.events_of(account),
        action=LogoutForm(),
    )


@blueprint.route(
    "/users/<int:user_id>/<any(" + ", ".join(f'"{a}"' for a in ACTIONS) + "):what>",
    methods=["POST"],
)
def act(user_id: int, what: str):
    account = db.session.get(User, user_id) or abort(404)
    if not LogoutForm().validate_on_submit():
        abort(400)
    try:
        ACTIONS[what](account, current_user._get_current_object())
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(str(DONE[what]) % {"email": account.email}, "success")
    return redirect(url_for("admin.user", user_id=account.id))
