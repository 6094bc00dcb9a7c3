"""The link a colleague gets to join a statement's team (`/team/join/<token>`):
a newcomer sets a name and password; an account holder accepts once logged in."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..extensions import db
from ..web import private_page
from . import security_log
from .forms import AcceptForm, NewcomerForm
from .models import Role
from .service import SESSION_GENERATION_KEY, AccountError
from .team import JoinLinkProblem, accept, account_for, invitation_from, join_as_newcomer

blueprint = Blueprint("team", __name__)


def _welcome(name: str, role: Role) -> str:
    if role is Role.OWNER:
        return _("Welcome, %(name)s: you are on the team as owner.", name=name)
    if role is Role.EDITOR:
        return _("Welcome, %(name)s: you are on the team as editor.", name=name)
    return _("Welcome, %(name)s: you are on the team as viewer.", name=name)


def _joined(title: str, role: Role) -> str:
    if role is Role.OWNER:
        return _("You are on the team of “%(title)s” as owner.", title=title)
    if role is Role.EDITOR:
        return _("You are on the team of “%(title)s” as editor.", title=title)
    return _("You are on the team of “%(title)s” as viewer.", title=title)


@blueprint.route("/team/join/<token>", methods=["GET", "POST"])
def join(token: str):
    try:
        invitation = invitation_from(token)
    except JoinLinkProblem as problem:
        page = render_template("accounts/join_problem.html", kind=problem.kind)
        return private_page(page, problem.status)
    account = account_for(invitation)
    statement = invitation.statement
    if account is None:
        form = NewcomerForm()
        if form.validate_on_submit():
            try:
                user = join_as_newcomer(invitation, form.name.data, form.password.data)
            except AccountError as error:
                form.password.errors = [*form.password.errors, str(error)]
            else:
                session.clear()
                login_user(user)
                session[SESSION_GENERATION_KEY] = user.session_generation
                security_log.note(user, security_log.LOGGED_IN, using="joining a team")
                db.session.commit()
                flash(_welcome(user.name, invitation.role), "success")
                return redirect(url_for("workspace.show", slug=statement.slug))
        page = render_template(
            "accounts/join.html", invitation=invitation, statement=statement, form=form,
            state="newcomer",
        )  # fmt: skip
        return private_page(page, 400 if form.errors else 200)
    if not current_user.is_authenticated:
        page = render_template(
            "accounts/join.html", invitation=invitation, statement=statement, state="log-in",
            login=url_for("accounts.login", next=url_for("team.join", token=token)),
        )  # fmt: skip
        return private_page(page)
    if current_user.id != account.id:
        page = render_template(
            "accounts/join.html", invitation=invitation, statement=statement, state="other"
        )
        return private_page(page, 403)
    form = AcceptForm()
    if form.validate_on_submit():
        accept(invitation, current_user._get_current_object())
        db.session.commit()
        flash(_joined(statement.title, invitation.role), "success")
        return redirect(url_for("workspace.show", slug=statement.slug))
    page = render_template(
        "accounts/join.html", invitation=invitation, statement=statement, form=form,
        state="accept",
    )  # fmt: skip
    return private_page(page)
