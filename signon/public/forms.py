"""The owner's live-list setting (statements/live_list.py), on the Open page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf, ValidationError

from ..fields import Checkbox, Form


class LiveListForm(Form):
    """Turn the live public list on (with the risk acknowledged) or off."""

    live_list = StringField(
        validators=[AnyOf(("on", "off"), message=_l("Choose to make the list public or private."))]
    )
    understood = Checkbox(_l("I understand the risk"))

    def validate_understood(self, field):
        if self.live_list.data == "on" and not field.data:
            raise ValidationError(
                _(
                    "Tick the box to confirm you understand the risk: the names become public "
                    "at once. Nothing was changed."
                )
            )
