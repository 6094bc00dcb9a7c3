"""Routes: an owner purges a statement's contact data."""

from __future__ import annotations

from babel.dates import format_skeleton
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import SubmitField

from ..accounts.models import Role
from ..audit.models import user_actor
from ..extensions import db
from ..fields import Form
from ..locale_choice import current_language
from ..statements.access import statement_for
from ..statements.lifecycle import status_now
from ..statements.models import Status
from ..times import babel_locale
from .service import ContactData, RetentionError, contact_data, ended_at, purge_contacts

blueprint = Blueprint("retention", __name__)


class PurgeContactsForm(Form):
    """The confirmation: the page above it says exactly what goes and what stays."""

    submit = SubmitField(_l("Purge contact data now"))


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
            _(
                "The contact data was already purged on %(day)s; there is nothing more to remove.",
                day=_purge_day(statement),
            ),
            "info",
        )
        return redirect(url_for("workspace.show", slug=slug))
    try:
        removed = purge_contacts(statement, user_actor(current_user))
    except RetentionError:  # reopened meanwhile
        db.session.rollback()
        return _page(statement, form, refused=True), 409
    db.session.commit()
    flash(
        _(
            "Contact data purged: %(count)s. The public list is unchanged.",
            count=_removed(removed),
        ),
        "success",
    )
    return redirect(url_for("workspace.show", slug=slug))


def _purge_day(statement) -> str:
    """The day of the last purge ('5 Jun 2026', UTC), in the page's language."""
    locale = babel_locale(current_language())
    return format_skeleton("yMMMd", statement.contacts_purged_at, locale=locale)


def _removed(removed: ContactData) -> str:
    """What a purge removed, counted: '2 signatures, 1 invitation, 3 emails in the outbox'."""
    return ", ".join(
        (
            ngettext("%(num)s signature", "%(num)s signatures", removed.signatures),
            ngettext("%(num)s invitation", "%(num)s invitations", removed.invitations),
            ngettext("%(num)s email in the outbox", "%(num)s emails in the outbox", removed.mail),
        )
    )


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
