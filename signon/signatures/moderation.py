"""The team's decisions on entries: approve or reject an open-call signature, and
correct how an entry prints. Each records itself and announces a list change."""

from __future__ import annotations

from flask_babel import gettext as _

from ..audit.models import record, user_actor
from ..columns import utcnow
from ..mail.compose import queue_mail
from ..signatory_fields import PRINTED_FIELDS, entry_values
from .consent import consent_floor, covers_current
from .links import manage_link
from .list_changes import list_changed
from .models import Signature, SignatureState
from .names import name_key
from .reconfirm import ask_to_reconfirm
from .sign_on import SigningError


def approve(signature: Signature, *, actor) -> None:
    """The team accepts a verified open-call signature (not committed)."""
    if signature.state is not SignatureState.PENDING:
        raise SigningError(_("Only a verified signature waiting for approval can be approved."))
    signature.state = SignatureState.SIGNED
    signature.decided_at = utcnow()
    signature.decided_by_id = actor.id
    record(signature.statement_id, user_actor(actor), "signature approved", signature=signature.id)
    if not covers_current(signature, consent_floor(signature.statement)):
        # The text changed substantively after they signed: approved, but listed
        # only once they confirm the new text; the email asks them to.
        ask_to_reconfirm(signature)
    elif signature.reply_address:  # a contact changed since and not confirmed: no mail
        queue_mail(
            "approved",
            signature.reply_address,
            statement_id=signature.statement_id,
            statement=signature.statement,
            signature=signature,
            link=manage_link(signature),
        )
    list_changed(signature.statement, user_actor(actor), "late signature approved")


def reject(signature: Signature, *, actor, reason: str) -> None:
    """The team declines a signature; the reason stays with the team."""
    if signature.state not in (SignatureState.PENDING, SignatureState.UNVERIFIED):
        raise SigningError(_("Only a signature waiting for approval can be rejected."))
    signature.state = SignatureState.REJECTED
    signature.decided_at = utcnow()
    signature.decided_by_id = actor.id
    signature.rejection_reason = reason
    record(signature.statement_id, user_actor(actor), "signature rejected", signature=signature.id)


def edit_display(
    signature: Signature, *, actor, listed_publicly: bool | None = None, **printed: str
) -> None:
    """The team corrects how an entry prints (not committed); the change is recorded.

    `printed` holds any of the printed fields (name, acronym, country, note);
    `listed_publicly` whether the entry is named or counted. What is not given
    stays as it is."""
    unknown = set(printed) - set(PRINTED_FIELDS)
    if unknown:
        raise TypeError(f"not a printed field: {', '.join(sorted(unknown))}")
    fields = (*PRINTED_FIELDS, "listed_publicly")
    before = entry_values(signature, fields)
    after = {**before, **printed}
    if listed_publicly is not None:
        after["listed_publicly"] = listed_publicly
    if before == after:
        return
    was_named = signature.listed_publicly
    for key, value in after.items():
        setattr(signature, key, value)
    signature.name_key = name_key(signature.name)
    signature.updated_at = utcnow()
    if was_named and signature.listed_publicly:
        change = {"before": before, "after": after}
    else:
        # Not named, before or after: audit rows are never edited or purged, so
        # they keep which fields changed, not the names themselves. A signer who
        # moves to "counted" would otherwise leave their name beside that wish.
        change = {"changed": [key for key in fields if before[key] != after[key]]}
    record(
        signature.statement_id,
        user_actor(actor),
        "signature edited by team",
        signature=signature.id,
        **change,
    )
    list_changed(signature.statement, user_actor(actor), "entry corrected by the team")
