"""Which signatures make the final list, as the signatory section prints it."""

from __future__ import annotations

from sqlalchemy import select

from ..documents.signatories import Signatory, SignatorySection, build_section
from ..extensions import db
from ..signatory_fields import PRINTED_FIELDS, entry_values
from ..statements.models import Statement
from .consent import in_final_list
from .models import Signature


def listed_signatures(statement: Statement) -> list[Signature]:
    """Signatures that appear in the final documents: those signed (or approved)
    whose consent covers the current text (see consent.py for the rule)."""
    return list(
        db.session.scalars(
            select(Signature)
            .where(in_final_list(statement))
            # Ties in position (two sign-ons at the same moment) keep arrival order.
            .order_by(Signature.position, Signature.id)
        )
    )


def as_signatory(signature: Signature) -> Signatory:
    """A signature as the document model sees it: display fields only, no contacts."""
    return Signatory(
        **entry_values(signature, PRINTED_FIELDS),
        kind=signature.kind.value,
        listed=signature.listed_publicly,
        position=signature.position,
        signed_at=signature.signed_at.isoformat(),
        names=tuple(sorted((signature.other_names or {}).items())),
    )


def final_section(statement: Statement) -> SignatorySection:
    """The signatory section exactly as the documents print it."""
    return build_section(
        (as_signatory(s) for s in listed_signatures(statement)),
        order=statement.signatory_order.value,
        language=statement.language,
        intro=statement.signatories_intro,
    )
