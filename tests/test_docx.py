"""The DOCX download: read back with python-docx, the way an editor's Word sees it."""

from __future__ import annotations

import io
import re
import shutil
import time
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import RGBColor
from lxml import etree

from signon.documents.docx import REFERENCE_DOCX, render_docx
from signon.documents.labels import fingerprint_line
from signon.documents.model import (
    CodeBlock,
    Document,
    Link,
    Paragraph,
    Text,
    build_document,
)
from signon.documents.signatories import Signatory, SignatorySection, build_section
from signon.extensions import db
from signon.paths import CHECKOUT as ROOT
from signon.publication.documents import document_for_statement
from signon.statements.file_document import document_for_file
from signon.statements.files import parse_statement_file, read_statement_file
from signon.statements.models import Statement

from .reference_docx_tool import STYLES_USED, write_reference
from .sign_on_steps import invite_partners, open_for_signing, partner, sign_form

EXAMPLE = ROOT / "statements" / "example.md"
OHCHR = "https://www.ohchr.org/en/special-procedures/sr-freedom-of-opinion-and-expression"
ARABIC = re.compile("[\u0600-\u06ff]")
# XML 1.0 cannot hold these; a DOCX holding one does not open in Word.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# statements/example.md, alphabetical ("The" ignored), organisations first, each
# "Name (ACRONYM), note" and the country in brackets; two anonymous ones counted.
EXAMPLE_SIGNATORIES = [
    "Article 19 (A19)",
    "Asociación por la Libertad de Prensa (ALP) (Argentina)",
    "The Baltic Centre for Media Freedom (Lithuania)",
    "Committee to Protect Reporters (CPR) (United States)",
    "Ligue des droits humains (LDH) (Belgium)",
    "Media Defence Initiative (MDI) (United Kingdom)",
    "Ökumenisches Netzwerk Menschenrechte (Germany)",
    "Reporters' Solidarity Network (RSN) (France)",
    "World Organisation Against Torture (OMCT), within the framework of the Observatory"
    " for the Protection of Human Rights Defenders",
    "Amina Diallo, press freedom lawyer (Senegal)",
]


def read_back(data: bytes):
    return docx.Document(io.BytesIO(data))


def xml_parts(data: bytes) -> dict[str, str]:
    """Every XML part of the package (the .rels files included), as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            name: package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith((".xml", ".rels"))
        }


def styled(word, style: str) -> list[str]:
    return [p.text for p in word.paragraphs if p.style.name == style]


def statement_docx(source: str, **kwargs) -> tuple[Document, bytes]:
    document = document_for_file(parse_statement_file(source), **kwargs)
    return document, render_docx(document)


@pytest.fixture(scope="module")
def example():
    document = document_for_file(read_statement_file(EXAMPLE), author="OMCT and partners")
    return document, render_docx(document)


# The example statement --------------------------------------------------------------
def test_example_lists_every_signatory_once_in_order_then_the_anonymous_sentence(example):
    document, data = example
    word = read_back(data)
    texts = [p.text for p in word.paragraphs]
    assert styled(word, "Signatory") == EXAMPLE_SIGNATORIES
    for line in EXAMPLE_SIGNATORIES:
        name = line.split(" (")[0].split(",")[0]
        assert sum(name in text for text in texts) == 1, name
    intro = texts.index(
        "This statement is endorsed by the following organisations and individuals:"
    )
    assert texts[intro + 1 : intro + 1 + len(EXAMPLE_SIGNATORIES)] == EXAMPLE_SIGNATORIES
    assert styled(word, "Anonymous Signatories") == [
        "and 2 other organisations that asked not to be named"
    ]
    # The same last line as the PDF's.
    line = f"Text version 1 · fingerprint (SHA-256): {document.sha256}"
    assert fingerprint_line(document) == line
    assert styled(word, "Fingerprint") == [line]
    assert texts[-1] == line
    # The country is a run of its own, in its own (muted) character style.
    diallo = next(p for p in word.paragraphs if p.text.startswith("Amina Diallo"))
    assert [(r.text, r.style.name) for r in diallo.runs] == [
        ("Amina Diallo, press freedom lawyer", "Default Paragraph Font"),
        (" (Senegal)", "Signatory Country"),
    ]


def test_example_shows_no_contact_data_and_no_anonymous_name(example):
    _, data = example
    everything = "\n".join(xml_parts(data).values())
    for hidden in ("rsn.example.org", "Free Voices Collective", "Independent Journalists"):
        assert hidden not in everything
    assert "@" not in "".join(p.text for p in read_back(data).paragraphs)


def test_example_uses_the_reference_styles(example):
    document, data = example
    word = read_back(data)
    assert styled(word, "Title") == [document.title]
    assert styled(word, "Date") == ["20 November 2026"]
    # "##" is the body's top level, so it is Heading 1 (the title is above it).
    assert styled(word, "Heading 1") == ["What happened", "Our demands", "Notes"]
    assert len(styled(word, "List Bullet")) == 3
    assert styled(word, "List Number")[0].startswith("release all journalists")
    assert len(styled(word, "List Number")) == 4
    assert styled(word, "Quote") == [
        '"Journalism is not a crime. Every day these reporters spend in detention is a '
        'message to all others: stay silent."'
    ]
    (table,) = word.tables
    assert table.style.name == "Table Grid"
    assert [c.text for c in table.rows[0].cells] == ["Outlet", "Journalists detained", "Status"]
    assert [c.text for c in table.rows[3].cells] == [
        "The Northern Courier",
        "2",
        "equipment seized",
    ]
    # The header row repeats on each page and takes the style's header formatting.
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table._tbl.tblPr.find(qn("w:tblLook")).get(qn("w:firstRow")) == "1"
    # A4, from the reference document.
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_example_has_bold_italic_and_a_working_link(example):
    _, data = example
    word = read_back(data)
    runs = [run for p in word.paragraphs for run in p.runs]
    assert any(r.text == "eleven journalists" and r.bold for r in runs)
    assert {r.text for r in runs if r.italic} >= {"Meridia Today", "Radio Horizon"}
    (paragraph,) = [p for p in word.paragraphs if p.hyperlinks and "UN Special" in p.text]
    (link,) = [h for h in paragraph.hyperlinks if h.address]
    assert link.address == OHCHR
    assert link.text == "UN Special Rapporteur on freedom of expression"
    assert link.runs[0].style.name == "Hyperlink"
    rel = word.part.rels[link._hyperlink.rId]
    assert (rel.reltype, rel.is_external, rel.target_ref) == (RT.HYPERLINK, True, OHCHR)


def test_example_footnote_is_a_superscript_number_linked_to_its_note(example):
    _, data = example
    word = read_back(data)
    cited = next(p for p in word.paragraphs if "seven years in prison." in p.text)
    assert cited.text.endswith("seven years in prison.1")
    (reference,) = [h for h in cited.hyperlinks if h.fragment]
    assert (reference.fragment, reference.text) == ("note1", "1")
    assert reference.runs[0].font.superscript
    assert reference.runs[0].style.name == "Note Reference"
    (note,) = [p for p in word.paragraphs if p.style.name == "Note Text"]
    assert note.text == "1. Article 207-3 of the Criminal Code, adopted in March 2025."
    assert note._p.xpath("./w:bookmarkStart/@w:name") == ["note1"]
    # The notes come after the text and before the signatories.
    texts = [p.text for p in word.paragraphs]
    assert texts.index(note.text) < texts.index(EXAMPLE_SIGNATORIES[0])


def test_example_core_properties(example):
    document, data = example
    properties = read_back(data).core_properties
    assert properties.title == document.title
    assert properties.language == "en"
    assert properties.author == "OMCT and partners"
    assert properties.identifier == f"sha256:{document.sha256}"


# Lists ------------------------------------------------------------------------------
LISTS = """---
title: "Lists"
---
## Demands

1. one
2. two

Between the lists.

3. three
4. four

### And then

1. five
   1. five-a
   2. five-b
2. six
   - under six

- a bullet
"""


def numbering_of(paragraph) -> tuple[str, int | None, int | None]:
    numbering = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
    if numbering is None:
        return paragraph.style.name, None, None
    return paragraph.style.name, numbering.numId.val, numbering.ilvl.val


def test_each_ordered_list_restarts_at_its_own_start():
    _, data = statement_docx(LISTS)
    word = read_back(data)
    seen = {p.text: numbering_of(p) for p in word.paragraphs}
    one, three, five, five_a = (seen[t][1] for t in ("one", "three", "five", "five-a"))
    assert len({one, three, five, five_a}) == 4, "a w:num of its own for every list"
    assert seen["one"] == seen["two"] == ("List Number", one, 0)
    assert seen["three"] == seen["four"] == ("List Number", three, 0)
    assert seen["five"] == seen["six"] == ("List Number", five, 0)
    assert seen["five-a"] == seen["five-b"] == ("List Number 2", five_a, 1)
    # Bullets take their numbering from the style itself.
    assert seen["under six"] == ("List Bullet 2", None, None)
    assert seen["a bullet"] == ("List Bullet", None, None)

    numbering = word.part.numbering_part.element
    style_num = word.styles["List Number"].element.pPr.numPr.numId.val
    decimal = numbering.num_having_numId(style_num).abstractNumId.val
    for num_id, level, start in ((one, 0, 1), (three, 0, 3), (five, 0, 1), (five_a, 1, 1)):
        num = numbering.num_having_numId(num_id)
        assert num.abstractNumId.val == decimal
        assert num.xpath("./w:lvlOverride/@w:ilvl") == [str(level)]
        assert num.xpath("./w:lvlOverride/w:startOverride/@w:val") == [str(start)]
    formats = numbering.xpath(
        f'./w:abstractNum[@w:abstractNumId="{decimal}"]/w:lvl/w:numFmt/@w:val'
    )
    assert set(formats) == {"decimal"}


def test_body_headings_start_at_heading_1():
    _, data = statement_docx(LISTS)
    word = read_back(data)
    assert styled(word, "Heading 1") == ["Demands"]
    assert styled(word, "Heading 2") == ["And then"]


FORMATTING = """---
title: "Formatting"
---
Text with ~~struck~~ and `code` and a hard\\
break.

- loose item, first paragraph

  second paragraph of the item

- another

---

```
def release():
\treturn "all"
```
"""


def test_strike_code_breaks_rules_loose_lists_and_code_blocks():
    _, data = statement_docx(FORMATTING)
    word = read_back(data)
    text = word.paragraphs[1]
    assert text.text == "Text with struck and code and a hard\nbreak."
    assert [r.text for r in text.runs if r.font.strike] == ["struck"]
    assert [r.text for r in text.runs if r.style.name == "Code"] == ["code"]
    assert styled(word, "List Bullet") == ["loose item, first paragraph", "another"]
    assert styled(word, "List Continue") == ["second paragraph of the item"]
    (rule,) = [p for p in word.paragraphs if p._p.xpath("./w:pPr/w:pBdr/w:bottom")]
    assert rule.text == ""
    assert styled(word, "Code Block") == ['def release():\n\treturn "all"']


# Scripts and direction --------------------------------------------------------------
RUSSIAN = """---
title: "Свободу журналистам Меридии"
language: ru
signatory_order: as-listed
signatories_intro: "Заявление подписали:"
signatories:
  - name: "Правозащитный центр «Мемориал»"
    country: "Россия"
  - name: "Ελληνική Ένωση για τα Δικαιώματα του Ανθρώπου"
    acronym: "ΕΕΔΑ"
    country: "Ελλάδα"
  - name: "مركز الخليج لحقوق الإنسان"
    country: "Ливан"
  - name: "Скрытая организация"
    anonymous: true
  - name: "Алексей Иванов"
    kind: individual
    note: "журналист"
---
Мы требуем **немедленно** освободить журналистов.
"""


def test_russian_statement_with_cyrillic_greek_and_arabic_names_reads_back():
    _, data = statement_docx(RUSSIAN)
    word = read_back(data)
    assert styled(word, "Title") == ["Свободу журналистам Меридии"]
    assert styled(word, "Signatory") == [
        "Правозащитный центр «Мемориал» (Россия)",
        "Ελληνική Ένωση για τα Δικαιώματα του Ανθρώπου (ΕΕΔΑ) (Ελλάδα)",
        "مركز الخليج لحقوق الإنسان (Ливан)",
        "Алексей Иванов, журналист",
    ]
    assert styled(word, "Anonymous Signatories") == [
        "а также ещё 1 организация, пожелавшая остаться неназванной"
    ]
    assert word.core_properties.language == "ru"
    assert word.core_properties.title == "Свободу журналистам Меридии"
    assert word.styles.element.xpath("./w:docDefaults//w:lang/@w:val") == ["ru"]
    body = word.element.body
    # A left-to-right document: no paragraph is right to left; the Arabic name is.
    assert not body.xpath(".//w:bidi")
    (arabic,) = [r for p in word.paragraphs for r in p.runs if ARABIC.search(r.text)]
    assert arabic._r.rPr.find(qn("w:rtl")) is not None
    assert arabic._r.rPr.rFonts.get(qn("w:cs")) == "Times New Roman"


ARABIC_STATEMENT = """---
title: "أطلقوا سراح الصحفيين في ميريديا"
language: ar
date: 2026-11-20
signatory_order: as-listed
signatories_intro: "وقّعت على هذا البيان المنظمات التالية:"
signatories:
  - name: "مركز الخليج لحقوق الإنسان"
    country: "لبنان"
  - name: "Human Rights Watch"
  - name: "منظمة لا تريد ذكر اسمها"
    anonymous: true
---
ندعو **السلطات** إلى الإفراج *فوراً* عن جميع الصحفيين.[^1]

1. الإفراج عن الصحفيين
2. إسقاط التهم

| المنفذ | العدد |
|:-:|---|
| ميريديا اليوم | ٥ |

[^1]: المادة ٢٠٧ من القانون الجنائي.
"""


def test_arabic_statement_paragraphs_are_right_to_left_with_a_complex_script_font():
    _, data = statement_docx(ARABIC_STATEMENT)
    word = read_back(data)
    reference_cs = read_back(REFERENCE_DOCX.read_bytes()).styles.element.xpath(
        "./w:docDefaults//w:rFonts/@w:cs"
    )
    assert reference_cs == ["Times New Roman"]
    body = word.element.body
    paragraphs = body.xpath(".//w:p")  # table cells included
    assert len(paragraphs) > 10
    assert all(p.xpath("./w:pPr/w:bidi") for p in paragraphs)
    arabic_runs = [r for r in body.xpath(".//w:r") if ARABIC.search(r.text or "")]
    assert len(arabic_runs) > 10
    for run in arabic_runs:
        assert run.rPr.find(qn("w:rtl")) is not None, run.text
        assert run.rPr.rFonts.get(qn("w:cs")) == "Times New Roman", run.text
    # Bold and italic in Arabic need their complex-script twins to show.
    (bold,) = [r for r in arabic_runs if r.text == "السلطات"]
    assert bold.rPr.find(qn("w:bCs")) is not None
    # A Latin name keeps left-to-right order (and its Latin font) inside the list.
    (latin,) = [r for r in body.xpath(".//w:r") if r.text == "Human Rights Watch"]
    assert latin.rPr.find(qn("w:rtl")) is None
    # The page, the table and the footer are right to left too.
    assert body.sectPr.find(qn("w:bidi")) is not None
    assert word.tables[0]._tbl.tblPr.find(qn("w:bidiVisual")) is not None
    footer = word.sections[0].footer.paragraphs[0]
    assert footer._p.pPr.find(qn("w:bidi")) is not None
    assert word.styles.element.xpath("./w:docDefaults//w:lang/@w:bidi") == ["ar"]
    assert word.core_properties.language == "ar"
    assert styled(word, "Signatory")[0] == "مركز الخليج لحقوق الإنسان (لبنان)"


def test_left_to_right_statement_has_no_right_to_left_markup(example):
    _, data = example
    document_xml = xml_parts(data)["word/document.xml"]
    assert "<w:bidi/>" not in document_xml
    assert "<w:rtl/>" not in document_xml


# Characters XML forbids and unsafe content ------------------------------------------
def test_characters_xml_forbids_are_dropped_and_the_file_opens():
    section = SignatorySection(
        intro="Signed\x0c by:",
        organisations=[Signatory(name="Bad\x01 Name\uffff", acronym="B\x1fN", country="Far\ufffe")],
        individuals=[Signatory(name="Lone \ud800surrogate", kind="individual")],
        anonymous_sentence="and 1 other\x0b organisation",
    )
    document = Document(
        title="Title\x02 with controls\x1b",
        language="en",
        blocks=(
            Paragraph((Text("Body\x00 text\x08 here"), Link("https://ok.example/\x07", ()))),
            CodeBlock("line one\n\tindented\x07"),
        ),
        footnotes=(),
        signatories=section,
        author="Lead\x03 NGO",
        sha256="0" * 64,
        version_number=1,
    )
    data = render_docx(document)
    for name, xml in xml_parts(data).items():
        assert not NOT_XML.search(xml), name
        etree.fromstring(xml.encode("utf-8"))  # well-formed
    word = read_back(data)
    texts = [p.text for p in word.paragraphs]
    assert texts[:4] == [
        "Title with controls",
        "Body text here",
        "line one\n\tindented",
        "Signed by:",
    ]
    assert styled(word, "Signatory") == ["Bad Name (BN) (Far)", "Lone surrogate"]
    assert styled(word, "Anonymous Signatories") == ["and 1 other organisation"]
    assert word.core_properties.title == "Title with controls"
    assert word.core_properties.author == "Lead NGO"


UNSAFE = """---
title: "Unsafe input"
---
Before <script>alert("pwned")</script> after.

<style>body { color: red }</style>

[click me](javascript:alert(1)) and <a href="javascript:alert(2)">raw link</a>
and [vb](vbscript:msgbox(3)) and [data](data:text/html;base64,PHNjcmlwdD4=).

<script>
document.write("block script")
</script>
"""


def test_script_style_and_javascript_links_never_reach_the_docx():
    _, data = statement_docx(UNSAFE)
    parts = xml_parts(data)
    everything = "\n".join(parts.values())
    # Raw HTML is dropped whole, with what sits inside <script> and <style>.
    for dropped in ("<script", "&lt;script", "<style", "&lt;style", "pwned", "document.write",
                    "color: red", "alert(2)"):  # fmt: skip
        assert dropped not in everything, dropped
    # Not one of the unsafe targets became a link: Markdown leaves them as the
    # visible text they were, exactly as the web page shows them.
    word = read_back(data)
    assert not [rel for rel in word.part.rels.values() if rel.reltype == RT.HYPERLINK]
    assert "<w:hyperlink" not in parts["word/document.xml"]
    rels = "\n".join(xml for name, xml in parts.items() if name.endswith(".rels"))
    for scheme in ("javascript", "vbscript", "data:"):
        assert scheme not in rels
    texts = "\n".join(p.text for p in word.paragraphs)
    assert "Before  after." in texts
    assert "[click me](javascript:alert(1)) and raw link" in texts


def test_the_writer_itself_refuses_a_javascript_link():
    # A model built by hand, bypassing the Markdown builder's own check.
    document = build_document(
        title="Hand-built",
        body="",
        language="en",
        signatories=SignatorySection(intro=""),
    )
    document = Document(
        title=document.title,
        language="en",
        blocks=(Paragraph((Link("javascript:alert(3)", (Text("trap"),)),)),),
        footnotes=(),
        signatories=document.signatories,
    )
    data = render_docx(document)
    assert "javascript" not in "\n".join(xml_parts(data).values())
    assert [p.text for p in read_back(data).paragraphs] == ["Hand-built", "trap"]


# Size and speed ---------------------------------------------------------------------
def test_a_thousand_signatories_build_quickly():
    people = [
        Signatory(
            name=f"Press Freedom Organisation {n:04d}",
            acronym=f"PFO{n}",
            country="Kyrgyzstan" if n % 2 else "",
            note="member of the network" if n % 3 == 0 else "",
            position=n,
        )
        for n in range(1000)
    ]
    section = build_section(people, order="as-listed", language="en", intro="Signed by:")
    document = build_document(
        title="A long list", body="Text.\n", language="en", signatories=section, sha256="a" * 64
    )
    started = time.perf_counter()
    data = render_docx(document)
    elapsed = time.perf_counter() - started
    print(f"1,000-signatory DOCX: {elapsed * 1000:.0f} ms, {len(data) // 1024} KB")
    listed = styled(read_back(data), "Signatory")
    assert listed == [
        s.display + (f" ({s.country})" if s.country else "") for s in section.organisations
    ]
    # python-docx's add_paragraph took over 3 s for this; the writer takes well under
    # 0.1 s. The bound only catches a return to the slow path on a slow machine.
    assert elapsed < 2.0


# From the database ------------------------------------------------------------------
def test_signed_statement_docx_lists_signers_without_their_contacts(
    app, create_statement, dummy_user
):
    statement = create_statement(title="Release the journalists")
    open_for_signing(app, statement, intro="Signed by:")
    signers = [
        ("Article 19", "ana@a19.example", "Ana Pérez", "A19", "United Kingdom"),
        ("Freedom House", "fh@freedom.example", "Bo Lindqvist", "FH", "United States"),
    ]
    paths = invite_partners(app, statement, [s[:2] for s in signers], by=dummy_user)
    for path, (name, email, person, acronym, country) in zip(paths, signers, strict=True):
        signer = partner(app, path + "/sign")
        form = sign_form(
            name=name,
            acronym=acronym,
            country=country,
            contact_email=email,
            authorised_by=person,
            website=f"https://www.{acronym.lower()}-site.example",
        )
        assert signer.post(path + "/sign", form).status_code == 303
    with app.app_context():
        document = document_for_statement(db.session.get(Statement, statement.id))
    data = render_docx(document)
    word = read_back(data)
    assert styled(word, "Signatory") == [
        "Article 19 (A19) (United Kingdom)",
        "Freedom House (FH) (United States)",
    ]
    everything = "\n".join(xml_parts(data).values())
    for private in ("@", "-site.example", "Ana Pérez", "Bo Lindqvist", "Director"):
        assert private not in everything, private


# The reference document -------------------------------------------------------------
def test_reference_document_holds_every_style_the_writer_uses(tmp_path):
    for path in (REFERENCE_DOCX, write_reference(tmp_path / "reference.docx")):
        word = read_back(path.read_bytes())
        names = {style.name for style in word.styles}
        assert set(STYLES_USED) <= names, set(STYLES_USED) - names
        assert word.styles["Table Grid"].type == WD_STYLE_TYPE.TABLE
        assert word.styles["Hyperlink"].type == WD_STYLE_TYPE.CHARACTER
        assert word.styles.element.xpath("./w:docDefaults//w:rFonts/@w:ascii") == ["Cambria"]
        section = word.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_a_coalition_brands_the_downloads_by_editing_the_reference(tmp_path, example):
    document, _ = example
    branded = tmp_path / "branded.docx"
    shutil.copy(REFERENCE_DOCX, branded)
    word = docx.Document(str(branded))
    word.styles["Title"].font.color.rgb = RGBColor(0xC0, 0x00, 0x30)
    word.styles["Signatory"].delete()  # a style it did not want: a plainer one stands in
    word.save(str(branded))

    result = read_back(render_docx(document, reference=branded))
    assert result.styles["Title"].font.color.rgb == RGBColor(0xC0, 0x00, 0x30)
    assert styled(result, "List Bullet")[-len(EXAMPLE_SIGNATORIES) :] == EXAMPLE_SIGNATORIES


def test_docx_render_is_stopped_at_the_time_limit():
    """SECURITY: rendering has a time limit, for the DOCX as for the PDF."""
    from signon.documents.pdf import render_with_time_limit
    from signon.documents.render_child import RenderError

    document = document_for_file(read_statement_file(EXAMPLE))
    data = render_with_time_limit(render_docx, document, seconds=60)
    assert data[:2] == b"PK"
    with pytest.raises(RenderError, match="took longer than"):
        render_with_time_limit(render_docx, document, seconds=0.000001)
