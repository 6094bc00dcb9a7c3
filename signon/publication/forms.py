"""The owner's publishing form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField
from wtforms.validators import DataRequired, Optional


class PublishForm(FlaskForm):
    """Publish a closed statement, at once or at an embargo time (in the
    statement's time zone; the view turns it into UTC)."""

    embargo = DateTimeLocalField(
        "Embargo (optional)",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="Until then the public page and the downloads answer “not found”.",
    )
    confirm = BooleanField(
        "I have checked the text and the list: publish them as they are",
        validators=[DataRequired(message="Tick this box to confirm: publishing cannot be undone.")],
    )
