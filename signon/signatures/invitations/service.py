"""Invitations: checking a pasted or uploaded list, sending, reminding, revoking."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from babel.dates import format_skeleton
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, select
from sqlalchemy.exc import IntegrityError

from ...audit.models import record, user_actor
from ...columns import utcnow
from ...extensions import db
from ...locale_choice import current_language
from ...mail.compose import queue_mail
from ...mail.models import MailState, OutboxMessage
from ...statements.lifecycle import accepts_signatures, deadline_in_zone
from ...statements.models import Statement
from ...statements.translations import translations_of
from ...text import clean_line, has_control_characters
from ...times import babel_locale, local_day
from ...tokens import new_nonce
from ..asking import who_is_asking
from ..links import invitation_link
from ..models import Invitation
from ..ordering import position_after_all
from ..team_mail import REMINDER_INTERVAL

HEADER_WORDS = {"email", "e-mail", "mail", "courriel", "correo"}


@dataclass(frozen=True)
class InvitationRow:
    line: int
    organisation: str
    email: str
    contact_name: str = ""
    language: str = ""  # the text's language the invitation offers ("": the master's)


@dataclass(frozen=True)
class LineProblem:
    """A line that cannot be used: its number, why (the sentence the check page
    shows, the line's number in it), and what it held."""

    line: int
    problem: str
    content: str = ""

    @property
    def shown(self) -> str:
        """The line's content as the check page shows it: tabs and invisible
        characters made visible (they are often the very problem), cut short."""
        shown = "".join(_visible(character) for character in self.content)
        return shown if len(shown) <= SHOWN_LIMIT else shown[:SHOWN_LIMIT] + "…"


SHOWN_LIMIT = 300


def _visible(character: str) -> str:
    if character == "\t":
        return " ⇥ "
    if character == "\n":
        return " ⏎ "
    code = ord(character)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟
    if code == 0x7F:
        return "␡"
    if unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp"):
        return f"⟨U+{code:04X}⟩"
    return character


@dataclass
class CheckedList:
    rows: list[InvitationRow] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    refused: str = ""  # the whole list refused, with why
    too_long: bool = False  # refused for having more rows than allowed

    def as_text(self) -> str:
        """The good rows again as CSV, for the confirmation form."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in self.rows:
            cells = [row.organisation, row.email, row.contact_name, row.language]
            writer.writerow(cells if row.language else cells[:3])
        return out.getvalue()


class InvitationError(ValueError):
    """An invitation request that cannot be carried out, with a message for people."""


def decode_upload(data: bytes) -> str:
    """An uploaded CSV as text; only UTF-8 (with or without BOM) is accepted."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvitationError(
            _(
                "The file is not UTF-8 text. In your spreadsheet, save it as "
                "“CSV UTF-8” and upload it again."
            )
        ) from None


DELIMITERS = ("\t", ";", ",")  # on a tie, the rarer character in names wins


def _delimiter(text: str) -> str:
    """The separator that turns most of the first lines into `organisation, email` rows."""
    sample = [line for line in text.split("\n")[:50] if line.strip()]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(sample, delimiter=delimiter, skipinitialspace=True))
        except csv.Error:
            continue
        score = sum(1 for cells in rows if _looks_like_row(cells))
        if score > best_score:
            best, best_score = delimiter, score
    if best_score == 0:  # nothing looks right: the most frequent separator
        counts = {d: sum(line.count(d) for line in sample) for d in DELIMITERS}
        best = max(DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
    return best


def _looks_like_row(cells: list[str]) -> bool:
    cells = _without_trailing_blanks(cells)
    if not 2 <= len(cells) <= 3:
        return False
    email = cells[1].strip()
    return "@" in email and not any(character.isspace() for character in email)


def _without_trailing_blanks(cells: list[str]) -> list[str]:
    """Spreadsheets often export empty columns after the last one used."""
    cells = list(cells)
    while len(cells) > 3 and not cells[-1].strip():
        cells.pop()
    return cells


def _is_header(cells: list[str]) -> bool:
    """A first row like `Organisation, Email, Contact`."""
    if len(cells) < 2 or "@" in cells[1]:
        return False
    label = cells[1].casefold()
    return label in HEADER_WORDS or any(word in label for word in ("mail", "correo", "courriel"))


def check_list(statement: Statement, text: str, *, delimiter: str | None = None) -> CheckedList:
    """Validate `organisation, email[, contact name[, language]]` rows against the list itself
    and the statement's existing invitations. Nothing is saved.

    Lines are numbered as the person sees them in their paste or file. The
    confirmation step passes delimiter="," for the list it wrote itself.
    """
    result = CheckedList()
    limit = current_app.config["MAX_INVITATIONS_PER_PASTE"]
    # Old Mac spreadsheets end lines with CR alone; csv would refuse them.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if sum(1 for line in text.split("\n") if line.strip()) > limit:
        result.refused = _(
            "The list has more than %(limit)s rows. Send it in parts of %(limit)s rows at most.",
            limit=limit,
        )
        result.too_long = True
        return result
    existing = {
        email.casefold(): sent
        for email, sent in db.session.execute(
            select(Invitation.email, Invitation.created_at).where(
                Invitation.statement_id == statement.id
            )
        )
    }
    seen: dict[str, int] = {}
    languages = {statement.language, *(t.language for t in translations_of(statement))}
    lines = text.split("\n")
    main = delimiter or _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=main, skipinitialspace=True)
    first, previous = True, 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.rows.clear()
            result.refused = _(
                "Line %(line)s cannot be read (%(error)s). Correct it and check again.",
                line=reader.line_num,
                error=error,
            )
            return result
        line = reader.line_num
        content = "\n".join(lines[previous:line])
        one_line = line == previous + 1
        previous = line
        cells = _without_trailing_blanks([cell.strip() for cell in cells])
        if not any(cells):
            continue
        if delimiter is None and one_line:
            # A line pasted from elsewhere may use another separator than the rest.
            cells = _cells_alone(content, main, cells)
        if first:
            first = False
            if _is_header(cells):
                continue
        problem = _row_problem(cells, line)
        if problem:
            result.problems.append(LineProblem(line, problem, content))
            continue
        try:
            email = validate_email(cells[1], check_deliverability=False).normalized
        except EmailNotValidError as error:
            problem = _(
                "Line %(line)s: “%(address)s” is not a valid email address: %(error)s",
                line=line,
                address=cells[1],
                error=error,
            )
            result.problems.append(LineProblem(line, problem, content))
            continue
        key = email.casefold()
        if key in seen:
            problem = _(
                "Line %(line)s: %(email)s is already on line %(first)s of this list",
                line=line,
                email=email,
                first=seen[key],
            )
            result.problems.append(LineProblem(line, problem, content))
            continue
        if key in existing:
            day = local_day(existing[key], statement.time_zone)
            when = format_skeleton("yMMMd", day, locale=babel_locale(current_language()))
            problem = _(
                "Line %(line)s: %(email)s was already invited on %(when)s",
                line=line,
                email=email,
                when=when,
            )
            result.problems.append(LineProblem(line, problem, content))
            continue
        language = cells[3].strip().lower() if len(cells) > 3 else ""
        if language and language not in languages:
            problem = _(
                "Line %(line)s: the statement has no text in “%(language)s” (its languages: "
                "%(languages)s)",
                line=line,
                language=language,
                languages=", ".join(sorted(languages)),
            )
            result.problems.append(LineProblem(line, problem, content))
            continue
        seen[key] = line
        contact = clean_line(cells[2]) if len(cells) > 2 else ""
        if language == statement.language:
            language = ""
        result.rows.append(InvitationRow(line, clean_line(cells[0]), email, contact, language))
    return result


def _cells_alone(content: str, main: str, cells: list[str]) -> list[str]:
    """The line's cells with the list's separator, unless another separator makes a
    row (or a header) of it, or at least splits what is one cell with the list's:
    then with that one, so that a problem is told about the right column."""
    if _looks_like_row(cells) or _is_header(cells):
        return cells
    split = None
    for other in DELIMITERS:
        if other == main:
            continue
        try:
            (alone,) = csv.reader([content], delimiter=other, skipinitialspace=True)
        except (csv.Error, ValueError):
            continue
        alone = _without_trailing_blanks([cell.strip() for cell in alone])
        if _looks_like_row(alone) or _is_header(alone):
            return alone
        if split is None and len(cells) < 2 and 2 <= len(alone) <= 3:
            split = alone
    return split or cells


def _row_problem(cells: list[str], line: int) -> str | None:
    """What is wrong with the row on `line`, as the check page says it; None if nothing."""
    if len(cells) < 2 or not cells[1]:
        return _(
            "Line %(line)s: needs an organisation and an email, separated by a comma, "
            "a semicolon or a tab",
            line=line,
        )
    if len(cells) > 4:
        return _(
            "Line %(line)s: has more than four columns (organisation, email, contact name, "
            "language)",
            line=line,
        )
    if any(has_control_characters(cell) for cell in cells):
        return _("Line %(line)s: contains control characters", line=line)
    organisation = clean_line(cells[0])
    if not organisation:
        return _("Line %(line)s: has no organisation name", line=line)
    if len(organisation) > 300:
        return _(
            "Line %(line)s: has an organisation name over %(limit)s characters",
            line=line,
            limit=300,
        )
    if len(cells) > 2 and len(clean_line(cells[2])) > 200:
        return _(
            "Line %(line)s: has a contact name over %(limit)s characters", line=line, limit=200
        )
    return None


def add_invitations(statement: Statement, rows: list[InvitationRow], *, actor) -> list[Invitation]:
    """Create and send one invitation per row, in the rows' order (not committed)."""
    if not accepts_signatures(statement):
        raise InvitationError(_("Open the statement for signatures before inviting partners."))
    # The list's line order is the agreed order; a new list goes after everything
    # already there (invitations and signatures alike).
    first = position_after_all(statement)
    invitations = [
        Invitation(
            statement=statement,
            organisation=row.organisation,
            email=row.email,
            contact_name=row.contact_name,
            language=row.language,
            position=first + index,
            nonce=new_nonce(),
            created_by_id=actor.id,
        )
        for index, row in enumerate(rows)
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(invitations)
            db.session.flush()
    except IntegrityError:
        # Someone on the team invited one of these addresses at the same moment.
        raise InvitationError(
            _(
                "Some of these addresses were invited by someone else meanwhile. "
                "Check the list again."
            )
        ) from None
    for invitation in invitations:
        _send(invitation, "invitation")
    record(
        statement.id,
        user_actor(actor),
        "invitations sent",
        count=len(invitations),
        ids=[invitation.id for invitation in invitations],
    )
    return invitations


def _send(invitation: Invitation, template: str) -> None:
    statement = invitation.statement
    queue_mail(
        template,
        invitation.email,
        statement_id=statement.id,
        invitation_id=invitation.id,
        statement=statement,
        invitation=invitation,
        link=invitation_link(invitation),
        deadline=deadline_in_zone(statement),
        asking=who_is_asking(invitation),
    )
    now = utcnow()
    if template == "invitation":
        invitation.sent_at = now
    else:
        invitation.reminded_at = now
        invitation.reminder_count += 1


def resend(invitation: Invitation, *, actor) -> None:
    """A new link by email; every earlier link of this invitation stops working."""
    if not accepts_signatures(invitation.statement):
        raise InvitationError(_("The statement is not open for signatures."))
    invitation.nonce = new_nonce()
    invitation.revoked_at = None
    _send(invitation, "invitation")
    record(
        invitation.statement_id, user_actor(actor), "invitation re-sent", invitation=invitation.id
    )


def revoke(invitation: Invitation, *, actor) -> None:
    """The invitation's links stop working (a signature already given stays), and
    its invitation or reminder not yet sent is dropped from the outbox. A message
    a worker has already claimed is left to it: it may be on the wire."""
    invitation.nonce = new_nonce()
    invitation.revoked_at = utcnow()
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.invitation_id == invitation.id,
            OutboxMessage.kind.in_(("invitation", "reminder")),
            OutboxMessage.state == MailState.PENDING,
        )
    )
    record(
        invitation.statement_id, user_actor(actor), "invitation revoked", invitation=invitation.id
    )


def _unanswered(statement: Statement):
    """SQL: the statement's invitations still waiting for an answer (not revoked)."""
    return and_(
        Invitation.statement_id == statement.id,
        Invitation.revoked_at.is_(None),
        Invitation.responded_at.is_(None),
    )


def unanswered_count(statement: Statement) -> int:
    """How many invited partners have not answered (what closing leaves unsigned)."""
    return db.session.scalar(select(func.count()).where(_unanswered(statement)))


def remind_unanswered(statement: Statement, *, actor) -> int:
    """One reminder to each invitation without an answer, at most once a day."""
    if not accepts_signatures(statement):
        raise InvitationError(_("The statement is not open for signatures."))
    cutoff = utcnow() - REMINDER_INTERVAL
    due = db.session.scalars(
        select(Invitation)
        .where(
            _unanswered(statement),
            Invitation.sent_at.is_not(None),
            Invitation.sent_at <= cutoff,
            (Invitation.reminded_at.is_(None)) | (Invitation.reminded_at <= cutoff),
        )
        .with_for_update()
    ).all()
    for invitation in due:
        _send(invitation, "reminder")
    if due:
        record(statement.id, user_actor(actor), "reminders sent", count=len(due))
    return len(due)
