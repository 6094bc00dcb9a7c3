"""Forms for logging in, the account's settings and managing a statement's members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length

from ..fields import Form
from ..i18n import INTERFACE_LANGUAGES
from ..languages import LANGUAGES, direction
from ..validators import NoControlCharacters, one_line
from .models import Role

ROLE_CHOICES = [
    SelectChoice(Role.EDITOR.value, _l("Editor: edits the text and the list")),
    SelectChoice(Role.VIEWER.value, _l("Viewer: reads and downloads")),
    SelectChoice(Role.OWNER.value, _l("Owner: also manages members and publishing")),
]


class LoginForm(Form):
    # NUL and other controls never reach a query (PostgreSQL refuses NUL: a 500).
    email = EmailField(
        _l("Email"),
        filters=[one_line],
        validators=[DataRequired(), Length(max=254), NoControlCharacters()],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=128), NoControlCharacters()]
    )


class AddMemberForm(Form):
    email = EmailField(
        _l("Their email"),
        filters=[one_line],
        validators=[
            DataRequired(),
            Length(max=254),
            NoControlCharacters(),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.EDITOR.value)


class ChangeRoleForm(Form):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class RemoveMemberForm(Form):
    """Only a CSRF token: removing is a POST."""


class LogoutForm(Form):
    """Only a CSRF token: logging out is a POST."""


def _new_password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("Choose a new password.")),
            Length(
                max=128,
                message=lazy_ngettext(
                    "Use at most %(num)s character.", "Use at most %(num)s characters.", 128
                ),
            ),
            NoControlCharacters(),
        ],
    )


def _repeated(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("Type the new password again.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("The email of your signon account"),
        filters=[one_line],
        validators=[
            DataRequired(message=_l("Enter your email.")),
            Length(max=254),
            NoControlCharacters(),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )


class ResetPasswordForm(Form):
    password = _new_password(_l("New password"))
    repeat = _repeated(_l("The new password again"))


class ChangePasswordForm(Form):
    current = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Enter your current password.")),
            Length(max=128),
            NoControlCharacters(),
        ],
    )
    password = _new_password(_l("New password"))
    repeat = _repeated(_l("The new password again"))


class CodeForm(Form):
    """A code from the authenticator app, or a recovery code at log-in."""

    code = StringField(
        _l("Code"),
        filters=[one_line],
        validators=[
            DataRequired(message=_l("Enter the code.")),
            Length(max=20, message=_l("A code is 6 digits, or a recovery code of 10 characters.")),
            NoControlCharacters(),
        ],
    )


class PasswordConfirmForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=128)],
    )


class CreateAccountForm(Form):
    email = EmailField(
        _l("Email"),
        filters=[one_line],
        validators=[
            DataRequired(message=_l("Enter the email of the new account.")),
            Length(max=254),
            NoControlCharacters(),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )
    name = StringField(
        _l("Name"),
        filters=[one_line],
        validators=[
            DataRequired(message=_l("Enter the person's name.")),
            Length(max=200),
            NoControlCharacters(),
        ],
    )
    admin = BooleanField(_l("An administrator (sees every statement and account)"))


class NewcomerForm(Form):
    """Joining a team without an account: a name and a password."""

    name = StringField(
        _l("Your name, as your team sees it"),
        filters=[one_line],
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=200),
                    NoControlCharacters()],
    )  # fmt: skip
    password = _new_password(_l("Choose a password"))
    repeat = _repeated(_l("The password again"))


class AcceptForm(Form):
    """Only a CSRF token: accepting is a POST."""


class ChangeEmailForm(Form):
    email = EmailField(
        _l("New email"),
        filters=[one_line],
        validators=[
            DataRequired(message=_l("Enter the new address.")),
            Length(max=254),
            NoControlCharacters(),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=128)],
    )


class RequireTwoFactorForm(Form):
    required = HiddenField(validators=[AnyOf(["on", "off"])])


class LanguageForm(Form):
    """The account's interface language: "" follows the browser (Accept-Language);
    each language is named in itself, so that anyone finds their own."""

    language = SelectField(
        _l("Language of the interface"),
        choices=[
            SelectChoice("", _l("Same as my browser")),
            *(
                SelectChoice(code, LANGUAGES[code], {"lang": code, "dir": direction(code)})
                for code in INTERFACE_LANGUAGES
            ),
        ],
        default="",
    )
