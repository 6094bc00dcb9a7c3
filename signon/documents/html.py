"""The document model as HTML: the team's preview, the signer's page, the public
page and the PDF all use this, then nh3 as a last line of defence."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from ..i18n import translate
from .markdown import sanitise
from .model import (
    Block,
    CodeBlock,
    Footnote,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Table,
    Text,
    parse_body,
    top_heading_level,
)


def inline_html(inlines: tuple[Inline, ...]) -> str:
    out = []
    for item in inlines:
        if isinstance(item, Text):
            html = str(escape(item.text))
            if item.code:
                html = f"<code>{html}</code>"
            if item.strike:
                html = f"<del>{html}</del>"
            if item.italic:
                html = f"<em>{html}</em>"
            if item.bold:
                html = f"<strong>{html}</strong>"
            out.append(html)
        elif isinstance(item, Link):
            out.append(f'<a href="{escape(item.href)}">{inline_html(item.children)}</a>')
        elif isinstance(item, FootnoteRef):
            n = item.number
            out.append(f'<sup class="footnote-ref"><a href="#fn{n}" id="fnref{n}">{n}</a></sup>')
        elif isinstance(item, LineBreak):
            out.append("<br>")
    return "".join(out)


def block_html(block: Block, top: int = 1) -> str:
    """One block; `top` is the shallowest heading level of the body, which becomes
    h2 (the statement's title is the page's h1), as it becomes Heading 1 in the DOCX."""
    if isinstance(block, Heading):
        level = min(max(block.level - top + 2, 2), 6)
        return f"<h{level}>{inline_html(block.inlines)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{inline_html(block.inlines)}</p>"
    if isinstance(block, ListBlock):
        items = "".join(f"<li>{_item_html(item, block.tight, top)}</li>" for item in block.items)
        if block.ordered:
            start = f' start="{block.start}"' if block.start != 1 else ""
            return f"<ol{start}>{items}</ol>"
        return f"<ul>{items}</ul>"
    if isinstance(block, Quote):
        return f"<blockquote>{blocks_html(block.blocks, top)}</blockquote>"
    if isinstance(block, Table):
        return _table_html(block)
    if isinstance(block, CodeBlock):
        return f"<pre><code>{escape(block.text)}</code></pre>"
    if isinstance(block, Rule):
        return "<hr>"
    return ""


def _item_html(blocks: tuple[Block, ...], tight: bool, top: int) -> str:
    if tight:
        return "".join(
            inline_html(b.inlines) if isinstance(b, Paragraph) else block_html(b, top)
            for b in blocks
        )
    return blocks_html(blocks, top)


def _cell(tag: str, inlines, align: str) -> str:
    attr = f' class="align-{align}"' if align else ""
    return f"<{tag}{attr}>{inline_html(inlines)}</{tag}>"


def _table_html(table: Table) -> str:
    align = list(table.align) + [""] * 50
    head = "".join(_cell("th", cell, align[i]) for i, cell in enumerate(table.header))
    rows = "".join(
        "<tr>" + "".join(_cell("td", cell, align[i]) for i, cell in enumerate(row)) + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def blocks_html(blocks: tuple[Block, ...], top: int = 1) -> str:
    return "".join(block_html(block, top) for block in blocks)


def footnotes_html(footnotes: tuple[Footnote, ...], language: str = "en") -> str:
    if not footnotes:
        return ""
    back = escape(translate(language, "Back to the text"))
    items = "".join(
        f'<li id="fn{f.number}">{blocks_html(f.blocks)} '
        f'<a href="#fnref{f.number}" class="footnote-back" aria-label="{back}">↩</a></li>'
        for f in footnotes
    )
    return f'<section class="footnotes"><ol>{items}</ol></section>'


def body_html(
    blocks: tuple[Block, ...], footnotes: tuple[Footnote, ...], language: str = "en"
) -> Markup:
    """The statement's body (without its title) as safe HTML; `language` names the
    footnotes' way back to the text."""
    top = top_heading_level(blocks)
    # Every text was escaped above and nh3 cleans the whole once more.
    notes = footnotes_html(footnotes, language)
    return Markup(sanitise(blocks_html(blocks, top) + notes))  # noqa: S704


@lru_cache(maxsize=64)
def render_html(markdown: str, language: str = "en") -> str:
    """Markdown to sanitised HTML, through the document model (cached: versions
    never change, and every signer of a statement reads the same text)."""
    return str(body_html(*parse_body(markdown), language))
