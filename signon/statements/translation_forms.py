"""Forms of the team's translation pages: add a language, save a translation,
choose which text is authoritative."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..fields import Form
from ..routing import MAX_ID
from ..validators import NoControlCharacters, Submitted, multiline, one_line
from .forms import body_size


class AddTranslationForm(Form):
    """The language of a new translation (a GET form: it leads to the editor)."""

    class Meta:
        csrf = False

    language = SelectField(_l("Language of the new translation"), validate_choice=True)


TRANSLATION_KINDS = [
    SelectChoice(
        "minor",
        _l(
            "Minor: a typo, punctuation or formatting. The signatures of its readers "
            "carry over to the new translation."
        ),
    ),
    SelectChoice(
        "substantive",
        _l(
            "Substantive: the meaning changed. Its readers must confirm the new "
            "translation; until they do, their names are not listed."
        ),
    ),
]


class TranslationForm(Form):
    """Save a translation's next version. `master_version` is the master version
    shown beside the form: the version this one translates."""

    title = StringField(
        _l("Title"),
        filters=[one_line],
        validators=[
            DataRequired(message=_l("Give the translation a title.")),
            Length(max=300, message=_l("Keep the title under 300 characters.")),
            NoControlCharacters(),
        ],
    )
    body = TextAreaField(
        _l("Translated text (Markdown)"),
        filters=[multiline],
        validators=[
            Submitted(),
            DataRequired(message=_l("Write the translated text.")),
            NoControlCharacters(multiline=True),
            body_size,
        ],
        render_kw={"rows": 24, "spellcheck": "true"},
    )
    intro = StringField(
        _l("Sentence above the list of signatories, translated (optional)"),
        filters=[one_line],
        validators=[Length(max=1000), NoControlCharacters()],
    )
    note = StringField(
        _l("What changed (optional)"),
        filters=[one_line],
        validators=[Length(max=500), NoControlCharacters()],
    )
    master_version = HiddenField(validators=[Submitted(), DataRequired()])
    change_kind = RadioField(
        _l("What kind of change is this?"), choices=TRANSLATION_KINDS, validators=[Optional()]
    )
    save = SubmitField(_l("Save the translation"))

    def validate_master_version(self, field):
        value = field.data or ""
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID):
            raise ValidationError(
                _(
                    "The version of the text this translates is missing or not a number. "
                    "Reload the page and try again."
                )
            )

    @property
    def master_number(self) -> int:
        return int(self.master_version.data)


AUTHORITY_CHOICES = [
    SelectChoice("master-only", _l("The master text alone; the other languages are translations")),
    SelectChoice("all-languages", _l("Every language equally")),
]


class AuthorityForm(Form):
    """Which text binds: the master alone or every language alike."""

    authority = RadioField(_l("Which text is authoritative?"), choices=AUTHORITY_CHOICES)
    save_authority = SubmitField(_l("Save this setting"))
