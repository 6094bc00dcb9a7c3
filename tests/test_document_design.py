"""One design for the PDF and the DOCX: the same title and heading sizes in one
family, the same date, running header, page numbers and fingerprint line. The
DOCX names only fonts Word has on Windows and macOS; the PDF embeds its own.

Both files of one small two-page statement are made once and read back: the PDF
with pypdf (text, fonts and sizes), the DOCX with python-docx.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from signon.documents.docx import render_docx
from signon.documents.labels import date_line, fingerprint_line, list_updated_line
from signon.documents.model import build_document
from signon.documents.pdf import STYLESHEET, render_pdf
from signon.documents.signatories import Signatory, build_section

from .reference_docx_tool import BODY_FONT, COMPLEX_SCRIPT_FONT
from .test_pdf import embedded_font_problems

# Fonts that come with Windows and with macOS (or with Word on the Mac).
WORD_FONTS = {"Cambria", "Times New Roman", "Courier New"}
TITLE = "Kyrgyzstan: end the renewed crackdown on the independent Kloop media platform"
BODY = (
    "We, the undersigned organisations, condemn the arrest of journalists.\n\n"
    "## Our demands\n\n"
    + "\n\n".join(
        f"Paragraph {n}: the authorities must release every journalist detained for "
        "their work, drop the charges and stop blocking independent websites."
        for n in range(1, 9)
    )
    + "\n\n### What partners can do\n\nRaise these cases publicly.\n"
)
ARABIC = "مركز الخليج لحقوق الإنسان"


def design_document(language: str = "en"):
    people = [Signatory(name=f"Organisation number {n}", position=n) for n in range(30)]
    people.append(Signatory(name=ARABIC, position=30))
    section = build_section(people, order="as-listed", language=language, intro="Signed by:")
    return build_document(
        title=TITLE,
        body=BODY,
        language=language,
        signatories=section,
        date="2026-06-06",
        version_number=3,
        sha256="0123456789abcdef" * 4,
        author="Civil Rights Defenders",
        list_updated="2026-06-20",
    )


@pytest.fixture(scope="module")
def both():
    document = design_document()
    pdf = render_pdf(document)
    return document, pdf, render_docx(document)


def pdf_pages(pdf: bytes) -> list[str]:
    return [
        re.sub(r"\s+", " ", page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ]


def pdf_runs(pdf: bytes) -> list[tuple[str, str, float]]:
    """(text, font family and face, size in points) of each piece of text."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            name = str(font.get("/BaseFont", "")).split("+")[-1]
            runs.append((text.strip(), name, round(size * cm[0] * tm[0], 1)))

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def pdf_run(runs, text: str) -> tuple[str, float]:
    (found,) = [(name, size) for t, name, size in runs if t == text]
    return found


def paragraphs(word, style: str) -> list[str]:
    return [p.text for p in word.paragraphs if p.style.name == style]


# The same words in the same places ------------------------------------------------
def test_pdf_and_docx_print_the_same_date_list_update_and_fingerprint_line(both):
    document, pdf, data = both
    word = docx.Document(io.BytesIO(data))
    pages = pdf_pages(pdf)
    date, updated, fingerprint = (
        date_line(document),
        list_updated_line(document),
        fingerprint_line(document),
    )
    assert date == "6 June 2026"
    assert updated == "List updated on 20 June 2026."
    assert fingerprint == f"Text version 3 · fingerprint (SHA-256): {'0123456789abcdef' * 4}"
    # The date under the title on the first page.
    assert pages[0].startswith(f"{TITLE} {date} ")
    assert paragraphs(word, "Date") == [date]
    assert [p.text for p in word.paragraphs][:2] == [TITLE, date]
    # The list update, then the fingerprint as the last line.
    assert pages[-1].index(updated) < pages[-1].index(fingerprint)
    assert paragraphs(word, "List Updated") == [updated]
    assert word.paragraphs[-1].text == fingerprint
    assert paragraphs(word, "Fingerprint") == [fingerprint]


def test_pdf_and_docx_share_the_running_header_and_page_numbers(both):
    document, pdf, data = both
    pages = pdf_pages(pdf)
    assert len(pages) == 2
    short = document.short_title
    assert short.endswith("…") and short not in pages[0]
    assert short in pages[1]
    assert [f"page {n} of 2" in page for n, page in enumerate(pages, 1)] == [True, True]

    section = docx.Document(io.BytesIO(data)).sections[0]
    # From page 2 on, as in the PDF; the first page has none.
    assert section.different_first_page_header_footer
    assert [p.text for p in section.header.paragraphs] == [short]
    assert section.header.paragraphs[0].style.name == "Header"
    assert "".join(p.text for p in section.first_page_header.paragraphs) == ""
    for footer in (section.footer, section.first_page_footer):
        (paragraph,) = footer.paragraphs
        fields = paragraph._p.xpath("./w:fldSimple/@w:instr")
        assert [f.strip() for f in fields] == ["PAGE", "NUMPAGES"]
        assert [r.text for r in paragraph.runs] == ["page ", " of "]


def test_title_and_headings_are_one_family_in_bold_at_the_same_sizes(both):
    _, pdf, data = both
    runs = pdf_runs(pdf)
    body_face, body_size = pdf_run(runs, BODY.split("\n")[0])
    title_face, title_size = pdf_run(runs, "Kyrgyzstan: end the renewed crackdown on")
    first_face, first_size = pdf_run(runs, "Our demands")
    second_face, second_size = pdf_run(runs, "What partners can do")
    assert body_face == "DejaVu-Serif"
    assert title_face == first_face == second_face == "DejaVu-Serif-Bold"
    assert (body_size, title_size, first_size, second_size) == (10.5, 18, 13, 11.5)

    word = docx.Document(io.BytesIO(data))
    assert paragraphs(word, "Heading 1") == ["Our demands"]
    assert paragraphs(word, "Heading 2") == ["What partners can do"]
    for style, size in (
        ("Title", title_size),
        ("Heading 1", first_size),
        ("Heading 2", second_size),
    ):
        font = word.styles[style].font
        assert (font.name, font.bold, font.size.pt) == (BODY_FONT, True, size), style
        assert font.italic in (None, False), style
    assert word.styles["Normal"].font.size is None  # the document default, as the PDF's body:
    defaults = word.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:sz/@w:val")
    assert defaults == [str(int(body_size * 2))]


def test_the_list_reads_alike_intro_in_bold_entries_without_bullets(both):
    _, pdf, data = both
    runs = pdf_runs(pdf)
    assert pdf_run(runs, "Signed by:")[0] == "DejaVu-Serif-Bold"
    assert "•" not in " ".join(text for text, _, _ in runs)

    word = docx.Document(io.BytesIO(data))
    assert word.styles["Signatories Intro"].font.bold
    assert word.styles["Signatory"].element.pPr.numPr is None
    entries = [p for p in word.paragraphs if p.style.name == "Signatory"]
    assert len(entries) == 31
    assert all(p._p.pPr.numPr is None for p in entries)


# Fonts --------------------------------------------------------------------------------
def test_docx_names_only_fonts_word_has_on_windows_and_macos(both):
    _, _, data = both
    word = docx.Document(io.BytesIO(data))
    fonts = word.styles.element.xpath("./w:docDefaults//w:rFonts")[0]
    assert (fonts.get(qn("w:ascii")), fonts.get(qn("w:hAnsi"))) == ("Cambria", "Cambria")
    assert fonts.get(qn("w:cs")) == COMPLEX_SCRIPT_FONT == "Times New Roman"
    named, themed = set(), set()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [n for n in package.namelist() if n.startswith("word/") and n.endswith(".xml")]
        for part in set(parts) - {"word/fontTable.xml"}:
            xml = package.read(part).decode("utf-8")
            for fonts in re.findall(r"<w:rFonts\b[^>]*>", xml):
                for attribute, value in re.findall(r'w:(\w+)="([^"]*)"', fonts):
                    (themed if attribute.lower().endswith("theme") else named).add(value)
        table = package.read("word/fontTable.xml").decode("utf-8")
    assert named <= WORD_FONTS, named - WORD_FONTS
    assert {"Cambria", "Times New Roman", "Courier New"} <= named
    # No theme font, which would follow the reader's Office theme instead.
    assert themed == set()
    assert set(re.findall(r'<w:font w:name="([^"]+)"', table)) == WORD_FONTS
    # The Arabic name in the list is set in the complex-script font.
    (arabic,) = [r for p in word.paragraphs for r in p.runs if r.text == ARABIC]
    assert arabic._r.rPr.rFonts.get(qn("w:cs")) == "Times New Roman"


def test_pdf_keeps_its_embedded_debian_fonts(both):
    _, pdf, _ = both
    names, problems = embedded_font_problems(pdf)
    assert problems == []
    assert names and all(name.startswith(("DejaVu", "Noto")) for name in names), names


# Setting the text -------------------------------------------------------------------
def test_text_is_set_ragged_right_in_both_not_justified(both):
    """Justified lines stretched their spaces into rivers (WeasyPrint and Word both
    justify line by line); both files set the text ragged right, hyphenated."""
    _, _, data = both
    css = STYLESHEET.read_text(encoding="utf-8")
    assert "justify" not in css
    assert re.search(r"html \{[^}]*hyphens: auto", css)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for part in ("word/styles.xml", "word/document.xml"):
            assert 'w:jc w:val="both"' not in package.read(part).decode("utf-8"), part


def test_a_right_to_left_document_keeps_its_latin_labels_in_reading_order():
    """In a right-to-left statement whose language signon has no catalog for (Persian,
    here), "20 November 2026" must not read "November 2026 20"."""
    document = build_document(
        title="أطلقوا سراح الصحفيين",
        body="ندعو السلطات إلى الإفراج عن جميع الصحفيين.",
        language="fa",
        signatories=build_section(
            [Signatory(name=ARABIC)], order="as-listed", language="fa", intro="وقّعت:"
        ),
        date="2026-11-20",
        date_planned=True,
        version_number=1,
        sha256="ab" * 32,
        list_updated="2026-12-01",
    )
    # pypdf reads the pieces of a line in the order they are drawn, left to right:
    # a date the algorithm reordered reads "November 2026 (not yet published) 20".
    page = pypdf.PdfReader(io.BytesIO(render_pdf(document))).pages[0]
    seen = [" ".join(line.split()) for line in page.extract_text().splitlines()]
    for label in ("20 November 2026 (not yet published)", "List updated on 1 December 2026."):
        assert label in seen, seen

    word = docx.Document(io.BytesIO(render_docx(document)))
    mark = "\u200e"  # each end holds a left-to-right line in order inside right-to-left text
    assert paragraphs(word, "Date") == [f"{mark}20 November 2026 (not yet published){mark}"]
    assert paragraphs(word, "List Updated") == [f"{mark}List updated on 1 December 2026.{mark}"]
