"""Generate templates/documents/reference.docx, the styles every DOCX download uses.

    make reference-docx        (or: .venv/bin/python docs/make_reference_docx.py [OUTPUT])

The output is committed. `render_docx` takes everything visual from it (page size,
fonts, colours, list numbering, the table style) and refers to styles by name
only, so a coalition brands its downloads by opening the file in Word or
LibreOffice, changing the styles (or adding a logo to the header) and saving it
under the same name. The styles it relies on are listed in `STYLES_USED`.

It starts from python-docx's own default template, which already holds Word's
built-in styles (Title, Heading 1-9, List Bullet, List Number, Quote, Table Grid),
and changes them: A4 paper, decimal list numbering at every level, and the few
styles Word lacks (Signatory, Fingerprint, Note Text...).

The design is the PDF's (templates/documents/print.css): one serif family, headings
in its bold at the PDF's sizes, the date in grey under the title, the short title
as a running header from page 2, "page N of M" at the foot, the fingerprint line
in small grey print at the end, text set ragged right. The faces differ on
purpose: the PDF embeds the Debian fonts it was made with, while a DOCX is set
in whatever its reader has installed, so it names fonts Word has on Windows and
macOS alike, each covering the scripts signon's languages use: Cambria (Latin,
Greek, Cyrillic) for text and headings, Times New Roman for complex scripts
(Arabic, Hebrew), Courier New for code. A font named
but missing would be silently replaced by the reader's Word, and a comms team's
copy would change face. The font table describes each font (family, PANOSE,
Unicode and code page ranges, as Word itself writes them) for readers without it.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "templates" / "documents" / "reference.docx"

BODY_FONT = "Cambria"
HEADING_FONT = BODY_FONT  # one family, headings in its bold, as in the PDF
CODE_FONT = "Courier New"
COMPLEX_SCRIPT_FONT = "Times New Roman"  # Arabic, Persian, Urdu, Hebrew on Windows and macOS

# The PDF's colours (print.css): text #111, date #444, small print #555.
INK = RGBColor(0x11, 0x11, 0x11)
DATE = RGBColor(0x44, 0x44, 0x44)
MUTED = RGBColor(0x55, 0x55, 0x55)
RULE = RGBColor(0x99, 0x99, 0x99)
LINK = RGBColor(0x05, 0x63, 0xC1)

# Styles render_docx asks for by name (Word's built-in names where Word has one).
STYLES_USED = (
    "Normal", "Title", "Date", "Heading 1", "Heading 2", "Heading 3",
    "List Bullet", "List Bullet 2", "List Bullet 3",
    "List Number", "List Number 2", "List Number 3",
    "List Continue", "List Continue 2", "List Continue 3",
    "Quote", "Code Block", "Table Grid", "Note Text", "Signatories Intro", "Signatory",
    "Anonymous Signatories", "List Updated", "Fingerprint", "Header", "Footer",
    "Hyperlink", "Code", "Note Reference", "Signatory Country",
)  # fmt: skip

# name, family, pitch, PANOSE, usb0-3, csb0-1: as Word writes them for these fonts.
FONTS = (
    (BODY_FONT, "roman", "variable", "02040503050406030204",
     ("E00002FF", "400004FF", "00000000", "00000000"), ("0000019F", "00000000")),
    (CODE_FONT, "modern", "fixed", "02070309020205020404",
     ("E0002AFF", "C0007843", "00000009", "00000000"), ("000001FF", "00000000")),
    (COMPLEX_SCRIPT_FONT, "roman", "variable", "02020603050405020304",
     ("E0002AFF", "C0007841", "00000009", "00000000"), ("000001FF", "00000000")),
)  # fmt: skip

# The PDF's sizes in points (print.css): title, then body headings by level.
TITLE_SIZE = 18
HEADING_SIZES = (13, 11.5, 10.5)

STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
BULLETS = ("•", "◦", "▪")
INDENT = 360  # twentieths of a point per list level


def build_reference() -> docx.Document:
    """The reference document, built from python-docx's default template."""
    word = docx.Document()
    _drop_leftovers(word)
    _page(word)
    _fonts(word)
    _numbering(word)
    _restyle(word)
    _add_styles(word)
    _footer(word)
    _properties(word)
    return word


def _drop_leftovers(word) -> None:
    # The default template's thumbnail shows python-docx's own sample page in file
    # browsers; stylesWithEffects.xml would contradict the restyled styles.xml in
    # Word 2010; the customXml part holds an empty bibliography.
    package = word.part.package
    for rId, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rId]
    for rId, rel in list(word.part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, STYLES_WITH_EFFECTS):
            del word.part.rels[rId]


def _page(word) -> None:
    for section in word.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        # The PDF's margins (print.css @page).
        section.left_margin = section.right_margin = Mm(22)
        section.top_margin, section.bottom_margin = Mm(24), Mm(24)
        section.header_distance = section.footer_distance = Mm(12)


def _fonts(word) -> None:
    """Named fonts instead of the theme's: a theme font follows the reader's
    Office theme, and its complex-script face is none at all."""
    styles = word.styles.element
    for fonts in list(styles.iter(qn("w:rFonts"))):
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        # The default template's own monospace styles name "Courier", which
        # Windows lacks; every style names one of FONTS or inherits the default.
        for attribute in ("w:ascii", "w:hAnsi"):
            if fonts.get(qn(attribute)) == "Courier":
                fonts.set(qn(attribute), CODE_FONT)
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    fonts.set(qn("w:ascii"), BODY_FONT)
    fonts.set(qn("w:hAnsi"), BODY_FONT)
    fonts.set(qn("w:cs"), COMPLEX_SCRIPT_FONT)
    for emptied in [f for f in styles.iter(qn("w:rFonts")) if not f.attrib]:
        emptied.getparent().remove(emptied)  # it only named theme fonts
    language = defaults.find(qn("w:lang"))
    language.set(qn("w:val"), "en-GB")
    for size in ("w:sz", "w:szCs"):
        defaults.find(qn(size)).set(qn("w:val"), "21")  # 10.5 pt
    spacing = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = spacing.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "160")
    spacing.set(qn("w:line"), "288")  # 1.2 lines


def _numbering(word) -> None:
    """Two multi-level lists, bullets and decimal numbers, and the styles using them.

    render_docx restarts numbering by giving each ordered list its own w:num on
    the List Number style's abstract list; numbers stay decimal at every level, as
    on the web page.
    """
    numbering = word.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    bullet_levels = "".join(
        _level(i, "bullet", BULLETS[i % len(BULLETS)], font=HEADING_FONT) for i in range(9)
    )
    number_levels = "".join(_level(i, "decimal", f"%{i + 1}.") for i in range(9))
    for abstract_id, nsid, levels in (
        (0, "5A1D0B01", bullet_levels),
        (1, "5A1D0B02", number_levels),
    ):
        numbering.append(
            parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                f'<w:nsid w:val="{nsid}"/><w:multiLevelType w:val="hybridMultilevel"/>'
                f"{levels}</w:abstractNum>"
            )
        )
    for num_id, abstract_id in ((1, 0), (2, 1)):
        numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{abstract_id}"/></w:num>'
            )
        )
    for level, suffix in enumerate(("", " 2", " 3")):
        for name, num_id in (("List Bullet", 1), ("List Number", 2)):
            _set_numbering(word.styles[name + suffix], num_id, level)
        word.styles["List Continue" + suffix].paragraph_format.left_indent = Pt(
            INDENT * (level + 1) / 20
        )


def _level(level: int, kind: str, text: str, *, font: str | None = None) -> str:
    run = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>' if font else ""
    return (
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{kind}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{INDENT * (level + 1)}" w:hanging="{INDENT}"/></w:pPr>'
        f"{run}</w:lvl>"
    )


def _set_numbering(style, num_id: int, level: int) -> None:
    numbering = style.element.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = level
    numbering.get_or_add_numId().val = num_id


def _font(style, *, name=None, size=None, bold=None, italic=None, color=None) -> None:
    font = style.font
    if name:
        font.name = name
    if size:
        font.size = Pt(size)
        # Complex scripts (Arabic) take their size from w:szCs, right after w:sz.
        size_element = style.element.rPr.sz
        for old in style.element.rPr.findall(qn("w:szCs")):
            style.element.rPr.remove(old)
        size_element.addnext(parse_xml(f'<w:szCs {nsdecls("w")} w:val="{round(size * 2)}"/>'))
    if bold is not None:
        font.bold = font.cs_bold = bold
    if italic is not None:
        font.italic = font.cs_italic = italic
    if color is not None:
        font.color.rgb = color


def _restyle(word) -> None:
    styles = word.styles
    # (style, size, space before, space after in twentieths of a point): the PDF's
    # h1 (the title), h2, h3 and h4-h6, since a body's "##" is Heading 1 here.
    sizes = [("Title", TITLE_SIZE, 0, 80)]
    sizes += [("Heading 1", HEADING_SIZES[0], 340, 100), ("Heading 2", HEADING_SIZES[1], 250, 70)]
    sizes += [(f"Heading {n}", HEADING_SIZES[2], 210, 60) for n in range(3, 10)]
    for name, size, before, after in sizes:
        for style_name in (name, f"{name} Char"):
            if style_name in styles:
                _font(styles[style_name], name=HEADING_FONT, size=size, bold=True, color=INK)
                styles[style_name].font.italic = False
        paragraph = styles[name].paragraph_format
        paragraph.space_before, paragraph.space_after = Pt(before / 20), Pt(after / 20)
        paragraph.keep_with_next = True
    _drop_borders(styles["Title"])
    for style_name in ("Quote", "Quote Char"):
        _font(styles[style_name], italic=True, color=RGBColor(0x33, 0x33, 0x33))
    quote = styles["Quote"].paragraph_format
    quote.left_indent = quote.right_indent = Pt(16)  # the PDF's 1.5em
    _font(styles["Normal"], color=INK)
    first_row = (
        f'<w:tblStylePr {nsdecls("w")} w:type="firstRow">'
        "<w:rPr><w:b/><w:bCs/></w:rPr>"
        '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="EEEEEE"/></w:tcPr></w:tblStylePr>'
    )
    styles["Table Grid"].element.append(parse_xml(first_row))
    for border in styles["Table Grid"].element.iter():
        if border.get(qn("w:val")) == "single":
            border.set(qn("w:color"), str(RULE))


def _drop_borders(style) -> None:
    """No rule under the title: the PDF has none."""
    properties = style.element.pPr
    if properties is not None:
        for borders in properties.findall(qn("w:pBdr")):
            properties.remove(borders)


def _add_styles(word) -> None:
    styles = word.styles

    def paragraph(name, *, base="Normal", next_style=None, builtin=False):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=builtin)
        style.base_style = styles[base]
        style.next_paragraph_style = styles[next_style or name]
        style.quick_style = True
        return style

    def character(name, *, builtin=False):
        style = styles.add_style(name, WD_STYLE_TYPE.CHARACTER, builtin=builtin)
        style.base_style = styles["Default Paragraph Font"]
        return style

    date = paragraph("Date", next_style="Normal", builtin=True)
    _font(date, color=DATE)
    date.paragraph_format.space_after = Pt(15)  # the PDF's title block: 1.4em

    code_block = paragraph("Code Block")
    _font(code_block, name=CODE_FONT, size=9)
    # The shading first: python-docx then puts w:spacing and w:ind after it, in
    # the order the schema wants.
    code_block.element.get_or_add_pPr().append(
        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="F3F4F6"/>')
    )
    code_block.paragraph_format.line_spacing = 1.0
    code_block.paragraph_format.left_indent = Mm(5)

    note_text = paragraph("Note Text")
    _font(note_text, size=9)
    note_text.paragraph_format.space_after = Pt(4)

    # As the PDF's list: no bullets, a long entry's second line standing in, never
    # split across pages; the intro in bold.
    signatory = paragraph("Signatory")
    signatory.paragraph_format.space_after = Pt(2.5)
    signatory.paragraph_format.left_indent = Pt(12.5)
    signatory.paragraph_format.first_line_indent = Pt(-12.5)
    signatory.paragraph_format.keep_together = True

    intro = paragraph("Signatories Intro", next_style="Signatory")
    _font(intro, bold=True)
    intro.paragraph_format.space_before = Pt(17)  # the PDF's 1.6em
    intro.paragraph_format.keep_with_next = True

    anonymous = paragraph("Anonymous Signatories", next_style="Normal")
    _font(anonymous, italic=True)
    anonymous.paragraph_format.space_before = Pt(6)

    updated = paragraph("List Updated", next_style="Normal")
    _font(updated, italic=True)

    fingerprint = paragraph("Fingerprint", next_style="Normal")
    _font(fingerprint, size=7, color=MUTED)
    fingerprint.paragraph_format.space_before = Pt(14)  # the PDF's 2em of 7 pt

    running = styles["Header"]
    _font(running, size=8, color=MUTED)
    running.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    hyperlink = character("Hyperlink", builtin=True)
    hyperlink.font.color.rgb = INK  # the PDF's links: the text's colour, underlined
    hyperlink.font.underline = WD_UNDERLINE.SINGLE
    hyperlink.unhide_when_used = True
    hyperlink.priority = 99

    _font(character("Code"), name=CODE_FONT, size=9)
    reference = character("Note Reference")
    reference.font.superscript = True
    _font(character("Signatory Country"), color=MUTED)


def _footer(word) -> None:
    """As the PDF: "page N of M" centred at the foot of every page, and a running
    header (the statement's short title, which render_docx writes into its empty
    paragraph) on every page but the first, where the title stands."""
    _font(word.styles["Footer"], size=8, color=MUTED)
    for section in word.sections:
        section.different_first_page_header_footer = True
        for footer in (section.footer, section.first_page_footer):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.style = word.styles["Footer"]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run("page ")
            paragraph._p.append(_field("PAGE"))
            paragraph.add_run(" of ")
            paragraph._p.append(_field("NUMPAGES"))
        for header in (section.header, section.first_page_header):
            header.is_linked_to_previous = False
            header.paragraphs[0].style = word.styles["Header"]


def _field(instruction: str):
    return parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} ">'
        "<w:r><w:rPr><w:noProof/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>"
    )


def _properties(word) -> None:
    properties = word.core_properties
    properties.title = properties.subject = properties.keywords = ""
    properties.author = properties.comments = properties.last_modified_by = ""
    properties.category = ""
    properties.revision = 1
    properties.created = properties.modified = datetime(2026, 1, 1, tzinfo=UTC)


def _font_table() -> bytes:
    entries = "".join(
        f'<w:font w:name="{name}"><w:panose1 w:val="{panose}"/><w:charset w:val="00"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/>'
        f'<w:sig w:usb0="{usb[0]}" w:usb1="{usb[1]}" w:usb2="{usb[2]}" w:usb3="{usb[3]}" '
        f'w:csb0="{csb[0]}" w:csb1="{csb[1]}"/></w:font>'
        for name, family, pitch, panose, usb, csb in FONTS
    )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f"<w:fonts {nsdecls('w')}>{entries}</w:fonts>"
    ).encode()


def write_reference(path: Path = OUTPUT) -> Path:
    """Build the reference document and write it to `path`."""
    buffer = io.BytesIO()
    build_reference().save(buffer)
    # python-docx keeps the font table as opaque bytes, so it is replaced in the zip.
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/fontTable.xml":
                data = _font_table()
            info = zipfile.ZipInfo(item.filename, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = write_reference(Path(args[0]) if args else OUTPUT)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
