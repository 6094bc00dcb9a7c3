"""Forms for inviting, signing, and curating the list."""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from ..languages import LANGUAGES
from ..signatory_fields import INDIVIDUAL, LIMITS, ORGANISATION
from ..text import has_control_characters
from ..validators import NoControlCharacters, one_line

KIND_CHOICES = [
    SelectChoice(ORGANISATION, _l("An organisation")),
    SelectChoice(INDIVIDUAL, _l("An individual, in my own name")),
]


def _choice_value(value) -> str:
    """A radio's value from a form post or from a model's enum (`obj=signature`)."""
    return value.value if isinstance(value, enum.Enum) else str(value)


def _line(label, name: str, *validators, **kwargs) -> StringField:
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
        _l("Paste the list"),
        validators=[Optional(), Length(max=400_000)],
        description=_l("One partner per line: organisation, email, contact name (optional)."),
        render_kw={"rows": 8},
    )
    upload = FileField(_l("…or upload a CSV file"), validators=[FileAllowed(["csv", "txt"])])


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

    revision = IntegerField(validators=[InputRequired(message=_l("The order form is incomplete."))])
    move = StringField(validators=[Optional(), Length(max=40)])

    def validate_move(self, field):
        if field.data and self._step(field.data) is None:
            raise ValidationError(_("The order form asked for a move it does not know."))

    def move_step(self) -> tuple[int, int] | None:
        """(signature id, -1 or +1) for an arrow, None for "Save order"."""
        return self._step(self.move.data or "")

    @staticmethod
    def _step(value: str) -> tuple[int, int] | None:
        direction, _, raw_id = value.partition("-")
        if direction not in ("up", "down") or not raw_id.isascii() or not raw_id.isdigit():
            return None
        return int(raw_id[:18]), -1 if direction == "up" else 1


def parse_other_names(text: str) -> dict[str, str]:
    """`ru: Пресс-клуб` lines as {language: name}; ValueError, with a message for
    people, for a line that is not one."""
    names: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        code, colon, name = line.partition(":")
        code, name = code.strip().lower(), one_line(name) or ""
        if not colon or code not in LANGUAGES or not name:
            raise ValueError(
                _(
                    "Line %(line)s: write a language code, a colon and the name, "
                    "like “ru: Пресс-клуб”.",
                    line=number,
                )
            )
        if len(name) > LIMITS["name"] or has_control_characters(name):
            raise ValueError(
                _("Line %(line)s: the name is longer than %(limit)s characters or holds control "
                  "characters.", line=number, limit=LIMITS["name"])
            )  # fmt: skip
        names[code] = name
    return names


class SignatureForm(Form):
    name = _line(
        _l("Organisation name"), "name", DataRequired(message=_l("Enter the name to be listed."))
    )
    acronym = _line(_l("Acronym"), "acronym")
    country = _line(_l("Country"), "country")
    website = URLField(
        _l("Website"),
        filters=[one_line],
        validators=[
            Optional(),
            Length(max=LIMITS["website"]),
            NoControlCharacters(),
            URL(require_tld=True, message=_l("Enter a full address starting with https://")),
        ],
    )
    note = _line(
        _l("Note printed after your name (optional)"),
        "note",
        description=_l(
            "For example: “within the framework of the Observatory for the "
            "Protection of Human Rights Defenders”."
        ),
    )
    kind = RadioField(
        _l("Signing as"), choices=KIND_CHOICES, default=ORGANISATION, coerce=_choice_value
    )
    other_names = TextAreaField(
        _l("Your name in the statement's other languages (optional)"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "One per line: the language's code, a colon, the name as the document in that "
            "language prints it. For example: ru: Пресс-клуб"
        ),
    )
    listed_publicly = Checkbox(_l("List our name publicly"), default=True)
    authorised_by = _line(_l("Name of the person authorising the signature"), "authorised_by")
    authoriser_title = _line(_l("Their role"), "authoriser_title")
    contact_email = EmailField(
        _l("Contact email (only the organisers see it)"),
        filters=[one_line],
        validators=[
            Optional(),
            Length(max=LIMITS["contact_email"]),
            NoControlCharacters(),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )
    authorised = Checkbox(
        _l("I am authorised to sign on behalf of this organisation"),
        validators=[InputRequired(message=_l("Please confirm you are authorised to sign."))],
    )

    def validate_other_names(self, field):
        try:
            field.parsed = parse_other_names(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_kind(self, field):
        if field.data not in (ORGANISATION, INDIVIDUAL):
            raise ValidationError(_("Choose organisation or individual."))

    def validate_authorised_by(self, field):
        if self.kind.data == ORGANISATION and not field.data:
            raise ValidationError(_("Say who authorised this signature."))

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Enter a full address starting with https://"))


class OpenCallForm(SignatureForm):
    """The public form: the contact email is required, it receives the verification."""

    contact_email = EmailField(
        _l("Your email (we send a confirmation link; only the organisers see it)"),
        filters=[one_line],
        validators=[
            DataRequired(message=_l("Enter your email: we send a link to confirm it.")),
            Length(max=LIMITS["contact_email"]),
            NoControlCharacters(),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
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

    name = _line(
        _l("Name as printed"), "name", DataRequired(message=_l("Enter the name to be printed."))
    )
    acronym = _line(_l("Acronym"), "acronym")
    country = _line(_l("Country"), "country")
    note = _line(_l("Note printed after the name"), "note")
    listed_publicly = RadioField(
        _l("In the list"),
        choices=[
            SelectChoice("named", _l("Named in the list")),
            SelectChoice("counted", _l("Counted, not named (“and N other organisations…”)")),
        ],
        coerce=_listing,
        default="named",
    )

    @property
    def named(self) -> bool:
        return self.listed_publicly.data == "named"


class RejectForm(Form):
    reason = StringField(
        _l("Reason (kept within your team)"),
        filters=[one_line],
        validators=[Length(max=500), NoControlCharacters()],
    )


class ActionForm(Form):
    """A button that POSTs: only the CSRF token."""
