"""Forms for drafting statements."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..fields import Checkbox, Form
from ..languages import LANGUAGES
from ..text import clean_line
from ..validators import NoControlCharacters, Submitted, multiline, one_line
from .files import LIMITS, MAX_BODY_BYTES, MAX_LEAD_ORGANISATIONS
from .lifecycle import LifecycleError, canonical_zone_name
from .live_list import LIVE_LIST_RISK

LANGUAGE_CHOICES = [SelectChoice(code, f"{name} ({code})") for code, name in LANGUAGES.items()]


def body_size(form, field):
    if field.data and len(field.data.encode("utf-8")) > MAX_BODY_BYTES:
        raise ValidationError(
            _(
                "The text is larger than %(size)s KB; split it or shorten it.",
                size=MAX_BODY_BYTES // 1000,
            )
        )


def lead_lines(value):
    """Filter: one organisation per line, each cleaned, empty lines dropped."""
    if not isinstance(value, str):
        return value
    return "\n".join(line for line in (clean_line(part) for part in value.splitlines()) if line)


def lead_list(form, field):
    lines = (field.data or "").splitlines()
    if len(lines) > MAX_LEAD_ORGANISATIONS:
        raise ValidationError(
            _("Name at most %(count)s lead organisations.", count=MAX_LEAD_ORGANISATIONS)
        )
    for line in lines:
        if len(line) > LIMITS["name"]:
            raise ValidationError(
                _(
                    "Keep each organisation's name under %(count)s characters.",
                    count=LIMITS["name"],
                )
            )


class StatementForm(Form):
    """Create a statement, or save a new version of one."""

    title = StringField(
        _l("Title"),
        filters=[one_line],
        validators=[
            DataRequired(message=_l("Give the statement a title.")),
            Length(max=300, message=_l("Keep the title under 300 characters.")),
            NoControlCharacters(),
        ],
    )
    language = SelectField(
        _l("Language"),
        choices=LANGUAGE_CHOICES,
        default="en",
        validate_choice=False,
        # Left out of the post, the field would keep its default: a silent English.
        validators=[Submitted(), DataRequired()],
    )
    lead_organisations = TextAreaField(
        _l("Lead organisations"),
        filters=[lead_lines],
        validators=[NoControlCharacters(multiline=True), lead_list],
        render_kw={"rows": 3},
    )
    body = TextAreaField(
        _l("Text (Markdown)"),
        filters=[multiline],
        validators=[Submitted(), NoControlCharacters(multiline=True), body_size],
        render_kw={"rows": 24, "spellcheck": "true"},
    )
    note = StringField(
        _l("What changed (optional)"),
        filters=[one_line],
        validators=[Length(max=500), NoControlCharacters()],
    )
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))

    def validate_language(self, field):
        if field.data not in LANGUAGES:
            raise ValidationError(_("Choose a language from the list."))


CHANGE_KINDS = [
    SelectChoice(
        "minor",
        _l("Minor: a typo, punctuation or formatting. Signatures carry over to the new text."),
    ),
    SelectChoice(
        "substantive",
        _l(
            "Substantive: the meaning changed. Signers must confirm the new text; until "
            "they do, their names are not listed."
        ),
    ),
]


class EditForm(StatementForm):
    """Save a new version; once anyone has signed, say what kind of change it is."""

    change_kind = RadioField(
        _l("What kind of change is this?"), choices=CHANGE_KINDS, validators=[Optional()]
    )


ORDER_CHOICES = [
    SelectChoice("alphabetical", _l("Alphabetical (Ö with O, each script in its own order)")),
    SelectChoice("as-listed", _l("As listed (the order you curate)")),
    SelectChoice("signed-at", _l("In the order they signed")),
]


class OpenForm(Form):
    """Open a statement for signatures."""

    deadline = DateTimeLocalField(
        _l("Deadline (optional)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Signatures close by themselves at this time."),
    )
    time_zone = StringField(
        _l("Time zone of the deadline"),
        default="UTC",
        filters=[one_line],
        validators=[DataRequired(), Length(max=64), NoControlCharacters()],
        description=_l("For example Europe/Paris, Asia/Bishkek or UTC."),
    )
    link_grace_hours = IntegerField(
        _l("Links keep working after the deadline for (hours)"),
        default=0,
        validators=[NumberRange(min=0, max=24 * 30)],
    )
    signatories_intro = StringField(
        _l("Sentence above the list of signatories"),
        default="",
        description=_l(
            "Leave empty for the standard sentence in the statement's language "
            "(“This statement is signed by the following organisations:”)."
        ),
        filters=[one_line],
        validators=[Length(max=1000), NoControlCharacters()],
    )
    signatory_order = RadioField(
        _l("Order of the list"), choices=ORDER_CHOICES, default="alphabetical"
    )
    open_call = Checkbox(_l("Also let anyone sign through a public form (moderated)"))
    # Off unless ticked: the list stays private until publication (statements/live_list.py).
    live_list = Checkbox(
        _l("Show the list publicly while signatures are collected (live list)"),
        description=LIVE_LIST_RISK,
    )

    def validate_time_zone(self, field):
        try:
            field.data = canonical_zone_name(field.data)
        except LifecycleError as error:
            raise ValidationError(
                _("%(problem)s Use a name like Europe/Paris or UTC.", problem=error)
            ) from None

    def validate_signatory_order(self, field):
        if field.data not in ("alphabetical", "as-listed", "signed-at"):
            raise ValidationError(_("Choose one of the listed orders."))


class ReopenForm(Form):
    """Reopen a closed statement; the deadline is in the statement's time zone."""

    deadline = DateTimeLocalField(
        _l("New deadline (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
