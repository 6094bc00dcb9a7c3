"""How the audit trail reads, on its page and in its CSV: labels for actions and
details, times in the statement's zone, signatures and invitations named by what
they are called now (looked up, never stored in the event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, pgettext
from sqlalchemy import select

from ..documents.csv import COLUMN_LABELS
from ..extensions import db
from ..locale_choice import current_language
from ..signatures.models import Invitation, Signature
from ..times import zone_of, zone_time

ACTION_LABELS = {
    "version saved": _l("Text saved as a new version"),
    "translation saved": _l("Translation saved as a new version"),
    "translation dropped": _l("Translation dropped"),
    "authoritative text changed": _l("Which text is authoritative changed"),
    "lead organisations changed": _l("Lead organisations changed"),
    "opened for signatures": _l("Opened for signatures"),
    "closed": _l("Closed for signatures"),
    "closed by deadline": _l("Closed by its deadline"),
    "reopened": _l("Reopened for signatures"),
    "published": _l("Published"),
    "embargo moved": _l("Publication moved to another time"),
    "published now": _l("Published now, before the embargo ended"),
    "publication cancelled": _l("Publication cancelled: back to closed, nothing made public"),
    "live list on": _l("Live list turned on: the names are public before publication"),
    "live list off": _l("Live list turned off: the names are private until publication"),
    "list updated": _l("Published list updated"),
    "invitations sent": _l("Invitations sent"),
    "invitation re-sent": _l("Invitation sent again with a new link"),
    "invitation revoked": _l("Invitation revoked"),
    "reminders sent": _l("Reminders sent"),
    "signature saved": _l("Signed through the invitation link"),
    "signature updated by signer": _l("Entry changed by the signer"),
    "signature withdrawn": _l("Signature withdrawn"),
    "signature restored": _l("Signed again after withdrawing"),
    "email verified": _l("Signer confirmed their email address"),
    "signature approved": _l("Signature approved"),
    "signature rejected": _l("Signature rejected"),
    "signature edited by team": _l("Entry corrected by the team"),
    "reconfirmation requested": _l("Signers asked to re-confirm the new text"),
    "reconfirmation reminders sent": _l("Signers reminded to re-confirm"),
    "consent confirmed": _l("Signer confirmed the new text"),
    "contacts purged": _l("Signers' contact data purged"),
    "member added": _l("Team member added"),
    "member role changed": _l("Team member's role changed"),
    "member removed": _l("Team member removed"),
    "team invitation sent": _l("Team invitation sent"),
    "team invitation accepted": _l("Team invitation accepted: joined the team"),
    "team invitation revoked": _l("Team invitation revoked"),
}

# Actions whose detail counts something (what: see _counted).
COUNTED = frozenset({"invitations sent", "reminders sent", "reconfirmation reminders sent"})

# Detail keys shown in this order (then any other key, by name), with their label.
DETAIL_LABELS = {
    "member": _l("member"),
    "lead_organisations": _l("lead organisations"),
    "role": _l("role"),
    "previous": _l("previous role"),
    "number": _l("version"),
    "kind": _l("change"),
    "version": _l("text version"),
    "previous_version": _l("previously signed version"),
    "edition": _l("edition"),
    "listed": _l("named signatories"),
    "anonymous": _l("anonymous signatories"),
    "deadline": _l("deadline"),
    "embargo_until": _l("embargo"),
    "previous_embargo": _l("previous embargo"),
    "editions": _l("editions undone"),
    "status": _l("status"),
    "note": _l("note"),
    "reason": _l("reason"),
    "count": _l("count"),
    "language": _l("language"),
    "master_version": _l("text version translated"),
    "all_languages": _l("every language authoritative"),
}

# Details that hold a UTC time (ISO text): shown in the statement's time zone.
MOMENTS = frozenset({"deadline", "embargo_until", "previous_embargo"})


def action_label(action: str) -> str:
    """The action as people read it; an action without a label shows by its name."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


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
            local_time=zone_time(e.at, zone, current_language()),
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
    """'Article 19 (signature 12)', or 'signature 12' for a row without a name;
    `what` is "signature" or "invitation"."""
    if what == "signature":
        if name:
            return _("%(name)s (signature %(number)s)", name=name, number=number)
        return _("signature %(number)s", number=number)
    if name:
        return _("%(name)s (invitation %(number)s)", name=name, number=number)
    return _("invitation %(number)s", number=number)


def _named_list(ids: list[int], names: dict[int, str], what: str, limit: int | None) -> str:
    shown = ids if limit is None else ids[:limit]
    text = ", ".join(_named(names.get(i), what, i) for i in shown)
    more = len(ids) - len(shown)
    if not more:
        return text
    return ngettext("%(names)s and %(num)s more", "%(names)s and %(num)s more", more, names=text)


def _counted(action: str, count: int) -> str:
    """The count of an action that counts: '3 invitations', '1 partner'."""
    if action == "invitations sent":
        return ngettext("%(num)s invitation", "%(num)s invitations", count)
    if action == "reminders sent":
        return ngettext("%(num)s partner", "%(num)s partners", count)
    return ngettext("%(num)s signer", "%(num)s signers", count)


def _moment(key: str, value, zone: tzinfo) -> str:
    """A detail holding a time (MOMENTS), or its absence, as a phrase."""
    if key == "deadline":
        if not value:
            return _("no deadline")
        return _("deadline %(when)s", when=_when(value, zone))
    if not value:
        return _("no embargo")
    if key == "embargo_until":
        return _("embargoed until %(when)s", when=_when(value, zone))
    return _("previously scheduled for %(when)s", when=_when(value, zone))


def _value(key: str, value) -> str:
    """A detail's value; the codes of roles, statuses, change kinds and reasons
    in the page's language (stored in English)."""
    if isinstance(value, str):
        if key in ("role", "previous"):
            words = {
                "owner": pgettext("team role", "owner"),
                "editor": pgettext("team role", "editor"),
                "viewer": pgettext("team role", "viewer"),
            }
            return words.get(value, value)
        if key == "status":
            words = {
                "draft": pgettext("statement status", "draft"),
                "open": pgettext("statement status", "open"),
                "closed": pgettext("statement status", "closed"),
                "published": pgettext("statement status", "published"),
            }
            return words.get(value, value)
        if key == "kind":
            words = {
                "initial": pgettext("change kind", "initial"),
                "minor": pgettext("change kind", "minor"),
                "substantive": pgettext("change kind", "substantive"),
            }
            return words.get(value, value)
        if key == "reason":
            words = {
                "signature withdrawn": _("signature withdrawn"),
                "late signature approved": _("late signature approved"),
                "entry corrected by the team": _("entry corrected by the team"),
                "list reordered": _("list reordered"),
            }
            return words.get(value, value)
    return _text(value)


def describe(
    action: str, detail: dict, names: _Names, zone: tzinfo, *, list_limit: int | None = None
) -> list[str]:
    """An event's detail as short phrases, what it was about first."""
    parts: list[str] = []
    used: set[str] = set()
    if action in COUNTED and _is_id(detail.get("count")):
        parts.append(_counted(action, detail["count"]))
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
            parts.append(_moment(key, value, zone))
            continue
        label = DETAIL_LABELS.get(key) or _field_label(key)
        parts.append(_("%(label)s: %(value)s", label=label, value=_value(key, value)))
    return parts


def _field_label(key: str) -> str:
    """A signatory field as the CSV's header names it, in the page's language."""
    label = COLUMN_LABELS.get(key)
    return _(label) if label else key.replace("_", " ")


def _changes(before: dict, after: dict) -> list[str]:
    changed = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old != new:
            changed.append(
                _(
                    "%(field)s: “%(old)s” → “%(new)s”",
                    field=_field_label(key),
                    old=_text(old),
                    new=_text(new),
                )
            )
    return changed or [_("no visible change")]


def _when(value, zone: tzinfo) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return zone_time(moment, zone, current_language())


def _text(value) -> str:
    if value is None:
        return _("none")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)
