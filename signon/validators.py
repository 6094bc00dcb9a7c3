"""WTForms pieces every form uses: normalising filters and refusing control characters."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms.validators import StopValidation, ValidationError

from .text import canonical_text, clean_line, has_control_characters


def one_line(value):
    """Filter for one-line fields: NFC, invisible characters removed, trimmed.

    A field missing from the post (None) becomes empty text, so nothing after the
    form ever meets None where it expects text."""
    if value is None:
        return ""
    return clean_line(value) if isinstance(value, str) else value


def multiline(value):
    """Filter for text areas: the canonical text form (a missing field: empty)."""
    if value is None:
        return ""
    return canonical_text(value) if isinstance(value, str) else value


class Submitted:
    """Refuse a post that lacks the field altogether (a browser always sends a
    text area, even empty): a missing text must not save an empty version."""

    def __call__(self, form, field):
        if form.is_submitted() and not field.raw_data:
            raise StopValidation(
                _("This field was missing from what was sent. Reload the page and try again.")
            )


class NoControlCharacters:
    """Refuse NUL and other control characters (and line breaks in one-line fields)."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        if isinstance(field.data, str) and has_control_characters(
            field.data, multiline=self.multiline
        ):
            raise ValidationError(
                _("This field cannot contain control characters.")
                if self.multiline
                else _("This field cannot contain line breaks or control characters.")
            )
