"""Forms for logging in and managing a statement's members."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length

from ..fields import Form
from ..validators import NoControlCharacters, one_line
from .models import Role

ROLE_CHOICES = [
    SelectChoice(Role.EDITOR.value, "Editor: edits the text and the list"),
    SelectChoice(Role.VIEWER.value, "Viewer: reads and downloads"),
    SelectChoice(Role.OWNER.value, "Owner: also manages members and publishing"),
]


class LoginForm(Form):
    # NUL and other controls never reach a query (PostgreSQL refuses NUL: a 500).
    email = EmailField(
        "Email",
        filters=[one_line],
        validators=[DataRequired(), Length(max=254), NoControlCharacters()],
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=128), NoControlCharacters()]
    )


class AddMemberForm(Form):
    email = EmailField(
        "Their email",
        filters=[one_line],
        validators=[
            DataRequired(),
            Length(max=254),
            NoControlCharacters(),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.EDITOR.value)


class ChangeRoleForm(Form):
    role = SelectField("Role", choices=ROLE_CHOICES)


class RemoveMemberForm(Form):
    """Only a CSRF token: removing is a POST."""


class LogoutForm(Form):
    """Only a CSRF token: logging out is a POST."""


def _new_password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message="Choose a new password."),
            Length(max=128, message="Use at most 128 characters."),
            NoControlCharacters(),
        ],
    )


def _repeated(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message="Type the new password again."),
            EqualTo("password", message="The two passwords are not the same."),
        ],
    )


class ForgotPasswordForm(Form):
    email = EmailField(
        "The email of your signon account",
        filters=[one_line],
        validators=[
            DataRequired(message="Enter your email."),
            Length(max=254),
            NoControlCharacters(),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
    )


class ResetPasswordForm(Form):
    password = _new_password("New password")
    repeat = _repeated("The new password again")


class ChangePasswordForm(Form):
    current = PasswordField(
        "Current password",
        validators=[
            DataRequired(message="Enter your current password."),
            Length(max=128),
            NoControlCharacters(),
        ],
    )
    password = _new_password("New password")
    repeat = _repeated("The new password again")


class CodeForm(Form):
    """A code from the authenticator app, or a recovery code at log-in."""

    code = StringField(
        "Code",
        filters=[one_line],
        validators=[
            DataRequired(message="Enter the code."),
            Length(max=20, message="A code is 6 digits, or a recovery code of 10 characters."),
            NoControlCharacters(),
        ],
    )


class PasswordConfirmForm(Form):
    password = PasswordField(
        "Your password",
        validators=[DataRequired(message="Enter your password."), Length(max=128)],
    )


class CreateAccountForm(Form):
    email = EmailField(
        "Email",
        filters=[one_line],
        validators=[
            DataRequired(message="Enter the email of the new account."),
            Length(max=254),
            NoControlCharacters(),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
    )
    name = StringField(
        "Name",
        filters=[one_line],
        validators=[
            DataRequired(message="Enter the person's name."),
            Length(max=200),
            NoControlCharacters(),
        ],
    )
    admin = BooleanField("An administrator (sees every statement and account)")


class NewcomerForm(Form):
    """Joining a team without an account: a name and a password."""

    name = StringField(
        "Your name, as your team sees it",
        filters=[one_line],
        validators=[DataRequired(message="Enter your name."), Length(max=200),
                    NoControlCharacters()],
    )  # fmt: skip
    password = _new_password("Choose a password")
    repeat = _repeated("The password again")


class AcceptForm(Form):
    """Only a CSRF token: accepting is a POST."""


class ChangeEmailForm(Form):
    email = EmailField(
        "New email",
        filters=[one_line],
        validators=[
            DataRequired(message="Enter the new address."),
            Length(max=254),
            NoControlCharacters(),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
    )
    password = PasswordField(
        "Your password",
        validators=[DataRequired(message="Enter your password."), Length(max=128)],
    )


class RequireTwoFactorForm(Form):
    required = HiddenField(validators=[AnyOf(["on", "off"])])
