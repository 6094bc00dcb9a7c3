"""The agreed order of a statement's list, and the team's changes to it.

See docs/architecture.md, The agreed order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from ..audit.models import record, user_actor
from ..extensions import db
from ..locale_choice import current_language
from ..statements.models import SignatoryOrder, Statement
from ..times import babel_locale
from .list_changes import list_changed
from .models import Invitation, Signature

# How the list prints when it does not print as listed, one whole sentence per
# ordering (word order differs across languages). On the order form:
ORDER_NOTES = {
    SignatoryOrder.ALPHABETICAL: _l(
        "The list prints in alphabetical order, so the order below does not show in the "
        "documents: a manual order applies only with “As listed”. Saving an order switches "
        "the list to “As listed”."
    ),
    SignatoryOrder.SIGNED_AT: _l(
        "The list prints in the order of signing, so the order below does not show in the "
        "documents: a manual order applies only with “As listed”. Saving an order switches "
        "the list to “As listed”."
    ),
}
# For members who cannot change the order:
ORDER_HINTS = {
    SignatoryOrder.ALPHABETICAL: _l(
        "The list prints in alphabetical order; the positions below apply only with “As listed”."
    ),
    SignatoryOrder.SIGNED_AT: _l(
        "The list prints in the order of signing; the positions below apply only with “As listed”."
    ),
}
# After a saved order replaced the ordering setting:
SWITCHED_FROM = {
    SignatoryOrder.ALPHABETICAL: _l(
        "The list now prints in this order (“As listed”); it printed in alphabetical order."
    ),
    SignatoryOrder.SIGNED_AT: _l(
        "The list now prints in this order (“As listed”); it printed in the order of signing."
    ),
}


if TYPE_CHECKING:
    from ..publication.models import Edition


@dataclass(frozen=True)
class Reordered:
    """What a saved order did."""

    changed: bool
    switched_from: SignatoryOrder | None = None  # the ordering setting it replaced
    edition: Edition | None = None  # the published list's new edition, if any


class OrderError(ValueError):
    """An order that cannot be saved, with a message for people. Nothing was saved."""

    status = 400


class StaleOrder(OrderError):
    """The list changed after the order form was made."""

    status = 409


def _lock(statement: Statement) -> None:
    db.session.execute(select(Statement.id).where(Statement.id == statement.id).with_for_update())


def position_after_all(statement: Statement) -> int:
    """The first position after every signature and invitation of the statement,
    with the statement's row locked until the transaction ends (not committed)."""
    _lock(statement)
    last = [
        db.session.scalar(
            select(func.max(model.position)).where(model.statement_id == statement.id)
        )
        for model in (Signature, Invitation)
    ]
    return max(value or 0 for value in last) + 1


def ordered_signatures(statement: Statement) -> list[Signature]:
    """Every signature of the statement, in the agreed order."""
    return list(
        db.session.scalars(
            select(Signature)
            .where(Signature.statement_id == statement.id)
            .order_by(Signature.position, Signature.id)
        )
    )


def positions_from_form(formdata: Mapping[str, str]) -> dict[int, str]:
    """The `position-<signature id>` fields of an order form, values as typed."""
    positions = {}
    for key in formdata:
        if not key.startswith("position-"):
            continue
        raw_id = key.removeprefix("position-")
        if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 18:
            raise OrderError(_("The order form names an entry that is not on this list."))
        positions[int(raw_id)] = formdata[key]
    return positions


def reorder(
    statement: Statement,
    positions: Mapping[int, int | str],
    *,
    actor,
    revision: int,
    move: tuple[int, int] | None = None,
) -> Reordered:
    """Put the statement's signatures in the order `positions` gives (signature id
    -> place, 1 for the first), then move one entry a step if `move` says so
    ((signature id, -1 up or +1 down)). Not committed.

    `revision` is the list revision the form was made from: a list changed since
    raises StaleOrder. A position out of range, twice the same position, an entry
    missing or not of this statement, or not a number raises OrderError. Either
    way nothing is saved. Saving an order also makes the list print in it ("as
    listed"). A change is audited, and after publication the next edition follows
    as for any list change.
    """
    _lock(statement)
    current = db.session.scalar(select(Statement.list_revision).where(Statement.id == statement.id))
    if revision != current:
        raise StaleOrder(
            _(
                "The list changed after you opened this page (someone signed, or another "
                "member changed it). Here is the list as it is now: arrange it again."
            )
        )
    signatures = ordered_signatures(statement)
    order = _checked_order(signatures, positions)
    if move is not None:
        order = _moved(order, *move)
    before = statement.signatory_order
    if order == signatures and before is SignatoryOrder.AS_LISTED:
        return Reordered(changed=False)
    renumber(statement, order)
    statement.signatory_order = SignatoryOrder.AS_LISTED
    detail = {"order": [signature.id for signature in order]}
    if before is not SignatoryOrder.AS_LISTED:
        detail["ordering"] = {"before": before.value, "after": SignatoryOrder.AS_LISTED.value}
    actor_name = user_actor(actor)
    record(statement.id, actor_name, "list reordered", **detail)
    edition = list_changed(statement, actor_name, "list reordered")
    return Reordered(
        changed=True,
        switched_from=None if before is SignatoryOrder.AS_LISTED else before,
        edition=edition,
    )


def _checked_order(signatures: list[Signature], positions: Mapping[int, int | str]):
    by_id = {signature.id: signature for signature in signatures}
    if set(positions) - set(by_id):
        raise OrderError(
            _(
                "The order names an entry that is not on this list. Reload the page and "
                "arrange the list again."
            )
        )
    missing = [by_id[key] for key in by_id if key not in positions]
    if missing:
        raise OrderError(
            ngettext(
                "The order leaves out %(names)s. Give every entry a position.",
                "The order leaves out %(names)s. Give every entry a position.",
                len(missing),
                names=_names(missing),
            )
        )
    count = len(signatures)
    places: dict[int, Signature] = {}
    for signature in signatures:
        place = _number(positions[signature.id])
        if place is None:
            raise OrderError(
                _(
                    "The position of “%(name)s” is not a whole number. "
                    "Use a number from 1 to %(count)s.",
                    name=signature.name,
                    count=count,
                )
            )
        if not 1 <= place <= count:
            raise OrderError(
                _(
                    "Position %(place)s for “%(name)s” is out of range: "
                    "use a number from 1 to %(count)s.",
                    place=place,
                    name=signature.name,
                    count=count,
                )
            )
        if place in places:
            raise OrderError(
                _(
                    "“%(first)s” and “%(second)s” both have position %(place)s. "
                    "Give each entry its own number from 1 to %(count)s.",
                    first=places[place].name,
                    second=signature.name,
                    place=place,
                    count=count,
                )
            )
        places[place] = signature
    return [places[place] for place in sorted(places)]


def _number(value: int | str) -> int | None:
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    # Past any list's length either way; spares int() a number of thousands of digits.
    return int(text[:12]) if len(text) <= 12 else 10**12


def _names(signatures: list[Signature]) -> str:
    """“A”, “B” and “C”, listed as the page's language lists things."""
    quoted = [_("“%(name)s”", name=signature.name) for signature in signatures]
    return format_list(quoted, locale=babel_locale(current_language()))


def _moved(order: list[Signature], signature_id: int, step: int) -> list[Signature]:
    """One entry a place up (step -1) or down (+1); at either end it stays."""
    index = next((i for i, s in enumerate(order) if s.id == signature_id), None)
    if index is None:
        raise OrderError(_("The entry to move is not on this list. Reload the page."))
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(order):
        return order
    order = list(order)
    order[index], order[target] = order[target], order[index]
    return order


def renumber(statement: Statement, order: list[Signature] | None = None, *, start: int = 1) -> None:
    """Positions start, start+1 … for every entry of the statement: its signatures,
    and the invitations nobody answered yet, in their present order. With `order`
    (every signature of the statement), the signatures take the places signatures
    held in that order, while unanswered invitations keep theirs between them, so a
    partner who signs later still lands where the list put them. A signature's
    invitation takes its signature's place. Not committed."""
    current = ordered_signatures(statement)
    invitations = {
        invitation.id: invitation
        for invitation in db.session.scalars(
            select(Invitation).where(Invitation.statement_id == statement.id)
        )
    }
    answered = {signature.invitation_id for signature in current if signature.invitation_id}
    slots = sorted(
        [(signature.position, 0, signature.id, None) for signature in current]
        + [
            (invitation.position, 1, invitation.id, invitation)
            for invitation in invitations.values()
            if invitation.id not in answered
        ],
        key=lambda slot: slot[:3],
    )
    signatures = iter(current if order is None else order)
    for number, (*_key, invitation) in enumerate(slots, start=start):
        if invitation is not None:
            invitation.position = number
            continue
        signature = next(signatures)
        signature.position = number
        if signature.invitation_id in invitations:
            invitations[signature.invitation_id].position = number
