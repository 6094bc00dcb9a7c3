"""Markdown to safe HTML: markdown-it-py, the document model, then nh3.

Raw HTML never reaches any output. markdown-it tokenises it (so that it can be
recognised) and the document model drops those tokens, script and style
contents included; with raw HTML merely "off", markdown-it would print
`<script>...</script>` as visible text in the statement instead. The same model
feeds the page, the PDF and the DOCX, so what a signer reads is what is printed.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "section", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class", "aria-label"},
    "li": {"id"},
    "ol": {"start"},
    "sup": {"id", "class"},
    "section": {"class"},
    "th": {"class"},
    "td": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def parser() -> MarkdownIt:
    """The one Markdown parser: CommonMark, tables, strikethrough and footnotes.
    Raw HTML is tokenised only so that the document model can drop it."""
    return (
        MarkdownIt("commonmark", {"html": True, "linkify": False})
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
