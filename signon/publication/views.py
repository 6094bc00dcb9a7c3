"""Routes: publishing a statement (owners), moving, bringing forward or
cancelling a publication still under embargo (owners, on the same Publish
page), its editions and their files (the team, viewers included), and the
public dated downloads of its editions.

A dated address (/s/<slug>/editions/2026-11-20.pdf) serves the latest edition
made that day, in the statement's time zone; like every public address it
answers 404 for a statement that is not published or still under embargo.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import Role
from ..audit.models import user_actor
from ..documents.cache import RenderFailed
from ..documents.csv import public_csv
from ..errors import error_page
from ..extensions import db
from ..locale_choice import current_language
from ..statements.access import statement_for
from ..statements.lifecycle import (
    LifecycleError,
    OutOfRange,
    deadline_from_local,
    status_now,
    under_embargo,
    zone,
)
from ..statements.models import Status
from ..statements.visibility import public_statement
from ..times import team_time
from .forms import CancelPublicationForm, PublishForm, RescheduleForm
from .models import Edition
from .service import (
    EmbargoError,
    FilesFailed,
    PublicationError,
    cancel_publication,
    cannot_publish_message,
    dated_editions,
    edition_date,
    edition_document,
    edition_file,
    edition_on,
    edition_reason,
    editions_of,
    move_embargo,
    publication_summary,
    publish,
    scheduled_for,
)

blueprint = Blueprint("publication", __name__)

MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


blueprint.add_app_template_global(scheduled_for, "scheduled_for")


def _local(value: datetime | None, time_zone: str) -> str:
    """A UTC timestamp as the statement's team reads it: '5 Jun 2026, 16:03 (Europe/Paris)'."""
    return team_time(value, time_zone, current_language())


def _embargo(form: PublishForm, time_zone: str) -> datetime | None:
    if not form.embargo.data:
        return None
    try:
        return deadline_from_local(form.embargo.data, time_zone)
    except OutOfRange:
        raise EmbargoError(_("Choose a time in the coming years.")) from None
    except LifecycleError as error:
        raise EmbargoError(str(error)) from None


@blueprint.route("/statements/<slug>/publish", methods=["GET", "POST"])
@login_required
def publish_statement(slug: str):
    statement = statement_for(slug, Role.OWNER)
    status = status_now(statement)
    scheduled = under_embargo(statement)
    if status is Status.PUBLISHED and not scheduled:
        return redirect(url_for("publication.editions", slug=slug))
    if status not in (Status.CLOSED, Status.PUBLISHED):
        flash(cannot_publish_message(status), "error")
        return redirect(url_for("workspace.show", slug=slug))
    if scheduled:
        return _reschedule(statement)
    form = PublishForm()
    problem, code = "", 200
    if form.validate_on_submit():
        try:
            embargo = _embargo(form, statement.time_zone)
            publish(statement, user_actor(current_user), embargo_until=embargo)
        except EmbargoError as error:
            form.embargo.errors = [*form.embargo.errors, str(error)]
        except PublicationError as error:
            db.session.rollback()
            problem, code = str(error), 503 if isinstance(error, FilesFailed) else 409
        else:
            db.session.commit()
            if embargo is None:
                flash(_("Published. The public page and the final files are online."), "success")
            else:
                flash(
                    _(
                        "Scheduled: the public page and the files go online on %(when)s. "
                        "Until then you can move the time, publish now or cancel on the "
                        "Publish page.",
                        when=_local(embargo, statement.time_zone),
                    ),
                    "success",
                )
            return redirect(url_for("publication.editions", slug=slug))
    return _publish_page(statement, form, problem=problem, code=code)


def _publish_page(statement, form, *, cancel_form=None, problem: str = "", code: int = 200):
    if form.errors or (cancel_form is not None and cancel_form.errors):
        code = 400
    return render_template(
        "publication/publish.html",
        statement=statement,
        form=form,
        cancel_form=cancel_form,
        scheduled=scheduled_for(statement),
        summary=publication_summary(statement),
        problem=problem,
    ), code


def _reschedule(statement):
    """The Publish page of a scheduled publication: its form stays, with the time."""
    local = statement.embargo_until.astimezone(zone(statement.time_zone)).replace(tzinfo=None)
    form = RescheduleForm(embargo=local)
    problem, code = "", 200
    if form.validate_on_submit():
        try:
            embargo = _embargo(form, statement.time_zone)
            changed = move_embargo(statement, user_actor(current_user), embargo)
        except EmbargoError as error:
            form.embargo.errors = [*form.embargo.errors, str(error)]
        except PublicationError as error:
            problem, code = str(error), 409
        else:
            db.session.commit()
            if embargo is None:
                flash(
                    _("Published now. The public page and the final files are online."),
                    "success",
                )
            elif changed:
                flash(
                    _(
                        "Embargo moved: the public page and the files go online on %(when)s.",
                        when=_local(embargo, statement.time_zone),
                    ),
                    "success",
                )
            else:
                flash(_("The publication time is unchanged."), "success")
            return redirect(url_for("publication.editions", slug=statement.slug))
    return _publish_page(
        statement,
        form,
        cancel_form=CancelPublicationForm(formdata=None),
        problem=problem,
        code=code,
    )


@blueprint.route("/statements/<slug>/publish/cancel", methods=["POST"])
@login_required
def cancel(slug: str):
    statement = statement_for(slug, Role.OWNER)
    if not under_embargo(statement):
        return error_page(
            409,
            _("Nothing to cancel"),
            _(
                "Only a publication still under embargo can be cancelled; this statement "
                "is not scheduled for publication."
            ),
        )
    cancel_form = CancelPublicationForm()
    if not cancel_form.validate_on_submit():
        local = statement.embargo_until.astimezone(zone(statement.time_zone))
        form = RescheduleForm(formdata=None, embargo=local.replace(tzinfo=None))
        return _publish_page(statement, form, cancel_form=cancel_form)
    cancel_publication(statement, user_actor(current_user))
    db.session.commit()
    flash(
        _(
            "Publication cancelled: the statement is closed again and nothing of it is "
            "public. You can curate the list, reopen, or publish again."
        ),
        "success",
    )
    return redirect(url_for("workspace.show", slug=slug))


@blueprint.route("/statements/<slug>/publication")
@login_required
def editions(slug: str):
    statement = statement_for(slug)
    if statement.status is not Status.PUBLISHED:
        return redirect(url_for("workspace.show", slug=slug))
    served = {e.id for _day, e in dated_editions(statement)}  # by a dated address
    rows = [
        {
            "edition": e,
            "day": edition_date(e),
            "at": _local(e.created_at, statement.time_zone),
            "reason": edition_reason(e.reason),
            "dated": e.id in served,
        }
        for e in reversed(editions_of(statement))
    ]
    return render_template(
        "publication/editions.html",
        statement=statement,
        rows=rows,
        published_at=_local(statement.published_at, statement.time_zone),
        embargo_at=_local(statement.embargo_until, statement.time_zone),
        under_embargo=under_embargo(statement),
    )


@blueprint.route("/statements/<slug>/editions/<int:number>.<any(pdf, docx, csv):kind>")
@login_required
def team_file(slug: str, number: int, kind: str):
    """An edition's file for the team, viewers included, embargo or not (press
    packs go out early): its PDF, its DOCX, or its public CSV of signatories."""
    statement = statement_for(slug)
    edition = db.session.scalar(
        select(Edition).where(Edition.statement_id == statement.id, Edition.number == number)
    )
    if edition is None:
        abort(404)
    if kind == "csv":
        response = Response(public_csv(edition_document(edition)), mimetype="text/csv")
        response.headers.set(
            "Content-Disposition",
            "attachment",
            filename=f"{slug}-edition-{number}-signatories.csv",
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return _edition_response(edition, kind, f"{slug}-edition-{number}.{kind}")


@blueprint.route("/s/<slug>/editions/<day>.<any(pdf, docx):kind>")
def dated_file(slug: str, day: str, kind: str):
    statement = public_statement(slug)  # 404 for a draft, and under embargo
    if statement.status is not Status.PUBLISHED or not ISO_DAY.fullmatch(day):
        abort(404)
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        abort(404)
    edition = edition_on(statement, wanted)
    if edition is None:
        abort(404)
    return _edition_response(edition, kind, f"{slug}-{day}.{kind}")


def _edition_response(edition: Edition, kind: str, filename: str):
    try:
        path = edition_file(edition, kind)
    except RenderFailed as error:
        current_app.logger.error("Render failed: %s", error, exc_info=error.__cause__)
        response = error_page(
            503,
            _("Document unavailable"),
            _("The document could not be produced; try again shortly."),
        )
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response
    response = send_file(
        path, mimetype=MIMETYPES[kind], as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
