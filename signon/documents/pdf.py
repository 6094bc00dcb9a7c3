"""The document model as a PDF, through WeasyPrint, in a child process with a time limit.

See docs/architecture.md, PDF rendering.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..languages import label_direction
from ..paths import TEMPLATES
from .html import body_html
from .labels import (
    date_line,
    fingerprint_line,
    list_updated_line,
    page_number_css,
)
from .model import Document, build_document
from .render_child import RenderChild
from .signatories import Signatory, SignatorySection
from .weasyprint_html import BUNDLED, pdf_from_html

TEMPLATE = "documents/statement.html"
STYLESHEET = BUNDLED / "print.css"
PAGE_SIZES = ("A4", "Letter")
TWO_COLUMNS_OVER = 20  # a list of more names than this is set in two columns
DEFAULT_SECONDS = 60.0
LOGGER = logging.getLogger(__name__)


# HTML -------------------------------------------------------------------------
@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["label_direction"] = label_direction
    return environment


@cache
def _stylesheet() -> Markup:
    # Our own file, inlined so that the HTML stands alone (`signon render --html`).
    # It must not be escaped: entities are not decoded inside <style>.
    return Markup(STYLESHEET.read_text(encoding="utf-8"))  # noqa: S704


def statement_html(document: Document, *, page_size: str = "A4") -> str:
    """The print HTML of a statement: the one template, escaped, with our CSS."""
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    created = document.date or dt.datetime.now(dt.UTC).date().isoformat()
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            document=document,
            section=document.signatories,
            body=body_html(document.blocks, document.footnotes, document.language),
            stylesheet=_stylesheet(),
            page_size=page_size,
            created=created,
            modified=document.list_updated,
            date_text=date_line(document),
            updated_text=list_updated_line(document),
            fingerprint_text=fingerprint_line(document),
            page_number_css=Markup(page_number_css(document.language)),  # noqa: S704 (quoted)
            two_columns_over=TWO_COLUMNS_OVER,
        )
    )


# PDF --------------------------------------------------------------------------
def render_pdf(document: Document, *, page_size: str = "A4") -> bytes:
    """The statement as PDF bytes, in this process (no time limit)."""
    return pdf_from_html(statement_html(document, page_size=page_size))


def render_pdf_with_time_limit(
    document: Document,
    *,
    page_size: str = "A4",
    seconds: float = DEFAULT_SECONDS,
) -> bytes:
    """`render_pdf` in a child process that is killed after `seconds`.

    Raises RenderError on timeout, when the child fails or dies, or when it cannot
    be started. See render_child.start_method for how the child is made.
    """
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    return render_with_time_limit(render_pdf, document, seconds=seconds, page_size=page_size)


def render_with_time_limit(
    render,
    document: Document,
    *,
    seconds: float = DEFAULT_SECONDS,
    **options,
) -> bytes:
    """`render(document, **options)` in a child process that is killed after `seconds`
    (any of our renderers: the PDF here, the DOCX too). `render` must be a
    module-level function, so the child can find it. A forked child inherits
    WeasyPrint and its fonts, loaded once in this (long-lived) process first;
    `signon render`, which renders once, starts its own RenderChild instead."""
    return RenderChild(before_fork=_warmed_up).render(render, document, seconds=seconds, **options)


@cache
def _warmed_up() -> None:
    warm_up()


def warm_up() -> None:
    """Import WeasyPrint and load the usual fonts and hyphenation patterns in this
    process, for every forked child to inherit."""
    section = SignatorySection(
        intro="Signed by:",
        organisations=[Signatory(name="Ελληνική · Русская · العربية", acronym="X")],
        anonymous_sentence="and 1 other organisation that asked not to be named",
    )
    body = "Statement *text* with **bold**, `code` and hyphenation.\n\n## Heading\n"
    try:
        render_pdf(build_document(title="Warm-up", body=body, language="en", signatories=section))
    except Exception:
        # Only a head start: a real problem shows again, and is reported, in the child.
        LOGGER.warning("warming up the PDF renderer failed", exc_info=True)
