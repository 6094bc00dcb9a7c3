"""Routes: an owner purges a statement's contact data."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import SubmitField

from ..accounts.models import Role
from ..audit.models import user_actor
from ..extensions import db
from ..fields import Form
from ..statements.access import statement_for
from ..statements.lifecycle import status_now
from ..statements.models import Status
from .service import RetentionError, contact_data, ended_at, purge_contacts

blueprint = Blueprint("retention", __name__)


class PurgeContactsForm(Form):
    """The confirmation: the page above it says exactly what goes and what stays."""

    submit = SubmitField("Purge contact data now")


@blueprint.route("/statements/<slug>/purge-contacts", methods=["GET", "POST"])
@login_required
def purge_contacts_page(slug: str):
    statement = statement_for(slug, Role.OWNER)
    form = PurgeContactsForm()
    if status_now(statement) in (Status.DRAFT, Status.OPEN):
        return _page(statement, form, refused=True), 409
    contacts = contact_data(statement)
    if not form.validate_on_submit():
        return _page(statement, form, contacts=contacts), 400 if form.errors else 200
    if statement.contacts_purged_at is not None and contacts.empty:
        flash(
            f"The contact data was already purged on {statement.contacts_purged_at:%-d %b %Y}; "
            "there is nothing more to remove.",
            "info",
        )
        return redirect(url_for("workspace.show", slug=slug))
    try:
        removed = purge_contacts(statement, user_actor(current_user))
    except RetentionError:  # reopened meanwhile
        db.session.rollback()
        return _page(statement, form, refused=True), 409
    db.session.commit()
    flash(f"Contact data purged: {removed}. The public list is unchanged.", "success")
    return redirect(url_for("workspace.show", slug=slug))


def _page(statement, form, *, contacts=None, refused=False) -> str:
    return render_template(
        "statements/purge_contacts.html",
        statement=statement,
        form=form,
        contacts=contacts,
        refused=refused,
        status=status_now(statement),
        ended_at=ended_at(statement),
    )
