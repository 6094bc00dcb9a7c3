"""The document model as a Word file, styled by templates/documents/reference.docx.

See docs/architecture.md, DOCX.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.styles import BabelFish
from lxml.etree import SubElement

from ..i18n import translate
from ..paths import REFERENCE_DOCX
from .labels import date_line, fingerprint_line, list_updated_line, page_number_parts
from .model import (
    Block,
    CodeBlock,
    Document,
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
    safe_href,
    top_heading_level,
)

COMPLEX_SCRIPT_FONT = "Times New Roman"  # when the reference names none

# C0 controls other than tab, LF and CR, surrogates (a lone one cannot even be
# encoded), U+FFFE and U+FFFF: XML 1.0 has no way to write them.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RTL_RANGES = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
RTL_CHARACTER = re.compile(f"[{_RTL_RANGES}]")
LTR_LETTER = re.compile(rf"(?![{_RTL_RANGES}])[^\W\d_]")
TAB_OR_BREAK = re.compile("([\t\n])")

# The words around the reference document's PAGE and NUMPAGES fields in its footers.
REFERENCE_PAGE_WORDS = ("page ", " of ")

# Style names and what to use when the reference document lacks one.
FALLBACK = {
    "Title": "Heading 1",
    "Signatory": "List Bullet",
    "List Updated": "Anonymous Signatories",
    "List Bullet 3": "List Bullet 2",
    "List Bullet 2": "List Bullet",
    "List Number 3": "List Number 2",
    "List Number 2": "List Number",
    "List Continue 3": "List Continue 2",
    "List Continue 2": "List Continue",
    **{f"Heading {n}": f"Heading {n - 1}" for n in range(2, 10)},
}

W_P, W_PPR, W_R, W_RPR, W_T = qn("w:p"), qn("w:pPr"), qn("w:r"), qn("w:rPr"), qn("w:t")
W_VAL = qn("w:val")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def xml_safe(text: str) -> str:
    """`text` without the characters XML forbids, and with CR line ends as LF."""
    return XML_FORBIDDEN.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def render_docx(document: Document, *, reference: str | Path | None = None) -> bytes:
    """The statement as a DOCX file, styled by the reference document."""
    word = docx.Document(io.BytesIO(Path(reference or REFERENCE_DOCX).read_bytes()))
    _Writer(word, document).write()
    _set_properties(word, document)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _set_properties(word, document: Document) -> None:
    properties = word.core_properties
    properties.title = xml_safe(document.title)
    properties.language = xml_safe(document.language)
    properties.author = properties.last_modified_by = xml_safe(document.author)
    properties.identifier = f"sha256:{document.sha256}" if document.sha256 else ""
    properties.version = str(document.version_number) if document.version_number else ""
    properties.created = properties.modified = datetime.now(UTC).replace(tzinfo=None)


def _run_is_rtl(text: str, paragraph_rtl: bool) -> bool:
    """Right to left for Arabic or Hebrew text, left to right for text in other
    scripts (a Latin organisation name in an Arabic list keeps its own order and
    font), the paragraph's direction for mixed or neutral text."""
    if RTL_CHARACTER.search(text):
        return paragraph_rtl or LTR_LETTER.search(text) is None
    if LTR_LETTER.search(text):
        return False
    return paragraph_rtl


def _insert_in_order(parent, child, successors: tuple[str, ...]) -> None:
    """Insert `child` before the first of `successors` present (the schema's order)."""
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


class _Styles:
    """Style names -> ids, read once from the reference document."""

    def __init__(self, word):
        self.elements = {}
        for style in word.styles.element.findall(qn("w:style")):
            name = style.find(qn("w:name"))
            if name is not None:
                ui_name = BabelFish.internal2ui(name.get(W_VAL))
                self.elements.setdefault(ui_name, style)
        self._ids: dict[str, str | None] = {}

    def element(self, name: str):
        while name not in self.elements and name in FALLBACK:
            name = FALLBACK[name]
        return self.elements.get(name)

    def id(self, name: str) -> str | None:
        if name not in self._ids:
            style = self.element(name)
            self._ids[name] = None if style is None else style.get(qn("w:styleId"))
        return self._ids[name]


class _Numbering:
    """A new w:num per ordered list, so that each list counts from its own start."""

    def __init__(self, word, styles: _Styles):
        self.part = word.part
        self.styles = styles
        self._abstract: dict[str, tuple[int, int]] = {}

    @functools.cached_property
    def numbering(self):
        try:
            return self.part.numbering_part.element
        except NotImplementedError:  # python-docx cannot add a numbering part
            return None

    def restart(self, style_name: str, start: int) -> tuple[int, int] | None:
        """(numId, ilvl) for a new list in `style_name` counting from `start`; None
        (the style's own numbering) for a reference document without numbering."""
        if self.numbering is None:
            return None
        abstract_id, level = self._abstract_of(style_name)
        num = self.numbering.add_num(abstract_id)
        num.add_lvlOverride(ilvl=level).add_startOverride(start)
        return num.numId, level

    def _abstract_of(self, style_name: str) -> tuple[int, int]:
        if style_name not in self._abstract:
            found = None
            style = self.styles.element(style_name)
            numbering = None if style is None else style.find(f"{W_PPR}/{qn('w:numPr')}")
            if numbering is not None and numbering.numId is not None:
                try:
                    num = self.numbering.num_having_numId(numbering.numId.val)
                    level = numbering.ilvl.val if numbering.ilvl is not None else 0
                    found = (num.abstractNumId.val, level)
                except KeyError:
                    found = None
            if found is None:  # a reference document whose list styles lost their numbering
                level = int(style_name[-1]) - 1 if style_name[-1].isdigit() else 0
                found = (self._decimal_abstract(), level)
            self._abstract[style_name] = found
        return self._abstract[style_name]

    def _decimal_abstract(self) -> int:
        ids = [int(i) for i in self.numbering.xpath("./w:abstractNum/@w:abstractNumId")]
        abstract_id = max(ids, default=-1) + 1
        abstract = self.numbering.makeelement(qn("w:abstractNum"))
        abstract.set(qn("w:abstractNumId"), str(abstract_id))
        for level in range(9):
            lvl = SubElement(abstract, qn("w:lvl"), {qn("w:ilvl"): str(level)})
            SubElement(lvl, qn("w:start"), {W_VAL: "1"})
            SubElement(lvl, qn("w:numFmt"), {W_VAL: "decimal"})
            SubElement(lvl, qn("w:lvlText"), {W_VAL: f"%{level + 1}."})
            indent = {qn("w:left"): str(360 * (level + 1)), qn("w:hanging"): "360"}
            SubElement(SubElement(lvl, W_PPR), qn("w:ind"), indent)
        _insert_in_order(self.numbering, abstract, ("w:num", "w:numIdMacAtCleanup"))
        return abstract_id


class _Writer:
    def __init__(self, word, document: Document):
        self.word = word
        self.document = document
        self.rtl = document.direction == "rtl"
        self.part = word.part
        self.body = word.element.body
        self.styles = _Styles(word)
        self.numbering = _Numbering(word, self.styles)
        defaults = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
        fonts = None if defaults is None else defaults.find(f"{W_RPR}/{qn('w:rFonts')}")
        self.cs_font = (fonts is not None and fonts.get(qn("w:cs"))) or COMPLEX_SCRIPT_FONT
        self.top_heading = top_heading_level(document.blocks)
        ids = (int(i) for i in self.body.xpath(".//w:bookmarkStart/@w:id"))
        self.bookmark_ids = itertools.count(max(ids, default=0) + 1)
        sections = word.sections
        width = 0
        if len(sections):
            last = sections[-1]
            width = (last.page_width or 0) - (last.left_margin or 0) - (last.right_margin or 0)
        self.text_width = width // 635 if width > 0 else 9000  # EMU -> twentieths of a point

    # Document ------------------------------------------------------------------
    def write(self) -> None:
        document = self.document
        section_properties = self.body.sectPr
        if section_properties is not None:
            self.body.remove(section_properties)  # put back after the content
        if self.rtl:
            self._right_to_left_layout(section_properties)
        self._text(self.paragraph("Title"), document.title)
        if document.date:
            self._text(self.paragraph("Date"), date_line(document))
        self.blocks(document.blocks)
        self.notes()
        self.signatories()
        if document.list_updated:
            self._text(self.paragraph("List Updated"), list_updated_line(document))
        if document.sha256:
            self._text(self.paragraph("Fingerprint"), fingerprint_line(document))
        if section_properties is not None:
            self.body.append(section_properties)
        self._running_header()
        self._page_numbers()
        self._set_language()

    def _running_header(self) -> None:
        """The short title in the first empty paragraph of the running header (the
        reference's own, shown from page 2 as in the PDF), or in a new one after
        whatever a coalition put there (a logo)."""
        sections = self.word.sections
        if not len(sections):
            return
        header = sections[-1].header
        if header.is_linked_to_previous:
            header.is_linked_to_previous = False
        element = header._element
        empty = [p for p in element.iter(W_P) if not "".join(p.itertext()).strip()]
        if empty and not empty[0].xpath(".//w:drawing | .//w:pict"):
            p = empty[0]
        else:
            p = SubElement(element, W_P)
            style_id = self.styles.id("Header")
            if style_id:
                SubElement(SubElement(p, W_PPR), qn("w:pStyle"), {W_VAL: style_id})
        if self.rtl and p.find(f"{W_PPR}/{qn('w:bidi')}") is None:
            properties = p.find(W_PPR)
            if properties is None:
                properties = p.makeelement(W_PPR)
                p.insert(0, properties)
            _insert_in_order(properties, properties.makeelement(qn("w:bidi")), _AFTER_BIDI)
        self._text(p, self.document.short_title)

    def _page_numbers(self) -> None:
        """'page 1 of 3' in the footers, in the document's language."""
        before, middle, after = page_number_parts(self.document.language)
        words = dict(zip(REFERENCE_PAGE_WORDS, (before, middle), strict=True))
        for section in self.word.sections:
            for footer in (section.footer, section.first_page_footer, section.even_page_footer):
                if footer.is_linked_to_previous:
                    continue
                for p in footer._element.iter(W_P):
                    texts = list(p.iter(W_T))
                    if not any(t.text in words for t in texts):
                        continue
                    for t in texts:
                        if t.text in words:
                            t.text = words[t.text]
                            t.set(qn("xml:space"), "preserve")
                    if after:
                        self._text(p, after)

    def _set_language(self) -> None:
        defaults = self.word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
        if defaults is None:
            return
        run = defaults.find(W_RPR)
        if run is None:
            run = SubElement(defaults, W_RPR)
        language = run.find(qn("w:lang"))
        if language is None:
            language = SubElement(run, qn("w:lang"))
        code = xml_safe(self.document.language)
        if self.rtl:
            language.set(qn("w:bidi"), code)
        elif code.split("-")[0] in ("zh", "ja", "ko"):
            language.set(qn("w:eastAsia"), code)
        else:
            language.set(W_VAL, code)

    def _right_to_left_layout(self, section_properties) -> None:
        """Pages laid out right to left; existing paragraphs (header, footer, any
        content in the reference document's body) made right-to-left too."""
        if section_properties is not None and section_properties.find(qn("w:bidi")) is None:
            _insert_in_order(
                section_properties,
                section_properties.makeelement(qn("w:bidi")),
                ("w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange"),
            )
        paragraphs = list(self.body.iter(W_P))
        references = (
            ()
            if section_properties is None
            else section_properties.xpath("./w:headerReference/@r:id | ./w:footerReference/@r:id")
        )
        for rId in references:
            paragraphs.extend(self.part.rels[rId].target_part.element.iter(W_P))
        for p in paragraphs:
            properties = p.get_or_add_pPr()
            if properties.find(qn("w:bidi")) is None:
                _insert_in_order(properties, properties.makeelement(qn("w:bidi")), _AFTER_BIDI)

    # Paragraphs and runs --------------------------------------------------------
    def paragraph(
        self, style=None, *, parent=None, numbering=None, rule=False, space_before=0, align=None
    ):
        """A new w:p at the end of `parent` (the body), properties in schema order."""
        p = SubElement(self.body if parent is None else parent, W_P)
        properties = SubElement(p, W_PPR)
        style_id = self.styles.id(style) if style else None
        if style_id:
            SubElement(properties, qn("w:pStyle"), {W_VAL: style_id})
        if numbering:
            number = SubElement(properties, qn("w:numPr"))
            SubElement(number, qn("w:ilvl"), {W_VAL: str(numbering[1])})
            SubElement(number, qn("w:numId"), {W_VAL: str(numbering[0])})
        if rule:
            border = SubElement(properties, qn("w:pBdr"))
            attributes = {W_VAL: "single", qn("w:sz"): "6", qn("w:space"): "1"}
            SubElement(border, qn("w:bottom"), {**attributes, qn("w:color"): "auto"})
        if self.rtl:
            SubElement(properties, qn("w:bidi"))
        if space_before:
            SubElement(properties, qn("w:spacing"), {qn("w:before"): str(space_before)})
        if align:
            SubElement(properties, qn("w:jc"), {W_VAL: align})
        if not len(properties):
            p.remove(properties)
        return p

    def _text(self, parent, text: str, *, style=None, bold=False, italic=False, strike=False):
        text = xml_safe(text)
        if not text:
            return
        run = SubElement(parent, W_R)
        rtl = _run_is_rtl(text, self.rtl)
        properties = SubElement(run, W_RPR)
        style_id = self.styles.id(style) if style else None
        if style_id:
            SubElement(properties, qn("w:rStyle"), {W_VAL: style_id})
        if rtl or self.rtl:
            SubElement(properties, qn("w:rFonts"), {qn("w:cs"): self.cs_font})
        if bold:
            SubElement(properties, qn("w:b"))
            SubElement(properties, qn("w:bCs"))
        if italic:
            SubElement(properties, qn("w:i"))
            SubElement(properties, qn("w:iCs"))
        if strike:
            SubElement(properties, qn("w:strike"))
        if style == "Hyperlink" and style_id is None:
            SubElement(properties, qn("w:color"), {W_VAL: "0563C1"})
            SubElement(properties, qn("w:u"), {W_VAL: "single"})
        if style == "Note Reference":
            # Also direct, so the number stays raised whatever the template does.
            SubElement(properties, qn("w:vertAlign"), {W_VAL: "superscript"})
        if rtl:
            SubElement(properties, qn("w:rtl"))
        if not len(properties):
            run.remove(properties)
        pieces = TAB_OR_BREAK.split(text) if ("\t" in text or "\n" in text) else (text,)
        for piece in pieces:
            if piece == "\t":
                SubElement(run, qn("w:tab"))
            elif piece == "\n":
                SubElement(run, qn("w:br"))
            elif piece:
                element = SubElement(run, W_T)
                element.text = piece
                if piece[0].isspace() or piece[-1].isspace():
                    element.set(XML_SPACE, "preserve")

    def inlines(self, parent, inlines: tuple[Inline, ...], *, link_style=None) -> None:
        for item in _merged(inlines):
            if isinstance(item, Text):
                style = link_style or ("Code" if item.code else None)
                self._text(
                    parent, item.text, style=style, bold=item.bold, italic=item.italic,
                    strike=item.strike,
                )  # fmt: skip
            elif isinstance(item, Link):
                href = safe_href(xml_safe(item.href))
                if href is None or link_style:  # not a web or mail link, or a link in a link
                    self.inlines(parent, item.children, link_style=link_style)
                    continue
                target = self.part.relate_to(href, RT.HYPERLINK, is_external=True)
                link = SubElement(parent, qn("w:hyperlink"), {qn("r:id"): target})
                link.set(qn("w:history"), "1")
                self.inlines(link, item.children, link_style="Hyperlink")
            elif isinstance(item, FootnoteRef):
                holder = parent
                if not link_style:  # the number links to its note
                    holder = SubElement(parent, qn("w:hyperlink"), {qn("w:anchor"): _note(item)})
                self._text(holder, str(item.number), style="Note Reference")
            elif isinstance(item, LineBreak):
                SubElement(SubElement(parent, W_R), qn("w:br"))

    # Blocks ----------------------------------------------------------------------
    def blocks(self, blocks: tuple[Block, ...], *, quote=False, depth=0) -> None:
        previous = None
        for block in blocks:
            if isinstance(block, Table) and isinstance(previous, Table):
                self.paragraph()  # two tables in a row would run together into one
            self.block(block, quote=quote, depth=depth)
            previous = block

    def block(self, block: Block, *, quote=False, depth=0) -> None:
        if isinstance(block, Heading):
            self.inlines(self.paragraph(self._heading(block.level)), block.inlines)
        elif isinstance(block, Paragraph):
            self.inlines(self.paragraph("Quote" if quote else None), block.inlines)
        elif isinstance(block, ListBlock):
            self.list(block, depth=depth, quote=quote)
        elif isinstance(block, Quote):
            self.blocks(block.blocks, quote=True, depth=depth)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, CodeBlock):
            self._text(self.paragraph("Code Block"), block.text)
        elif isinstance(block, Rule):
            self.paragraph(rule=True)

    def _heading(self, level: int) -> str:
        # The shallowest heading in the body is Heading 1: statements start at ##
        # because the title is the document's first level.
        return f"Heading {min(max(level - self.top_heading + 1, 1), 9)}"

    def list(self, block: ListBlock, *, depth: int, quote: bool) -> None:
        suffix = "" if depth == 0 else f" {min(depth, 2) + 1}"
        style = ("List Number" if block.ordered else "List Bullet") + suffix
        numbering = self.numbering.restart(style, block.start) if block.ordered else None
        for item in block.items:
            rest = item
            p = self.paragraph(style, numbering=numbering)
            if item and isinstance(item[0], Paragraph):
                self.inlines(p, item[0].inlines)
                rest = item[1:]
            for child in rest:
                if isinstance(child, Paragraph):
                    self.inlines(self.paragraph("List Continue" + suffix), child.inlines)
                elif isinstance(child, ListBlock):
                    self.list(child, depth=depth + 1, quote=quote)
                else:
                    self.block(child, quote=quote, depth=depth + 1)

    def table(self, table: Table) -> None:
        columns = max([len(table.header), *(len(row) for row in table.rows), 1])
        width = str(self.text_width // columns)
        grid = SubElement(self.body, qn("w:tbl"))
        properties = SubElement(grid, qn("w:tblPr"))
        style_id = self.styles.id("Table Grid")
        if style_id:
            SubElement(properties, qn("w:tblStyle"), {W_VAL: style_id})
        if self.rtl:
            SubElement(properties, qn("w:bidiVisual"))
        SubElement(properties, qn("w:tblW"), {qn("w:w"): "5000", qn("w:type"): "pct"})
        # The table style's header-row formatting applies; banded columns do not.
        look = {W_VAL: "04A0", qn("w:firstRow"): "1", qn("w:lastRow"): "0"}
        look |= {qn("w:firstColumn"): "0", qn("w:lastColumn"): "0"}
        look |= {qn("w:noHBand"): "0", qn("w:noVBand"): "1"}
        SubElement(properties, qn("w:tblLook"), look)
        columns_element = SubElement(grid, qn("w:tblGrid"))
        for _ in range(columns):
            SubElement(columns_element, qn("w:gridCol"), {qn("w:w"): width})
        # Left and right swap meaning in a right-to-left paragraph; centre does not.
        allowed = ("center",) if self.rtl else ("left", "center", "right")
        align = [a if a in allowed else None for a in table.align] + [None] * columns
        rows = ([table.header] if table.header else []) + list(table.rows)
        for index, row in enumerate(rows):
            row_element = SubElement(grid, qn("w:tr"))
            if index == 0 and table.header:
                SubElement(SubElement(row_element, qn("w:trPr")), qn("w:tblHeader"))
            for column in range(columns):
                cell = SubElement(row_element, qn("w:tc"))
                cell_properties = SubElement(cell, qn("w:tcPr"))
                SubElement(cell_properties, qn("w:tcW"), {qn("w:w"): width, qn("w:type"): "dxa"})
                p = self.paragraph(parent=cell, align=align[column])
                self.inlines(p, row[column] if column < len(row) else ())

    def notes(self) -> None:
        """The footnotes as numbered notes after the text, each number a bookmark
        its references in the text link to."""
        if not self.document.footnotes:
            return
        label = translate(self.document.language, "Notes")
        self._text(self.paragraph(self._heading(self.top_heading)), label)
        for note in self.document.footnotes:
            p = self.paragraph("Note Text")
            bookmark = str(next(self.bookmark_ids))
            SubElement(p, qn("w:bookmarkStart"), {qn("w:id"): bookmark, qn("w:name"): _note(note)})
            self._text(p, f"{note.number}. ")
            SubElement(p, qn("w:bookmarkEnd"), {qn("w:id"): bookmark})
            rest = note.blocks
            if rest and isinstance(rest[0], Paragraph):
                self.inlines(p, rest[0].inlines)
                rest = rest[1:]
            for block in rest:
                if isinstance(block, Paragraph):
                    self.inlines(self.paragraph("Note Text"), block.inlines)
                else:
                    self.block(block)

    def signatories(self) -> None:
        """Intro, organisations, individuals, then the anonymous sentence."""
        section = self.document.signatories
        if section.intro:
            self._text(self.paragraph("Signatories Intro"), section.intro)
        for group in (section.organisations, section.individuals):
            # A little air between organisations and individuals.
            space = 160 if group is section.individuals and section.organisations else 0
            for signatory in group:
                p = self.paragraph("Signatory", space_before=space)
                space = 0
                self._text(p, signatory.display)
                if signatory.country:
                    self._text(p, f" ({signatory.country})", style="Signatory Country")
        if section.anonymous_sentence:
            self._text(self.paragraph("Anonymous Signatories"), section.anonymous_sentence)


_AFTER_BIDI = (
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def _merged(inlines: tuple[Inline, ...]):
    """Neighbouring texts with the same formatting as one (a soft line break in
    the Markdown is a text of its own), so that each makes one run."""
    pending: Text | None = None
    for item in inlines:
        if isinstance(item, Text):
            if pending is not None and _format(pending) == _format(item):
                pending = Text(pending.text + item.text, *_format(item))
                continue
            if pending is not None:
                yield pending
            pending = item
            continue
        if pending is not None:
            yield pending
            pending = None
        yield item
    if pending is not None:
        yield pending


def _format(text: Text) -> tuple[bool, bool, bool, bool]:
    return text.bold, text.italic, text.code, text.strike


def _note(item) -> str:
    """The bookmark name of a note (Word: a letter first, letters and digits)."""
    return f"note{item.number}"
