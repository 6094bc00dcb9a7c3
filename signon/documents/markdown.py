"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3.

The same sanitised HTML feeds the page, the PDF and the DOCX, so what a signer
reads is what gets printed.
"""

from __future__ import annotations

from functools import cache, lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "section", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "li": {"id"},
    "ol": {"start"},
    "sup": {"id"},
    "section": {"class"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def parser() -> MarkdownIt:
    """The one Markdown parser: CommonMark, tables and footnotes, no raw HTML."""
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
    )


def sanitise(html: str) -> str:
    """Keep only the tags, attributes and link schemes listed above."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@lru_cache(maxsize=64)
def render_html(markdown: str) -> str:
    """Markdown to sanitised HTML (cached: versions never change, and every
    signer of a statement reads the same text)."""
    return sanitise(parser().render(markdown))
