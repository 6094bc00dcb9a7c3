"""Plain text and Markdown views of a Document: the .txt and .md downloads.

Both are written from the document model, never by re-reading the statement's
Markdown, so they hold exactly what the page and the PDF show: the same text
(raw HTML and unsafe links already gone), the same list in the same order.
The Markdown is regenerated with every character that Markdown would read as
syntax escaped; parsing it again gives the same document.
"""

from __future__ import annotations

import re

from .labels import date_line, fingerprint_line, list_updated_line
from .model import (
    Block,
    CodeBlock,
    Document,
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
)
from .signatories import Signatory, SignatorySection


def signatory_line(signatory: Signatory) -> str:
    """One entry as the list prints it: `Name (ACRONYM), note (Country)`."""
    return signatory.display + (f" ({signatory.country})" if signatory.country else "")


# Markdown -------------------------------------------------------------------
# Characters that are Markdown syntax wherever they stand.
MD_ALWAYS = re.compile(r"([\\`*_\[\]<|~])")
MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What is syntax only at the start of a line: headings, quotes, list items,
# thematic breaks and setext underlines.
MD_LINE_START = re.compile(r"^([#>+=-])")
MD_ORDERED_START = re.compile(r"^(\d{1,9})([.)])")
STYLE_MARKERS = {"strike": "~~", "bold": "**", "italic": "*"}
STYLE_ORDER = ("strike", "bold", "italic")


def _md_escape(text: str) -> str:
    return MD_ENTITY.sub(r"\\&", MD_ALWAYS.sub(r"\\\1", text))


def _md_line_start(line: str) -> str:
    line = MD_LINE_START.sub(r"\\\1", line)
    return MD_ORDERED_START.sub(r"\1\\\2", line)


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.strip(" ") and (text[0] in " `" or text[-1] in " `"):
        text = f" {text} "  # CommonMark strips one space from each side
    return f"{fence}{text}{fence}"


def _styles(item: Text, inherited: frozenset) -> set[str]:
    return {name for name in STYLE_ORDER if getattr(item, name)} - inherited


def _md_inlines(items: tuple[Inline, ...], inherited: frozenset = frozenset()) -> str:
    """Inline content as Markdown; emphasis opens and closes only where it changes."""
    out: list[str] = []
    stack: list[str] = []  # styles opened here, outermost first

    def move_to(target: set[str]) -> None:
        keep = 0
        while keep < len(stack) and stack[keep] in target:
            keep += 1
        while len(stack) > keep:
            out.append(STYLE_MARKERS[stack.pop()])
        for name in STYLE_ORDER:
            if name in target and name not in stack:
                stack.append(name)
                out.append(STYLE_MARKERS[name])

    line_start = True
    for item in _merged(items):
        if isinstance(item, Text):
            move_to(_styles(item, inherited))
            if item.code:
                out.append(_code_span(item.text))
            else:
                text = _md_escape(item.text)
                out.append(_md_line_start(text) if line_start and not stack else text)
        elif isinstance(item, Link):
            texts = [c for c in item.children if isinstance(c, Text)]
            common = set.intersection(*(_styles(t, inherited) for t in texts)) if texts else set()
            move_to(common)
            label = _md_inlines(item.children, inherited | frozenset(stack))
            href = re.sub(r"([\\()<> ])", r"\\\1", item.href)
            out.append(f"[{label}]({href})")
        elif isinstance(item, FootnoteRef):
            out.append(f"[^{item.number}]")
        elif isinstance(item, LineBreak):
            out.append("\\\n")
            line_start = True
            continue
        line_start = False
    move_to(set())
    return "".join(out)


def _merged(items: tuple[Inline, ...]) -> list[Inline]:
    """Adjacent texts of one style as one text (a soft line break is one of them)."""
    merged: list[Inline] = []
    for item in items:
        previous = merged[-1] if merged else None
        if (
            isinstance(item, Text)
            and isinstance(previous, Text)
            and (previous.bold, previous.italic, previous.code, previous.strike)
            == (item.bold, item.italic, item.code, item.strike)
        ):
            merged[-1] = Text(
                previous.text + item.text, item.bold, item.italic, item.code, item.strike
            )
        else:
            merged.append(item)
    return merged


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join(
        [first + lines[0]] + [(rest + line) if line else "" for line in lines[1:]]
    ).rstrip(" ")


def _md_list(block: ListBlock, alternate: bool) -> str:
    items = []
    for number, item in enumerate(block.items, start=block.start):
        if block.ordered:
            marker = f"{number}{')' if alternate else '.'} "
        else:
            marker = "* " if alternate else "- "
        content = _md_blocks(item, separator="\n" if block.tight else "\n\n")
        items.append(_indent(content, marker, " " * len(marker)))
    return ("\n" if block.tight else "\n\n").join(items)


def _md_table(table: Table) -> str:
    columns = max([len(table.header)] + [len(row) for row in table.rows])

    def row(cells) -> str:
        texts = [_md_inlines(cell) for cell in cells] + [""] * (columns - len(cells))
        return "| " + " | ".join(texts) + " |"

    delimiters = {"left": ":---", "center": ":---:", "right": "---:"}
    align = list(table.align) + [""] * columns
    rule = "| " + " | ".join(delimiters.get(align[i], "---") for i in range(columns)) + " |"
    return "\n".join([row(table.header), rule, *(row(r) for r in table.rows)])


def _md_block(block: Block, alternate: bool = False) -> str:
    if isinstance(block, Heading):
        text = _md_inlines(block.inlines)
        if text.endswith("#"):
            text = text[:-1] + "\\#"  # else read as the heading's closing sequence
        return "#" * block.level + " " + text
    if isinstance(block, Paragraph):
        return _md_inlines(block.inlines)
    if isinstance(block, ListBlock):
        return _md_list(block, alternate)
    if isinstance(block, Quote):
        return "\n".join(
            f"> {line}" if line else ">" for line in _md_blocks(block.blocks).split("\n")
        )
    if isinstance(block, Table):
        return _md_table(block)
    if isinstance(block, CodeBlock):
        longest = max((len(run) for run in re.findall(r"`+", block.text)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"{fence}\n{block.text}\n{fence}" if block.text else f"{fence}\n{fence}"
    if isinstance(block, Rule):
        return "* * *"
    return ""


def _md_blocks(blocks: tuple[Block, ...], separator: str = "\n\n") -> str:
    out = []
    previous: Block | None = None
    alternate = False
    for block in blocks:
        # Two lists of one kind in a row would be read as one: change the marker.
        if isinstance(block, ListBlock) and isinstance(previous, ListBlock):
            alternate = not alternate if block.ordered == previous.ordered else False
        else:
            alternate = False
        out.append(_md_block(block, alternate))
        previous = block
    return separator.join(out)


def _md_footnote(footnote: Footnote) -> str:
    return _indent(_md_blocks(footnote.blocks), f"[^{footnote.number}]: ", "    ")


def _md_signatories(section: SignatorySection) -> list[str]:
    parts = []
    if section.intro:
        parts.append(_md_line_start(_md_escape(section.intro)))
    if section.organisations:
        parts.append("\n".join(f"- {_md_escape(signatory_line(s))}" for s in section.organisations))
    if section.individuals:
        marker = "*" if section.organisations else "-"  # a list of its own
        parts.append(
            "\n".join(f"{marker} {_md_escape(signatory_line(s))}" for s in section.individuals)
        )
    if section.anonymous_sentence:
        parts.append(_md_line_start(_md_escape(section.anonymous_sentence)))
    return parts


def body_markdown(blocks: tuple[Block, ...], footnotes: tuple[Footnote, ...]) -> str:
    """The text's blocks and footnotes as Markdown; headings keep their levels."""
    return "\n\n".join([_md_blocks(blocks), *(_md_footnote(f) for f in footnotes)]).strip("\n")


def document_markdown(document: Document) -> str:
    """The statement as Markdown (no front matter): title, date, text, footnotes,
    the signatory list as printed, and the text's fingerprint."""
    parts = [_md_block(Heading(1, (Text(document.title),)))]
    if document.date:
        parts.append(_md_line_start(_md_escape(date_line(document))))
    if document.blocks or document.footnotes:
        parts.append(body_markdown(document.blocks, document.footnotes))
    parts.append("* * *")
    parts.extend(_md_signatories(document.signatories))
    if document.list_updated:
        parts.append(_md_escape(list_updated_line(document)))
    parts.append(f"*{_md_escape(fingerprint_line(document))}*")
    return "\n\n".join(parts) + "\n"


# Plain text -----------------------------------------------------------------
def inline_text(items: tuple[Inline, ...]) -> str:
    """Inline content as plain text: a link shows its target unless it is its label."""
    out = []
    for item in items:
        if isinstance(item, Text):
            out.append(item.text)
        elif isinstance(item, Link):
            label = inline_text(item.children)
            target = item.href.removeprefix("mailto:")
            out.append(label if label.strip() == target else f"{label} ({item.href})")
        elif isinstance(item, FootnoteRef):
            out.append(f"[{item.number}]")
        elif isinstance(item, LineBreak):
            out.append("\n")
    return "".join(out)


def _text_table(table: Table) -> str:
    rows = [[inline_text(cell) for cell in table.header]]
    rows += [[inline_text(cell) for cell in row] for row in table.rows]
    columns = max(len(row) for row in rows)
    rows = [row + [""] * (columns - len(row)) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]

    def line(row) -> str:
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def _text_block(block: Block) -> str:
    if isinstance(block, Heading):
        text = inline_text(block.inlines)
        return f"{text}\n{'-' * len(text)}"
    if isinstance(block, Paragraph):
        return inline_text(block.inlines)
    if isinstance(block, ListBlock):
        items = []
        for number, item in enumerate(block.items, start=block.start):
            marker = f"{number}. " if block.ordered else "- "
            content = _text_blocks(item, "\n" if block.tight else "\n\n")
            items.append(_indent(content, marker, " " * len(marker)))
        return ("\n" if block.tight else "\n\n").join(items)
    if isinstance(block, Quote):
        return "\n".join(
            f"> {line}" if line else ">" for line in _text_blocks(block.blocks).split("\n")
        )
    if isinstance(block, Table):
        return _text_table(block)
    if isinstance(block, CodeBlock):
        return _indent(block.text, "    ", "    ")
    if isinstance(block, Rule):
        return "* * *"
    return ""


def _text_blocks(blocks: tuple[Block, ...], separator: str = "\n\n") -> str:
    return separator.join(_text_block(block) for block in blocks)


def document_text(document: Document) -> str:
    """The statement as plain text: the same content and order as the PDF."""
    parts = [f"{document.title}\n{'=' * len(document.title)}"]
    if document.date:
        parts.append(date_line(document))
    if document.blocks:
        parts.append(_text_blocks(document.blocks))
    if document.footnotes:
        parts.append(
            "\n".join(
                _indent(
                    _text_blocks(f.blocks, "\n"), f"[{f.number}] ", " " * (len(str(f.number)) + 3)
                )
                for f in document.footnotes
            )
        )
    parts.append("* * *")
    section = document.signatories
    if section.intro:
        parts.append(section.intro)
    for group in (section.organisations, section.individuals):
        if group:
            parts.append("\n".join(f"- {signatory_line(s)}" for s in group))
    if section.anonymous_sentence:
        parts.append(section.anonymous_sentence)
    if document.list_updated:
        parts.append(list_updated_line(document))
    parts.append(fingerprint_line(document))
    return "\n\n".join(parts) + "\n"
