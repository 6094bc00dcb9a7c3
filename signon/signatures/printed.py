"""How one entry prints, for the pages that preview it (sign, manage, the team's
correction form): the documents' own functions, so a preview never differs from
the PDF, DOCX and text exports."""

from __future__ import annotations

from dataclasses import dataclass

from ..documents.plain_text import signatory_line
from .listing import as_signatory
from .models import Signature


@dataclass(frozen=True)
class PrintedAs:
    line: str  # the entry as the list prints it, when named
    named: bool  # False: counted in the closing "and N other ..." sentence instead
    individual: bool


def printed_as(signature: Signature) -> PrintedAs:
    """The line a signature prints as, country included, or that it is counted."""
    return PrintedAs(
        line=signatory_line(as_signatory(signature)),
        named=signature.listed_publicly,
        individual=not signature.is_organisation,
    )
