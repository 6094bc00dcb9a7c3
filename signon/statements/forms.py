"""Forms for drafting statements."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..languages import LANGUAGES
from ..validators import NoControlCharacters, multiline, one_line
from .files import MAX_BODY_BYTES

LANGUAGE_CHOICES = [SelectChoice(code, f"{name} ({code})") for code, name in LANGUAGES.items()]


def body_size(form, field):
    if field.data and len(field.data.encode("utf-8")) > MAX_BODY_BYTES:
        raise ValidationError(
            f"The text is larger than {MAX_BODY_BYTES // 1000} KB; split it or shorten it."
        )


class StatementForm(FlaskForm):
    """Create a statement, or save a new version of one."""

    title = StringField(
        "Title",
        filters=[one_line],
        validators=[
            DataRequired(message="Give the statement a title."),
            Length(max=300, message="Keep the title under 300 characters."),
            NoControlCharacters(),
        ],
    )
    language = SelectField(
        "Language",
        choices=LANGUAGE_CHOICES,
        default="en",
        validate_choice=False,
        validators=[DataRequired()],
    )
    body = TextAreaField(
        "Text (Markdown)",
        filters=[multiline],
        validators=[NoControlCharacters(multiline=True), body_size],
        render_kw={"rows": 24, "spellcheck": "true"},
    )
    note = StringField(
        "What changed (optional)",
        filters=[one_line],
        validators=[Length(max=500), NoControlCharacters()],
    )
    preview = SubmitField("Preview")
    save = SubmitField("Save")

    def validate_language(self, field):
        if field.data not in LANGUAGES:
            raise ValidationError("Choose a language from the list.")
