"""The live list: an owner's choice to show the list publicly while signatures are
being collected. See docs/architecture.md, Privacy of the public pages.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.models import record
from .lifecycle import LifecycleError, status_now
from .models import Statement, Status

LIVE_LIST_RISK = _l(
    "Anyone who knows or guesses the address will see who signed, before launch. "
    "Signers in countries where signing is a risk may be endangered."
)


def set_live_list(statement: Statement, live: bool, actor: str) -> bool:
    """Turn the live public list on or off (not committed), recording the change
    in the audit trail as "live list on" or "live list off". True if it changed;
    a request for the state it is already in records nothing. `actor` is an audit
    actor (audit.user_actor). LifecycleError once the statement is published."""
    if statement.status is Status.PUBLISHED:
        raise LifecycleError(
            _(
                "This statement is published: its list is public from its publication, "
                "so there is no live list to change."
            )
        )
    live = bool(live)
    if statement.live_list is live:
        return False
    statement.live_list = live
    record(
        statement.id,
        actor,
        "live list on" if live else "live list off",
        status=status_now(statement).value,
    )
    return True
