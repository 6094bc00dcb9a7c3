"""Forms for inviting, signing, and curating the list."""

from __future__ import annotations

import enum

from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..fields import Checkbox, Form
from ..signatory_fields import INDIVIDUAL, LIMITS, ORGANISATION
from ..validators import NoControlCharacters, one_line

KIND_CHOICES = [
    SelectChoice(ORGANISATION, "An organisation"),
    SelectChoice(INDIVIDUAL, "An individual, in my own name"),
]


def _choice_value(value) -> str:
    """A radio's value from a form post or from a model's enum (`obj=signature`)."""
    return value.value if isinstance(value, enum.Enum) else str(value)


def _line(label: str, name: str, *validators, **kwargs) -> StringField:
    """A one-line text field of the signatory entry `name`, with its declared limit."""
    return StringField(
        label,
        filters=[one_line],
        validators=[*validators, Length(max=LIMITS[name]), NoControlCharacters()],
        **kwargs,
    )


class InvitationListForm(Form):
    """Step 1: paste or upload; the list is checked, nothing is saved."""

    rows = TextAreaField(
        "Paste the list",
        validators=[Optional(), Length(max=400_000)],
        description="One partner per line: organisation, email, contact name (optional).",
        render_kw={"rows": 8},
    )
    upload = FileField("…or upload a CSV file", validators=[FileAllowed(["csv", "txt"])])


class ConfirmInvitationsForm(Form):
    """Step 2: the checked rows come back and are checked again before saving."""

    rows = HiddenField(validators=[DataRequired(), Length(max=400_000)])


class BackToListForm(Form):
    """Cancel on the check page: the list as pasted goes back into the text box."""

    rows = HiddenField(validators=[Optional(), Length(max=400_000)])


class OrderForm(Form):
    """The team's order of the list: `position-<signature id>` fields (read by
    ordering.positions_from_form), the list revision the page showed, and which
    entry to move a step when an arrow was pressed (`up-<id>` / `down-<id>`)."""

    revision = IntegerField(validators=[InputRequired(message="The order form is incomplete.")])
    move = StringField(validators=[Optional(), Length(max=40)])

    def validate_move(self, field):
        if field.data and self._step(field.data) is None:
            raise ValidationError("The order form asked for a move it does not know.")

    def move_step(self) -> tuple[int, int] | None:
        """(signature id, -1 or +1) for an arrow, None for "Save order"."""
        return self._step(self.move.data or "")

    @staticmethod
    def _step(value: str) -> tuple[int, int] | None:
        direction, _, raw_id = value.partition("-")
        if direction not in ("up", "down") or not raw_id.isascii() or not raw_id.isdigit():
            return None
        return int(raw_id[:18]), -1 if direction == "up" else 1


class SignatureForm(Form):
    name = _line("Organisation name", "name", DataRequired(message="Enter the name to be listed."))
    acronym = _line("Acronym", "acronym")
    country = _line("Country", "country")
    website = URLField(
        "Website",
        filters=[one_line],
        validators=[
            Optional(),
            Length(max=LIMITS["website"]),
            NoControlCharacters(),
            URL(require_tld=True, message="Enter a full address starting with https://"),
        ],
    )
    note = _line(
        "Note printed after your name (optional)",
        "note",
        description="For example: “within the framework of the Observatory for the "
        "Protection of Human Rights Defenders”.",
    )
    kind = RadioField(
        "Signing as", choices=KIND_CHOICES, default=ORGANISATION, coerce=_choice_value
    )
    listed_publicly = Checkbox("List our name publicly", default=True)
    authorised_by = _line("Name of the person authorising the signature", "authorised_by")
    authoriser_title = _line("Their role", "authoriser_title")
    contact_email = EmailField(
        "Contact email (only the organisers see it)",
        filters=[one_line],
        validators=[
            Optional(),
            Length(max=LIMITS["contact_email"]),
            NoControlCharacters(),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
    )
    authorised = Checkbox(
        "I am authorised to sign on behalf of this organisation",
        validators=[InputRequired(message="Please confirm you are authorised to sign.")],
    )

    def validate_kind(self, field):
        if field.data not in (ORGANISATION, INDIVIDUAL):
            raise ValidationError("Choose organisation or individual.")

    def validate_authorised_by(self, field):
        if self.kind.data == ORGANISATION and not field.data:
            raise ValidationError("Say who authorised this signature.")

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError("Enter a full address starting with https://")


class OpenCallForm(SignatureForm):
    """The public form: the contact email is required, it receives the verification."""

    contact_email = EmailField(
        "Your email (we send a confirmation link; only the organisers see it)",
        filters=[one_line],
        validators=[
            DataRequired(message="Enter your email: we send a link to confirm it."),
            Length(max=LIMITS["contact_email"]),
            NoControlCharacters(),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
    )


class ManageSignatureForm(SignatureForm):
    """The manage link's form: the authorisation was given when signing and stays;
    changing an entry is not a new consent, so nothing is ticked again."""

    authorised = None


def _listing(value) -> str:
    """Named or counted, from a form post ("named") or the model's bool (`obj=`)."""
    if isinstance(value, bool):
        return "named" if value else "counted"
    return str(value)


class EditDisplayForm(Form):
    """The team's correction of how an entry prints: every printed field."""

    name = _line("Name as printed", "name", DataRequired(message="Enter the name to be printed."))
    acronym = _line("Acronym", "acronym")
    country = _line("Country", "country")
    note = _line("Note printed after the name", "note")
    listed_publicly = RadioField(
        "In the list",
        choices=[
            SelectChoice("named", "Named in the list"),
            SelectChoice("counted", "Counted, not named (“and N other organisations…”)"),
        ],
        coerce=_listing,
        default="named",
    )

    @property
    def named(self) -> bool:
        return self.listed_publicly.data == "named"


class RejectForm(Form):
    reason = StringField(
        "Reason (kept within your team)",
        filters=[one_line],
        validators=[Length(max=500), NoControlCharacters()],
    )


class ActionForm(Form):
    """A button that POSTs: only the CSRF token."""
