"""The owner's publishing forms: publish, move or bring forward an embargo, cancel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField
from wtforms.validators import DataRequired, Optional

from ..fields import Checkbox, Form

# What a browser's datetime-local input sends (with seconds when it has a step),
# and what people type where it is a plain text box.
TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


BAD_TIME = _l("Give the time as a date and a time, like 2026-06-05 16:00, or leave it empty.")


class PublishForm(Form):
    """Publish a closed statement, at once or at an embargo time (in the
    statement's time zone; the view turns it into UTC)."""

    embargo = DateTimeLocalField(
        _l("Embargo (optional)"),
        format=TIME_FORMATS,
        invalid_value_message=BAD_TIME,
        validators=[Optional()],
        description=_l("Until then the public page and the downloads answer “not found”."),
    )
    confirm = Checkbox(
        _l("I have checked the text and the list: publish them as they are"),
        validators=[
            DataRequired(message=_l("Tick this box to confirm: publishing cannot be undone."))
        ],
    )


class RescheduleForm(PublishForm):
    """A scheduled publication: a new time moves the embargo, an empty time
    publishes now."""

    embargo = DateTimeLocalField(
        _l("Publication time"),
        format=TIME_FORMATS,
        invalid_value_message=BAD_TIME,
        validators=[Optional()],
        description=_l("A new time moves the embargo; an empty time publishes now."),
    )
    confirm = Checkbox(
        _l("Publish at this time (or now, if the time is empty)"),
        validators=[
            DataRequired(message=_l("Tick this box to confirm the new time; nothing was changed."))
        ],
    )


class CancelPublicationForm(Form):
    """Take back a publication still under embargo: back to closed."""

    cancel = Checkbox(
        _l(
            "Cancel the publication: the statement goes back to closed and nothing of it "
            "becomes public"
        ),
        validators=[
            DataRequired(
                message=_l("Tick this box to cancel the publication; nothing was changed.")
            )
        ],
    )
