"""Routes of a statement's translations for its team: the Languages page, the
translation editor (the master's text beside the form), dropping a translation,
and which text is authoritative."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..accounts.models import Role
from ..confirmation import confirmation_page, confirmed
from ..database import only_reads_from_here
from ..documents.html import render_html
from ..errors import error_page
from ..extensions import db
from ..languages import LANGUAGES
from ..statements.access import statement_for
from ..statements.changes import changes_between
from ..statements.diff_render import changes_view
from ..statements.lifecycle import status_now
from ..statements.models import ChangeKind, Statement, Status
from ..statements.service import version_by_number
from ..statements.translation_forms import AddTranslationForm, AuthorityForm, TranslationForm
from ..statements.translations import (
    TranslationError,
    is_current,
    language_states,
    master_floor,
    translation_for,
)
from .translating import drop_translation_text, save_translation_text, set_authoritative_languages
from .translation_status import language_name, out_of_date_translations, readers_of

blueprint = Blueprint("translations", __name__)
# Every team page of a statement warns of its out-of-date translations (_forms.html).
blueprint.add_app_template_global(out_of_date_translations)
blueprint.add_app_template_global(language_name)


@blueprint.route("/statements/<slug>/translations")
@login_required
def languages(slug: str):
    statement = statement_for(slug)
    if "language" not in request.args:
        return _languages_page(statement)
    # The add form: a language chosen leads to its editor.
    if not g.role.allows(Role.EDITOR):
        abort(403)
    add_form = _add_form(statement, formdata=request.args)
    if add_form.validate():
        return redirect(
            url_for("translations.edit", slug=slug, language=add_form.language.data), 303
        )
    return _languages_page(statement, add_form=add_form), 400


def _add_form(statement: Statement, formdata=None) -> AddTranslationForm:
    """Languages not yet used by the statement, by their name in the page's language."""
    taken = {statement.language, *(t.language for t in statement.translations)}
    choices = sorted(
        ((code, f"{language_name(code)} · {name} ({code})") for code, name in LANGUAGES.items()),
        key=lambda choice: choice[1].casefold(),
    )
    form = AddTranslationForm(formdata=formdata)
    form.language.choices = [(code, label) for code, label in choices if code not in taken]
    return form


def _languages_page(statement: Statement, *, add_form=None, authority_form=None):
    if authority_form is None:
        authority_form = AuthorityForm(
            data={
                "authority": "all-languages"
                if statement.all_languages_authoritative
                else "master-only"
            }
        )
    return render_template(
        "statements/translations.html",
        statement=statement,
        states=language_states(statement),
        add_form=add_form or _add_form(statement),
        authority_form=authority_form,
        published=status_now(statement) is Status.PUBLISHED,
    )


def _translatable(statement: Statement, language: str) -> bool:
    return language in LANGUAGES and language != statement.language


def _not_a_translation_language():
    return error_page(
        400,
        _("Not a language for a translation"),
        _("Choose a language from the list, other than the statement's own."),
    )


@blueprint.route("/statements/<slug>/translations/<language>", methods=["GET", "POST"])
@login_required
def edit(slug: str, language: str):
    statement = statement_for(slug, Role.EDITOR)
    if not _translatable(statement, language):
        if request.method == "POST":
            return _not_a_translation_language()
        abort(404)
    translation = translation_for(statement, language)
    latest = translation.latest if translation else None
    current = statement.current_version
    form = TranslationForm(
        data=None
        if request.method == "POST"
        else {
            "title": latest.title if latest else "",
            "body": latest.body if latest else "",
            "intro": latest.intro if latest else "",
            "master_version": str(current.number),
        }
    )
    posted = form.master_version.data if request.method == "POST" else None
    shown = _master_shown(statement, posted) or current
    # The version catching up with a substantive change of the master is substantive
    # by rule: only a change of the translation alone asks the translator.
    catching_up = (
        latest is not None
        and latest.master_version.number < master_floor(statement) <= shown.number
    )
    ask_kind = latest is not None and not catching_up and readers_of(translation) > 0
    problem = None
    if form.validate_on_submit():
        kind = _change_kind(form) if ask_kind else None
        if not ask_kind or kind is not None:
            try:
                version, asked = save_translation_text(
                    statement,
                    language=language,
                    title=form.title.data,
                    body=form.body.data,
                    intro=form.intro.data,
                    master_number=form.master_number,
                    kind=kind,
                    note=form.note.data,
                    actor=current_user,
                )
            except TranslationError as error:
                db.session.rollback()
                problem = str(error)
            else:
                db.session.commit()
                _flash_saved(statement, language, version, asked)
                return redirect(url_for("translations.languages", slug=slug), 303)
    if request.method == "POST":
        only_reads_from_here()  # a refusal: rendered without the write lock
        if problem or not _master_shown(statement, posted):
            form.master_version.data = str(shown.number)
    changes = None
    if latest is not None and latest.master_version.number != shown.number:
        changes = changes_view(changes_between(latest.master_version, shown))
    failed = bool(form.errors or problem)
    return render_template(
        "statements/translation_edit.html",
        statement=statement,
        language=language,
        translation=translation,
        latest=latest,
        master=shown,
        master_html=render_html(shown.body, statement.language),
        changes=changes,
        form=form,
        problem=problem,
        ask_kind=ask_kind,
        catching_up=catching_up,
        would_email=readers_of(translation, signed_only=True) if latest else 0,
    ), 400 if failed else 200


def _master_shown(statement: Statement, posted: str | None):
    """The master version a posted form names, if it is one."""
    if not posted or not posted.isascii() or not posted.isdigit() or len(posted) > 9:
        return None
    return version_by_number(statement, int(posted))


def _change_kind(form: TranslationForm) -> ChangeKind | None:
    if form.change_kind.data in ("minor", "substantive"):
        return ChangeKind(form.change_kind.data)
    form.change_kind.errors = [
        _(
            "People have signed reading this translation: say whether this change is minor "
            "(their signatures carry over) or substantive (they must confirm it)."
        )
    ]
    return None


def _flash_saved(statement: Statement, language: str, version, asked: int) -> None:
    name = language_name(language)
    if version is None:
        flash(_("No change to the translation, so no new version was saved."), "info")
        return
    number = version.number
    if version.change_kind is ChangeKind.SUBSTANTIVE:
        message = ngettext(
            "The %(language)s translation is saved as version %(number)s (substantive "
            "change: %(num)s reader asked to confirm it).",
            "The %(language)s translation is saved as version %(number)s (substantive "
            "change: %(num)s readers asked to confirm it).",
            asked,
            language=name,
            number=number,
        )
    elif version.change_kind is ChangeKind.MINOR:
        message = _(
            "The %(language)s translation is saved as version %(number)s (minor change: "
            "its readers' signatures carry over).",
            language=name,
            number=number,
        )
    else:
        message = _(
            "The %(language)s translation is saved as version %(number)s.",
            language=name,
            number=number,
        )
    flash(message, "success")
    if not is_current(version, master_floor(statement)):
        flash(
            _(
                "The text changed substantively while you were translating: the %(language)s "
                "translation is still out of date. Open it again to see the changes.",
                language=name,
            ),
            "warning",
        )


@blueprint.route("/statements/<slug>/translations/<language>/drop", methods=["POST"])
@login_required
def drop(slug: str, language: str):
    statement = statement_for(slug, Role.EDITOR)
    if not _translatable(statement, language):
        return _not_a_translation_language()
    translation = translation_for(statement, language) or abort(404)
    name = language_name(language)
    back = url_for("translations.languages", slug=slug)
    if translation.dropped_at is not None:
        flash(_("The %(language)s translation is dropped already.", language=name), "info")
        return redirect(back, 303)
    if not confirmed():
        return confirmation_page(
            title=_("Drop this translation?"),
            question=_(
                "Drop the %(language)s translation of “%(title)s”?",
                language=name,
                title=statement.title,
            ),
            consequences=[
                _("Signers are no longer offered it, and it is not published."),
                _(
                    "Those who signed reading it stay listed only while it translates the "
                    "current text: once it is out of date, they are not listed."
                ),
                _("Its versions are kept: saving a new version offers it again."),
            ],
            confirm_label=_("Drop the %(language)s translation", language=name),
            cancel_url=back,
            statement=statement,
            tab="translations.languages",
        )
    drop_translation_text(statement, language, actor=current_user)
    db.session.commit()
    flash(
        _(
            "The %(language)s translation is dropped: signers are no longer offered it.",
            language=name,
        ),
        "success",
    )
    return redirect(back, 303)


@blueprint.route("/statements/<slug>/translations/authority", methods=["POST"])
@login_required
def authority(slug: str):
    statement = statement_for(slug, Role.EDITOR)
    if status_now(statement) is Status.PUBLISHED:
        return error_page(
            409,
            _("The text is final"),
            _("This statement is published: which text is authoritative can no longer change."),
        )
    form = AuthorityForm()
    if not form.validate_on_submit():
        only_reads_from_here()
        return _languages_page(statement, authority_form=form), 400
    every = form.authority.data == "all-languages"
    if set_authoritative_languages(statement, every, actor=current_user):
        db.session.commit()
        if every:
            flash(_("Saved: every language of the statement is equally authoritative."), "success")
        else:
            flash(_("Saved: the master text alone is authoritative."), "success")
    else:
        flash(_("No change: the setting was already so."), "info")
    return redirect(url_for("translations.languages", slug=slug), 303)
