"""The one document model: a statement as plain data, built once from Markdown.

The public page, the PDF, the DOCX, the text and Markdown downloads, the CSV and
the JSON are all views of a `Document`; none of them parses Markdown again.
Only safe content gets in: links keep http, https and mailto targets only,
images become their alt text, and raw HTML is dropped (markdown-it tokenises it
so that the model can leave it out, scripts and styles included), so no view can
be handed a script or a style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown_it.tree import SyntaxTreeNode

from ..languages import direction
from .markdown import parser
from .signatories import SignatorySection

SAFE_SCHEMES = {"http", "https", "mailto"}
RAW_TEXT_OPEN = re.compile(r"<\s*(script|style|textarea|title)\b", re.IGNORECASE)
RAW_TEXT_CLOSE = re.compile(r"<\s*/\s*(script|style|textarea|title)\b", re.IGNORECASE)


# Inline content ---------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False


@dataclass(frozen=True)
class Link:
    href: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class FootnoteRef:
    number: int


@dataclass(frozen=True)
class LineBreak:
    pass


Inline = Text | Link | FootnoteRef | LineBreak


# Blocks -----------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    level: int
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    start: int = 1
    tight: bool = True  # items are single lines, not paragraphs


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    align: tuple[str, ...] = ()  # "left" | "center" | "right" | "" per column


@dataclass(frozen=True)
class CodeBlock:
    text: str


@dataclass(frozen=True)
class Rule:
    pass


Block = Heading | Paragraph | ListBlock | Quote | Table | CodeBlock | Rule


@dataclass(frozen=True)
class Footnote:
    number: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """Everything a rendered statement shows."""

    title: str
    language: str
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...]
    signatories: SignatorySection
    date: str = ""  # ISO date: the publication day, or the planned one (date_planned)
    date_planned: bool = False  # not yet published: `date` is the day planned for it
    version_number: int = 0
    sha256: str = ""
    author: str = ""  # the lead organisations, for the PDF metadata
    list_updated: str = ""  # ISO date of a list change after publication
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def direction(self) -> str:
        return direction(self.language)

    @property
    def fingerprint(self) -> str:
        return self.sha256[:12]

    @property
    def short_title(self) -> str:
        """The running header: the title, cut at a word near 60 characters."""
        if len(self.title) <= 60:
            return self.title
        return self.title[:60].rsplit(" ", 1)[0] + "…"


# Building ---------------------------------------------------------------------
def parse_body(markdown: str) -> tuple[tuple[Block, ...], tuple[Footnote, ...]]:
    """Markdown -> (blocks, footnotes), with the project's one parser."""
    root = SyntaxTreeNode(parser().parse(markdown))
    builder = _Builder()
    blocks = tuple(b for node in root.children if (b := builder.block(node)) is not None)
    return blocks, tuple(builder.footnotes)


def build_document(
    *,
    title: str,
    body: str,
    language: str,
    signatories: SignatorySection,
    date: str = "",
    date_planned: bool = False,
    version_number: int = 0,
    sha256: str = "",
    author: str = "",
    list_updated: str = "",
) -> Document:
    """The document for a statement's text and its signatory section."""
    blocks, footnotes = parse_body(body)
    return Document(
        title=title,
        language=language,
        blocks=blocks,
        footnotes=footnotes,
        signatories=signatories,
        date=date,
        date_planned=date_planned,
        version_number=version_number,
        sha256=sha256,
        author=author,
        list_updated=list_updated,
    )


def safe_href(href: str) -> str | None:
    """The link target if its scheme is http, https or mailto; else None."""
    scheme = urlsplit(href.strip()).scheme.lower()
    return href.strip() if scheme in SAFE_SCHEMES else None


class _Builder:
    def __init__(self):
        self._skipping = False
        self.footnotes: list[Footnote] = []
        self._numbers: dict[int, int] = {}  # markdown-it footnote id -> printed number

    def _number(self, footnote_id: int) -> int:
        if footnote_id not in self._numbers:
            self._numbers[footnote_id] = len(self._numbers) + 1
        return self._numbers[footnote_id]

    def blocks(self, nodes) -> tuple[Block, ...]:
        return tuple(b for node in nodes if (b := self.block(node)) is not None)

    def block(self, node: SyntaxTreeNode) -> Block | None:
        kind = node.type
        if kind == "heading":
            return Heading(int(node.tag[1]), self.inlines(node.children[0]))
        if kind == "paragraph":
            return Paragraph(self.inlines(node.children[0]))
        if kind in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1)) if kind == "ordered_list" else 1
            items = tuple(self.blocks(item.children) for item in node.children)
            tight = all(
                child.hidden
                for item in node.children
                for child in item.children
                if child.type == "paragraph"
            )
            return ListBlock(kind == "ordered_list", items, start, tight)
        if kind == "blockquote":
            return Quote(self.blocks(node.children))
        if kind == "table":
            return self._table(node)
        if kind in ("fence", "code_block"):
            return CodeBlock(node.content.rstrip("\n"))
        if kind == "hr":
            return Rule()
        if kind == "footnote_block":
            for footnote in node.children:
                number = self._number(footnote.meta["id"])
                self.footnotes.append(Footnote(number, self.blocks(footnote.children)))
            self.footnotes.sort(key=lambda f: f.number)
            return None
        return None  # html_block cannot occur (HTML is off); anything else is dropped

    def _table(self, node: SyntaxTreeNode) -> Table:
        header: tuple = ()
        rows: list = []
        align: list[str] = []
        for section in node.children:
            for row in section.children:
                cells = tuple(
                    self.inlines(cell.children[0]) if cell.children else () for cell in row.children
                )
                if section.type == "thead":
                    header = cells
                    align = [_alignment(cell.attrs.get("style", "")) for cell in row.children]
                else:
                    rows.append(cells)
        return Table(header, tuple(rows), tuple(align))

    def inlines(self, inline: SyntaxTreeNode) -> tuple[Inline, ...]:
        self._skipping = False
        out: list[Inline] = []
        self._walk(inline.children, out, bold=False, italic=False, strike=False)
        return tuple(out)

    def _walk(self, nodes, out: list, *, bold: bool, italic: bool, strike: bool) -> None:
        for node in nodes:
            kind = node.type
            if kind == "html_inline":
                # Raw HTML is dropped; what sits between <script> or <style> and its
                # closing tag is dropped with it.
                if RAW_TEXT_OPEN.match(node.content):
                    self._skipping = True
                elif RAW_TEXT_CLOSE.match(node.content):
                    self._skipping = False
                continue
            if self._skipping and kind in ("text", "code_inline", "softbreak"):
                continue
            if kind == "text":
                out.append(Text(node.content, bold, italic, False, strike))
            elif kind == "code_inline":
                out.append(Text(node.content, bold, italic, True, strike))
            elif kind in ("softbreak",):
                out.append(Text(" ", bold, italic, False, strike))
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "strong":
                self._walk(node.children, out, bold=True, italic=italic, strike=strike)
            elif kind == "em":
                self._walk(node.children, out, bold=bold, italic=True, strike=strike)
            elif kind == "s":
                self._walk(node.children, out, bold=bold, italic=italic, strike=True)
            elif kind == "link":
                children: list[Inline] = []
                self._walk(node.children, children, bold=bold, italic=italic, strike=strike)
                href = safe_href(str(node.attrs.get("href", "")))
                if href:
                    out.append(Link(href, tuple(children)))
                else:
                    out.extend(children)
            elif kind == "image":
                alt = "".join(c.content for c in node.children if c.type == "text")
                if alt:
                    out.append(Text(alt, bold, italic, False, strike))
            elif kind == "footnote_ref":
                out.append(FootnoteRef(self._number(node.meta["id"])))
            elif node.children:
                self._walk(node.children, out, bold=bold, italic=italic, strike=strike)


def _alignment(style: str) -> str:
    for value in ("left", "center", "right"):
        if f"text-align:{value}" in style.replace(" ", ""):
            return value
    return ""


def top_heading_level(blocks) -> int:
    """The shallowest heading level in the body (quotes included), 1 if none: it
    prints as the first level under the title in every view."""
    return min(_heading_levels(blocks), default=1)


def _heading_levels(blocks):
    for block in blocks:
        if isinstance(block, Heading):
            yield block.level
        elif isinstance(block, Quote):
            yield from _heading_levels(block.blocks)


def plain_text(inlines) -> str:
    """The text of inline content, links as their text, footnote refs as [n]."""
    parts = []
    for item in inlines:
        if isinstance(item, Text):
            parts.append(item.text)
        elif isinstance(item, Link):
            parts.append(plain_text(item.children))
        elif isinstance(item, FootnoteRef):
            parts.append(f"[{item.number}]")
        elif isinstance(item, LineBreak):
            parts.append("\n")
    return "".join(parts)
