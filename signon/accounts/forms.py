"""Forms for logging in and managing a statement's members."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from ..validators import NoControlCharacters, one_line
from .models import Role

ROLE_CHOICES = [
    SelectChoice(Role.EDITOR.value, "Editor: edits the text and the list"),
    SelectChoice(Role.VIEWER.value, "Viewer: reads and downloads"),
    SelectChoice(Role.OWNER.value, "Owner: also manages members and publishing"),
]


class LoginForm(FlaskForm):
    # NUL and other controls never reach a query (PostgreSQL refuses NUL: a 500).
    email = EmailField(
        "Email",
        filters=[one_line],
        validators=[DataRequired(), Length(max=254), NoControlCharacters()],
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=128), NoControlCharacters()]
    )


class AddMemberForm(FlaskForm):
    email = EmailField(
        "Email of their signon account",
        filters=[one_line],
        validators=[
            DataRequired(),
            Length(max=254),
            NoControlCharacters(),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.EDITOR.value)


class ChangeRoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class RemoveMemberForm(FlaskForm):
    """Only a CSRF token: removing is a POST."""


class LogoutForm(FlaskForm):
    """Only a CSRF token: logging out is a POST."""
