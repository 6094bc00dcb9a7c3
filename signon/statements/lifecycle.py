"""A statement's status: draft -> open -> closed -> published.

The deadline closes a statement by itself without a cron job: `status_now`
answers "closed" the moment the deadline passes, and the next write (any POST
that touches the statement) stores it with `settle_status`. GET requests never
write, so a mail scanner opening a link changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_skeleton
from flask_babel import gettext as _
from flask_babel import pgettext

from ..audit.models import record, user_actor
from ..columns import utcnow
from ..locale_choice import current_language
from ..times import babel_locale
from .models import SignatoryOrder, Statement, Status

# Who closed a statement whose deadline passed, as the audit trail names it.
DEADLINE_ACTOR = "the deadline"

# Far enough for any real campaign; keeps deadline + grace inside datetime's range.
LATEST_DEADLINE = timedelta(days=100 * 365)


class LifecycleError(ValueError):
    """A status change that is not allowed now, with a message for people."""


class OutOfRange(LifecycleError):
    """A date and time too far ahead (or back) for the calendar to hold."""


def status_label(status: Status) -> str:
    """A status as people read it, in the page's language: 'Draft', 'Open'..."""
    labels = {
        Status.DRAFT: pgettext("statement status", "Draft"),
        Status.OPEN: pgettext("statement status", "Open"),
        Status.CLOSED: pgettext("statement status", "Closed"),
        Status.PUBLISHED: pgettext("statement status", "Published"),
    }
    return labels[status]


def cannot_open_message(status: Status) -> str:
    """Why a statement in `status` (open or published) cannot be opened."""
    if status is Status.OPEN:
        return _("This statement is open; it cannot be opened.")
    return _("This statement is published; it cannot be opened.")


def status_now(statement: Statement, now: datetime | None = None) -> Status:
    """The status as of now: an open statement past its deadline is closed."""
    deadline = statement.deadline
    if statement.status is Status.OPEN and deadline is not None and (now or utcnow()) >= deadline:
        return Status.CLOSED
    return statement.status


def accepts_signatures(statement: Statement, now: datetime | None = None) -> bool:
    """True while partners can sign: open and before the deadline."""
    return status_now(statement, now) is Status.OPEN


def settle_status(statement: Statement) -> Status:
    """Store the deadline's effect (call inside a writing transaction)."""
    current = status_now(statement)
    if current is not statement.status:
        statement.status = current
        if current is Status.CLOSED:
            statement.closed_at = statement.deadline
            # Dated when it happened, not when a later request noticed it.
            event = record(
                statement.id,
                DEADLINE_ACTOR,
                "closed by deadline",
                deadline=statement.deadline.isoformat(),
            )
            event.at = statement.deadline
    return current


def deadline_from_local(value: datetime, time_zone: str) -> datetime:
    """A naive local date and time in time_zone, as an aware UTC datetime.

    A time the clocks skip (02:30 on the night summer time starts) is refused
    rather than silently moved by an hour.
    """
    local_zone = zone(time_zone)
    try:
        utc = value.replace(tzinfo=local_zone).astimezone(UTC)
        back = utc.astimezone(local_zone).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise OutOfRange(_("Choose a deadline in the coming years.")) from None
    if back != value.replace(tzinfo=None):
        locale = babel_locale(current_language())
        raise LifecycleError(
            _(
                "%(time)s does not exist on %(day)s in %(zone)s: "
                "the clocks change that night. Choose another time.",
                time=value.strftime("%H:%M"),
                day=format_skeleton("yMMMd", value, locale=locale),
                zone=time_zone,
            )
        )
    return utc


def _check_deadline(deadline: datetime | None, *, new: bool = False) -> None:
    if deadline is None:
        return
    now = utcnow()
    if deadline <= now:
        raise LifecycleError(
            _("The new deadline must be in the future.")
            if new
            else _("The deadline must be in the future.")
        )
    if deadline > now + LATEST_DEADLINE:
        raise LifecycleError(
            _("The new deadline is too far ahead; choose one in the coming years.")
            if new
            else _("The deadline is too far ahead; choose one in the coming years.")
        )


def deadline_in_zone(statement: Statement) -> datetime | None:
    """The deadline as the statement's own time zone shows it."""
    if statement.deadline is None:
        return None
    return statement.deadline.astimezone(zone(statement.time_zone))


def zone(name: str) -> ZoneInfo:
    """The IANA time zone of that exact name, or LifecycleError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LifecycleError(_("Unknown time zone %(name)s.", name=repr(name))) from None


# In the tz database's folder but not places: "localtime" is this machine's own
# zone, "Factory" a placeholder. posix/ and right/ copies are not in the list.
NOT_PLACES = frozenset({"factory", "localtime"})


def canonical_zone_name(name: str) -> str:
    """The IANA spelling of a time zone name typed in any case, or LifecycleError.
    Only canonical names of places: no file paths (posix/..., right/...), no
    "localtime" or "Factory", though ZoneInfo would open them."""
    found = _zone_names().get(name.strip().casefold())
    if found is None:
        raise LifecycleError(_("Unknown time zone %(name)s.", name=repr(name)))
    return found


@cache
def _zone_names() -> dict[str, str]:
    return {
        name.casefold(): name for name in available_timezones() if name.casefold() not in NOT_PLACES
    }


def time_zone_names() -> list[str]:
    """Every IANA time zone name of a place, sorted, for the opening form."""
    return sorted(_zone_names().values())


def open_for_signatures(
    statement: Statement,
    *,
    deadline: datetime | None,
    time_zone: str,
    signatories_intro: str,
    signatory_order: SignatoryOrder,
    link_grace_hours: int = 0,
    open_call: bool = False,
    actor=None,
) -> None:
    """draft (or closed) -> open, with the deadline stored in UTC. Recorded for
    `actor` (a User); None for a step of a larger action that records itself."""
    settle_status(statement)
    if statement.status not in (Status.DRAFT, Status.CLOSED):
        raise LifecycleError(cannot_open_message(statement.status))
    _check_deadline(deadline)
    zone(time_zone)
    statement.deadline = deadline
    statement.time_zone = time_zone
    statement.signatories_intro = signatories_intro
    statement.signatory_order = signatory_order
    statement.link_grace_hours = link_grace_hours
    statement.open_call = open_call
    statement.status = Status.OPEN
    if actor is not None:
        record(
            statement.id,
            user_actor(actor),
            "opened for signatures",
            deadline=deadline.isoformat() if deadline else None,
        )


def _refuse_if_published(statement: Statement, message: str) -> None:
    # Publication froze the text and the list; later changes to the list go
    # through editions (publication/service.py), never back through open/closed.
    if statement.status is Status.PUBLISHED:
        raise LifecycleError(message)


def close(statement: Statement, *, actor=None) -> None:
    """open -> closed by hand: no new signatures; recorded for `actor`, as above."""
    _refuse_if_published(
        statement,
        _(
            "This statement is published, so it cannot be closed: its text and list are "
            "frozen. A withdrawal or a late signature you accept updates the published list."
        ),
    )
    if settle_status(statement) is not Status.OPEN:
        raise LifecycleError(_("Only an open statement can be closed."))
    statement.status = Status.CLOSED
    statement.closed_at = utcnow()
    if actor is not None:
        record(statement.id, user_actor(actor), "closed")


def reopen(statement: Statement, *, deadline: datetime | None, actor=None) -> None:
    """closed -> open again, with a new deadline (or none); recorded for `actor`."""
    _refuse_if_published(
        statement,
        _(
            "This statement is published, so it cannot be reopened: its text and list are "
            "frozen. A withdrawal or a late signature you accept updates the published list."
        ),
    )
    if settle_status(statement) is not Status.CLOSED:
        raise LifecycleError(_("Only a closed statement can be reopened."))
    _check_deadline(deadline, new=True)
    statement.deadline = deadline
    statement.status = Status.OPEN
    statement.closed_at = None
    if actor is not None:
        record(
            statement.id,
            user_actor(actor),
            "reopened",
            deadline=deadline.isoformat() if deadline else None,
        )


def under_embargo(statement: Statement, now: datetime | None = None) -> bool:
    """True while a published statement waits for its embargo: not public yet."""
    return (
        statement.status is Status.PUBLISHED
        and statement.embargo_until is not None
        and (now or utcnow()) < statement.embargo_until
    )
