"""Form fields every form shares."""

from __future__ import annotations

from flask_babel import get_translations, lazy_gettext, lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField


class Checkbox(BooleanField):
    """A tick box. A browser sends it checked or not at all; anything else that
    reads as "no" (open_call=0, =off, =false) is false too, never true."""

    false_values = ("false", "0", "n", "no", "off", "")

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and valuelist[0].strip().casefold() not in self.false_values


class Form(FlaskForm):
    """Every form's base: WTForms' own messages ("This field is required.") come
    from signon's catalogs, in the page's language, like every other string."""

    class Meta:
        def get_translations(self, form):
            return get_translations()


# WTForms' and Flask-WTF's own messages that our forms can show, marked here so that
# `make extract` puts them in the catalogs (WTForms' catalogs lack Kyrgyz).
WTFORMS_MESSAGES = (
    lazy_gettext("This field is required."),
    lazy_gettext("Invalid email address."),
    lazy_gettext("Invalid URL."),
    lazy_gettext("Not a valid choice."),
    lazy_gettext("Not a valid integer value."),
    lazy_gettext("Not a valid datetime value."),
    lazy_gettext("Not a valid date value."),
    lazy_gettext("Number must be between %(min)s and %(max)s."),
    lazy_gettext("Number must be at least %(min)s."),
    lazy_gettext("Number must be at most %(max)s."),
    lazy_gettext("File does not have an approved extension."),
    lazy_gettext("Field must be between %(min)d and %(max)d characters long."),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
)
