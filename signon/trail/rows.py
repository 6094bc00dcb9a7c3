"""How the audit trail reads, on its page and in its CSV: labels for actions and
details, times in the statement's zone, signatures and invitations named by what
they are called now (looked up, never stored in the event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import select

from ..extensions import db
from ..signatures.models import Invitation, Signature
from ..times import zone_of, zone_time

ACTION_LABELS = {
    "version saved": "Text saved as a new version",
    "lead organisations changed": "Lead organisations changed",
    "opened for signatures": "Opened for signatures",
    "closed": "Closed for signatures",
    "closed by deadline": "Closed by its deadline",
    "reopened": "Reopened for signatures",
    "published": "Published",
    "embargo moved": "Publication moved to another time",
    "published now": "Published now, before the embargo ended",
    "publication cancelled": "Publication cancelled: back to closed, nothing made public",
    "live list on": "Live list turned on: the names are public before publication",
    "live list off": "Live list turned off: the names are private until publication",
    "list updated": "Published list updated",
    "invitations sent": "Invitations sent",
    "invitation re-sent": "Invitation sent again with a new link",
    "invitation revoked": "Invitation revoked",
    "reminders sent": "Reminders sent",
    "signature saved": "Signed through the invitation link",
    "signature updated by signer": "Entry changed by the signer",
    "signature withdrawn": "Signature withdrawn",
    "signature restored": "Signed again after withdrawing",
    "email verified": "Signer confirmed their email address",
    "signature approved": "Signature approved",
    "signature rejected": "Signature rejected",
    "signature edited by team": "Entry corrected by the team",
    "reconfirmation requested": "Signers asked to re-confirm the new text",
    "reconfirmation reminders sent": "Signers reminded to re-confirm",
    "consent confirmed": "Signer confirmed the new text",
    "contacts purged": "Signers' contact data purged",
    "member added": "Team member added",
    "member role changed": "Team member's role changed",
    "member removed": "Team member removed",
    "team invitation sent": "Team invitation sent",
    "team invitation accepted": "Team invitation accepted: joined the team",
    "team invitation revoked": "Team invitation revoked",
}

# Actions whose detail counts something: what it counts.
COUNTED = {
    "invitations sent": "invitation",
    "reminders sent": "partner",
    "reconfirmation reminders sent": "signer",
}

# Detail keys shown in this order (then any other key, by name), with their label.
DETAIL_LABELS = {
    "member": "member",
    "lead_organisations": "lead organisations",
    "role": "role",
    "previous": "previous role",
    "number": "version",
    "kind": "change",
    "version": "text version",
    "previous_version": "previously signed version",
    "edition": "edition",
    "listed": "named signatories",
    "anonymous": "anonymous signatories",
    "deadline": "deadline",
    "embargo_until": "embargo",
    "previous_embargo": "previous embargo",
    "editions": "editions undone",
    "status": "status",
    "note": "note",
    "reason": "reason",
    "count": "count",
}

# Details that hold a UTC time (ISO text): shown in the statement's time zone.
MOMENTS = {
    "deadline": ("deadline", "no deadline"),
    "embargo_until": ("embargoed until", "no embargo"),
    "previous_embargo": ("previously scheduled for", "no embargo"),
}


def action_label(action: str) -> str:
    """The action as people read it; an action without a label shows by its name."""
    return ACTION_LABELS.get(action, action)


@dataclass(frozen=True)
class TrailRow:
    """One audit event as the page and the CSV show it."""

    id: int
    at: datetime  # UTC
    local_time: str  # in the statement's time zone, zone named
    actor: str
    action: str
    label: str
    details: list[str]


def statement_zone(statement) -> tzinfo:
    """The statement's time zone, or UTC when it names none that exists."""
    return zone_of(statement.time_zone)


def trail_rows(statement, events, *, list_limit: int | None = None) -> list[TrailRow]:
    """Audit events of one statement as readable rows, in the order given.

    Signatures and invitations named in the details are shown with their current
    organisation name, looked up in this statement only. `list_limit` caps how
    many invitations of one batch are named (the page); None names all (the CSV).
    """
    events = list(events)
    zone = statement_zone(statement)
    names = _names(statement, events)
    return [
        TrailRow(
            id=e.id,
            at=e.at,
            local_time=zone_time(e.at, zone),
            actor=e.actor,
            action=e.action,
            label=action_label(e.action),
            details=describe(e.action, e.detail or {}, names, zone, list_limit=list_limit),
        )
        for e in events
    ]


@dataclass(frozen=True)
class _Names:
    signatures: dict[int, str]
    invitations: dict[int, str]


def _id_list(value) -> list[int] | None:
    """A detail value that is a list of row ids, or None."""
    if isinstance(value, list) and all(_is_id(v) for v in value):
        return value
    return None


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _names(statement, events) -> _Names:
    signature_ids: set[int] = set()
    invitation_ids: set[int] = set()
    for e in events:
        detail = e.detail or {}
        if _is_id(detail.get("signature")):
            signature_ids.add(detail["signature"])
        if _is_id(detail.get("invitation")):
            invitation_ids.add(detail["invitation"])
        signature_ids.update(_id_list(detail.get("signatures")) or ())
        invitation_ids.update(_id_list(detail.get("ids")) or ())
    signatures = invitations = {}
    if signature_ids:
        signatures = dict(
            db.session.execute(
                select(Signature.id, Signature.name).where(
                    Signature.statement_id == statement.id, Signature.id.in_(signature_ids)
                )
            ).all()
        )
    if invitation_ids:
        invitations = dict(
            db.session.execute(
                select(Invitation.id, Invitation.organisation).where(
                    Invitation.statement_id == statement.id, Invitation.id.in_(invitation_ids)
                )
            ).all()
        )
    return _Names(signatures, invitations)


def _named(name: str | None, what: str, number) -> str:
    return f"{name} ({what} {number})" if name else f"{what} {number}"


def _named_list(ids: list[int], names: dict[int, str], what: str, limit: int | None) -> str:
    shown = ids if limit is None else ids[:limit]
    text = ", ".join(_named(names.get(i), what, i) for i in shown)
    more = len(ids) - len(shown)
    return text + (f" and {more} more" if more else "")


def describe(
    action: str, detail: dict, names: _Names, zone: tzinfo, *, list_limit: int | None = None
) -> list[str]:
    """An event's detail as short phrases, what it was about first."""
    parts: list[str] = []
    used: set[str] = set()
    noun = COUNTED.get(action)
    if noun and _is_id(detail.get("count")):
        count = detail["count"]
        parts.append(f"{count} {noun}{'' if count == 1 else 's'}")
        used.add("count")
    if _is_id(detail.get("signature")):
        number = detail["signature"]
        parts.append(_named(names.signatures.get(number), "signature", number))
        used.add("signature")
    if (ids := _id_list(detail.get("signatures"))) is not None:
        parts.append(_named_list(ids, names.signatures, "signature", list_limit))
        used.add("signatures")
    if _is_id(detail.get("invitation")):
        number = detail["invitation"]
        parts.append(_named(names.invitations.get(number), "invitation", number))
        used.add("invitation")
    if (ids := _id_list(detail.get("ids"))) is not None:
        parts.append(_named_list(ids, names.invitations, "invitation", list_limit))
        used.add("ids")
    if isinstance(detail.get("before"), dict) and isinstance(detail.get("after"), dict):
        parts.extend(_changes(detail["before"], detail["after"]))
        used.update(("before", "after"))
    ordered = [key for key in DETAIL_LABELS if key in detail]
    rest = sorted(key for key in detail if key not in DETAIL_LABELS)
    for key in ordered + rest:
        value = detail[key]
        if key in used or value == "":
            continue
        if key in MOMENTS:
            given, missing = MOMENTS[key]
            parts.append(f"{given} {_when(value, zone)}" if value else missing)
            continue
        label = DETAIL_LABELS.get(key, key.replace("_", " "))
        parts.append(f"{label}: {_text(value)}")
    return parts


def _changes(before: dict, after: dict) -> list[str]:
    changed = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old != new:
            changed.append(f"{key.replace('_', ' ')}: “{_text(old)}” → “{_text(new)}”")
    return changed or ["no visible change"]


def _when(value, zone: tzinfo) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return zone_time(moment, zone)


def _text(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)
