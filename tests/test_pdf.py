"""The PDF view: real WeasyPrint renders read back with pypdf.

Everything here renders for real: the statement template, our print CSS, the
Debian fonts, the URL fetcher and the child process of the time limit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import io
import logging
import multiprocessing
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pypdf
import pytest

from signon.documents.atomic_files import write_atomically
from signon.documents.model import Document, build_document
from signon.documents.pdf import (
    TWO_COLUMNS_OVER,
    render_pdf,
    render_pdf_with_time_limit,
    statement_html,
)
from signon.documents.render_child import RenderError, start_method
from signon.documents.signatories import INDIVIDUAL, Signatory, build_section
from signon.documents.weasyprint_html import BUNDLED, URLRefused, bundled_files_only
from signon.statements.file_document import document_for_file
from signon.statements.files import read_statement_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "statements" / "example.md"
AUTHOR = "Meridia Press Freedom Coalition"
MISSING_GLYPH = ".notdef glyph rendered"

CYRILLIC = "Правозащитный центр «Мемориал»"
GREEK = "Ελληνική Ένωση για τα Δικαιώματα του Ανθρώπου"
ARABIC = "الشبكة العربية لمعلومات حقوق الإنسان"
ARABIC_NOTE = "مركز القاهرة لدراسات حقوق الإنسان"


# Helpers ------------------------------------------------------------------------
class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def weasyprint_warnings():
    """What WeasyPrint logs at WARNING or above while rendering in this process."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def flat(text: str) -> str:
    """Lines joined with spaces, runs of whitespace made one: entries that wrap
    onto a second line read as one."""
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fragments(page) -> list[tuple[float, float, str]]:
    """(x, y) in PDF points of each piece of text on a page, with the text."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            a, b, c, d, e, f = cm
            x, y = tm[4], tm[5]
            found.append((a * x + c * y + e, b * x + d * y + f, text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def statement(
    names,
    *,
    language: str = "en",
    title: str = "Free the journalists",
    body: str = "We call for the release of all journalists.",
    intro: str = "Signed by:",
    author: str = AUTHOR,
) -> Document:
    people = (
        n if isinstance(n, Signatory) else Signatory(name=n, position=i)
        for i, n in enumerate(names)
    )
    section = build_section(people, order="as-listed", language=language, intro=intro)
    return build_document(
        title=title,
        body=body,
        language=language,
        signatories=section,
        date="2026-11-20",
        version_number=3,
        sha256="0123456789abcdef" * 4,
        author=author,
    )


def embedded_font_problems(pdf: bytes) -> tuple[set[str], list[str]]:
    """Every font in the PDF's page resources: (base font names, problems)."""
    names, problems = set(), []
    seen = set()

    def fonts_of(resources):
        resources = resources.get_object() if resources else {}
        for font in (resources.get("/Font") or {}).values():
            yield font.get_object()
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                yield from fonts_of(xobject.get("/Resources"))

    for page in reader(pdf).pages:
        for font in fonts_of(page.get("/Resources")):
            if id(font) in seen:
                continue
            seen.add(id(font))
            name = str(font.get("/BaseFont", "?"))
            names.add(name.split("+")[-1])
            if font.get("/Subtype") == "/Type3":
                problems.append(f"{name}: a Type 3 font, not an embedded font file")
                continue
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"{name}: not embedded")
    return names, problems


# The example statement ------------------------------------------------------------
@pytest.fixture(scope="module")
def example():
    document = document_for_file(read_statement_file(EXAMPLE), author=AUTHOR)
    with weasyprint_warnings() as warnings:
        pdf = render_pdf(document)
    return document, pdf, warnings


def test_example_lists_every_signatory_once_in_order(example):
    document, pdf, warnings = example
    text = flat(" ".join(page_texts(pdf)))
    listed = document.signatories.listed
    assert len(listed) == 10
    positions = []
    for signatory in listed:
        assert text.count(signatory.display) == 1, signatory.display
        entry = signatory.display + (f" ({signatory.country})" if signatory.country else "")
        assert text.count(entry) == 1, entry
        positions.append(text.index(signatory.display))
    assert positions == sorted(positions)
    # "Name (ACRONYM), note", organisations (alphabetical, 'The' ignored) first.
    assert "World Organisation Against Torture (OMCT), within the framework of the " in text
    assert listed[-1].kind == INDIVIDUAL
    assert "Amina Diallo, press freedom lawyer (Senegal)" in text
    assert text.index("Article 19 (A19)") < text.index("The Baltic Centre for Media Freedom")
    # The two anonymous ones are counted, not named.
    assert "and 2 other organisations that asked not to be named" in text
    assert "Free Voices Collective" not in text
    assert "Independent Journalists' Union" not in text
    # No contact data: no address, no website.
    assert "@" not in text
    assert "rsn.example.org" not in text
    assert not [w for w in warnings if MISSING_GLYPH in w]


def test_example_title_block_pages_header_and_fingerprint(example):
    document, pdf, _ = example
    pages = page_texts(pdf)
    count = len(pages)
    assert count >= 2
    first, last = flat(pages[0]), flat(pages[-1])
    assert first.startswith(flat(document.title))
    assert "20 November 2026" in first
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {count}" in text
    # The running header (the short title) from page 2 on, never on the title page.
    assert document.short_title.endswith("…")
    assert document.short_title not in first
    for text in pages[1:]:
        assert document.short_title in flat(text)
    fingerprint = f"Text version 1 · fingerprint (SHA-256): {document.sha256}"
    assert fingerprint in flat(last)
    assert flat(" ".join(pages)).count(document.sha256[:12]) == 1
    # The fingerprint comes after the list.
    assert flat(last).index("asked not to be named") < flat(last).index(fingerprint)


def test_example_metadata(example):
    document, pdf, _ = example
    pdf_reader = reader(pdf)
    info = pdf_reader.metadata
    assert info["/Title"] == document.title
    assert info["/Author"] == AUTHOR
    assert info["/CreationDate"].startswith("D:20261120")
    assert pdf_reader.trailer["/Root"]["/Lang"] == "en"


def test_list_update_date_and_no_invented_author():
    document = dataclasses.replace(
        statement(["Organisation"], language="fr", author=""), list_updated="2026-12-01"
    )
    pdf = render_pdf(document)
    info = reader(pdf).metadata
    assert "/Author" not in info
    assert info["/CreationDate"].startswith("D:20261120")
    assert info["/ModDate"].startswith("D:20261201")
    text = flat(" ".join(page_texts(pdf)))
    assert "20 novembre 2026" in text
    assert "Liste mise à jour le 1 décembre 2026." in text
    assert "page 1 sur 1" in text


def test_example_is_hyphenated_by_language_but_names_are_not(example):
    document, pdf, _ = example
    html = statement_html(document)
    assert '<html lang="en" dir="ltr">' in html
    text = "\n".join(page_texts(pdf))
    body, listing = text.split(document.signatories.intro)
    # English hyphenation broke at least one word of the body at a line end...
    assert [line for line in body.splitlines() if line.endswith("\u2010")]
    # ...but no signatory entry is hyphenated.
    assert not [line for line in listing.splitlines() if line.endswith("\u2010")]


# Scripts and fonts ------------------------------------------------------------------
def test_cyrillic_greek_and_arabic_names_read_back_with_embedded_fonts():
    names = [
        CYRILLIC,
        Signatory(name=GREEK, acronym="ΕΕΔΑ", position=1),
        Signatory(name=ARABIC, acronym="ANHRI", country="Египет", position=2),
        Signatory(name="Ассоциация «Голос»", note=ARABIC_NOTE, position=3),
    ]
    document = statement(
        names,
        language="ru",
        title="Освободите журналистов Мериддии",
        body="Мы, нижеподписавшиеся организации, требуем освободить журналистов.",
        intro="Заявление подписали:",
    )
    with weasyprint_warnings() as warnings:
        pdf = render_pdf(document)
    assert not [w for w in warnings if MISSING_GLYPH in w], warnings
    text = flat(" ".join(page_texts(pdf)))
    assert "Освободите журналистов Мериддии" in text
    assert "20 ноября 2026 г." in text
    # Where Arabic meets Latin on one line, extraction may move a space across the
    # direction change ("الإنسان( ANHRI)"), so entries are compared without spaces.
    squashed = squash(text)
    for signatory in document.signatories.listed:
        assert squashed.count(squash(signatory.display)) == 1, signatory.display
        assert set(signatory.display) <= set(text)
    fonts, problems = embedded_font_problems(pdf)
    assert not problems
    assert {"DejaVu-Serif", "Noto-Naskh-Arabic"} <= fonts, fonts
    assert reader(pdf).trailer["/Root"]["/Lang"] == "ru"


def test_a_glyph_no_font_has_is_reported():
    # The check above can fail: a character no installed font covers (U+0378 is
    # unassigned) is logged by WeasyPrint, and our check sees it.
    with weasyprint_warnings() as warnings:
        render_pdf(statement(["Organisation \u0378"]))
    assert [w for w in warnings if MISSING_GLYPH in w]


@pytest.mark.parametrize(
    ("language", "direction"),
    [("ar", "rtl"), ("fa", "rtl"), ("he", "rtl"), ("ur", "rtl"), ("ru", "ltr"), ("en", "ltr")],
)
def test_direction_follows_language(language, direction):
    html = statement_html(statement(["Name"], language=language))
    assert f'<html lang="{language}" dir="{direction}">' in html


def test_arabic_statement_is_laid_out_right_to_left():
    body = "نحن المنظمات الموقعة أدناه نطالب بالإفراج عن جميع الصحفيين المعتقلين.\n\nنعم."
    document = statement(
        [ARABIC, "مركز القاهرة"], language="ar", title="أطلقوا سراح الصحفيين", body=body,
        intro="الموقعون:",
    )  # fmt: skip
    with weasyprint_warnings() as warnings:
        pdf = render_pdf(document)
    assert not [w for w in warnings if MISSING_GLYPH in w], warnings
    text = flat(" ".join(page_texts(pdf)))
    for expected in (
        "أطلقوا سراح الصحفيين",
        "نطالب بالإفراج عن جميع الصحفيين",
        ARABIC,
        "مركز القاهرة",
    ):
        assert expected in text
    assert reader(pdf).trailer["/Root"]["/Lang"] == "ar"

    # The short line "نعم." starts near the right margin; the same line in an
    # English statement starts at the left margin.
    page = reader(pdf).pages[0]
    width = float(page.mediabox.width)
    short = [x for x, _, t in fragments(page) if t.startswith("نعم")]
    assert short and short[0] > 0.8 * width, (short, width)

    english = render_pdf(statement(["Name"], body="We call.\n\nYes."))
    page = reader(english).pages[0]
    short = [x for x, _, t in fragments(page) if t.startswith("Yes")]
    assert short and short[0] < 0.2 * width


# Security -------------------------------------------------------------------------
@pytest.fixture
def listener():
    """A real HTTP server on a free loopback port that records every request."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1], requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_nothing_outside_reaches_the_pdf(listener):
    port, requests = listener
    loopback = f"http://127.0.0.1:{port}"
    body = f"""Before.

![x](file:///etc/passwd)

![y]({loopback}/pixel.png)

[click me](javascript:alert(1))

<script>alert(2)</script>

<style>body {{ background: url({loopback}/css.png) }} .secret {{ color: red }}</style>

<img src="{loopback}/raw.png"> <link rel="attachment" href="file:///etc/passwd">

<a rel="attachment" href="{loopback}/attachment">an attachment</a>

<p style="background: url({loopback}/inline.png)">styled</p>

After.
"""
    document = statement(["Organisation"], body=body)
    html = statement_html(document)
    pdf = render_pdf(document)
    text = flat(" ".join(page_texts(pdf)))
    assert "Before." in text
    assert "After." in text
    passwd = [line for line in Path("/etc/passwd").read_text().splitlines() if line.strip()]
    assert passwd
    for line in passwd:
        assert line not in text
    assert "root:" not in text
    assert requests == []
    # The script is dropped with its content. markdown-it never makes a link of a
    # javascript: target: that Markdown stays visible text, and is no link (below).
    assert "alert(2)" not in text
    assert "alert(" not in text.replace("[click me](javascript:alert(1))", "")
    for css in ("background", "url(", "color: red", ".secret", "{"):
        assert css not in text
    # Nothing of it in the HTML WeasyPrint was given, either: no element, no
    # attribute that could load or run anything. (A file: or javascript: target is
    # no link for markdown-it, so its Markdown stays as text.)
    statement_part = html.split('<main class="statement">')[1]
    for needle in ("<script", "<style", "<img", "<link", "src=", "style=", 'rel="attachment'):
        assert needle not in statement_part
    assert not re.search(r'href="(?!https?://|mailto:|#)', statement_part)
    assert f'href="{loopback}' not in statement_part
    pdf_reader = reader(pdf)
    assert not pdf_reader.attachments
    for page in pdf_reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert "javascript" not in str(action.get("/URI", "")).lower()
            assert action.get("/S") != "/JavaScript"


def test_the_fetcher_refuses_everything_but_bundled_files_and_data(listener):
    port, requests = listener
    fetch = bundled_files_only()
    outside = [
        "file:///etc/passwd",
        f"http://127.0.0.1:{port}/pixel.png",
        f"https://127.0.0.1:{port}/pixel.png",
        "ftp://127.0.0.1/file",
        f"{BUNDLED.as_uri()}/../../pyproject.toml",
        f"{BUNDLED.as_uri()}/%2e%2e/%2e%2e/pyproject.toml",
        f"file://example.org{BUNDLED}/print.css",
        (ROOT / "templates" / "base.html").as_uri(),
        f"{BUNDLED.as_uri()}/no-such-file.css",
    ]
    for url in outside:
        with pytest.raises(URLRefused):
            fetch(url)
        with pytest.raises(URLRefused):
            fetch.fetch(url)
    assert requests == []
    # What it does serve: our own files and data: URLs.
    response = fetch(f"{BUNDLED.as_uri()}/print.css")
    assert response.read() == (BUNDLED / "print.css").read_bytes()
    assert response.content_type == "text/css"
    response.close()
    response = fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"
    response.close()


# Page size and columns --------------------------------------------------------------
def test_a4_by_default_and_letter_by_option():
    document = statement(["Organisation"])
    a4 = reader(render_pdf(document)).pages[0].mediabox
    letter = reader(render_pdf(document, page_size="Letter")).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    with pytest.raises(ValueError, match="page size"):
        render_pdf(document, page_size="A3; } body { color: red")


def test_lists_of_more_than_twenty_names_have_two_columns():
    def classes(count):
        html = statement_html(statement([f"Organisation {i}" for i in range(count)]))
        return re.search(r'<(?:ul|table) class="signatories organisations([^"]*)"', html)[1]

    assert "two-columns" not in classes(TWO_COLUMNS_OVER)
    assert "two-columns" in classes(TWO_COLUMNS_OVER + 1)


def layout_lines(pdf: bytes) -> list[list[str]]:
    """Each page's text laid out as lines, with spaces standing for the distances
    between words (pypdf's layout mode): columns show as character positions."""
    return [page.extract_text(extraction_mode="layout").splitlines() for page in reader(pdf).pages]


def entry_starts(pdf: bytes) -> dict[int, tuple[int, int, int]]:
    """Entry number -> (page, line, column) where "Organisation number NN" starts."""
    starts = {}
    for number, lines in enumerate(layout_lines(pdf)):
        for line_number, line in enumerate(lines):
            for match in re.finditer(r"Organisation number (\d\d)", line):
                starts[int(match[1])] = (number, line_number, match.start())
    return starts


def test_forty_names_fit_one_page_in_two_columns():
    document = statement([f"Organisation number {i:02d} ({i})" for i in range(40)])
    starts = entry_starts(render_pdf(document))
    assert sorted(starts) == list(range(40))
    # All on page 1 (in one column they would need two pages), at two positions.
    assert {page for page, _, _ in starts.values()} == {0}
    # Layout mode rounds positions to characters: a column is a cluster of them.
    left = {column for _, _, column in starts.values() if column < 30}
    right = {column for _, _, column in starts.values() if column >= 30}
    assert left and right and max(left) - min(left) <= 3 and max(right) - min(right) <= 3
    assert min(right) - max(left) > 30
    # Row by row, left then right, in order: the reading order of the page.
    assert sorted(starts, key=lambda i: starts[i]) == list(range(40))
    assert all(starts[i][1] == starts[i + 1][1] for i in range(0, 40, 2))


def test_no_entry_is_split_between_columns_or_pages():
    # Every fifth entry is seven lines long in a column; without `break-inside:
    # avoid` on the rows, the long entries are cut in two by page breaks.
    note = (
        "within the framework of the Observatory for the Protection of Human Rights "
        "Defenders, a joint programme of the International Federation for Human Rights "
        "and the World Organisation Against Torture"
    )
    people = [
        Signatory(
            name=f"Organisation number {i:02d}",
            acronym=f"ON{i:02d}",
            note=note if i % 5 == 0 else "",
            position=i,
        )
        for i in range(40)
    ]
    document = statement(people)
    pdf = render_pdf(document)
    starts = entry_starts(pdf)
    assert sorted(starts) == list(range(40))
    pages = reader(pdf).pages
    assert len(pages) > 1
    assert sorted(starts, key=lambda i: starts[i]) == list(range(40))
    # Names and notes are never hyphenated, even in narrow columns.
    assert not [t for page in pages for _, _, t in fragments(page) if t.endswith("\u2010")]
    # A long entry's last line is on its page, in its column (standing in a few
    # characters), below its first line, with no other entry starting in between.
    lines = layout_lines(pdf)
    for i in range(0, 40, 5):
        page, first, column = starts[i]
        ends = [
            n
            for n, line in enumerate(lines[page])
            if n > first
            and (end := line.find("Against Torture", column)) >= 0
            and 0 < len(line[column:end]) - len(line[column:end].lstrip()) <= 10
        ]
        assert ends, f"entry {i} is split"
        between = [
            j
            for j, (p, n, c) in starts.items()
            if p == page and abs(c - column) <= 3 and first < n <= ends[0]
        ]
        assert not between, f"entry {i} is split"
    text = flat(" ".join(page_texts(pdf)))
    for signatory in document.signatories.listed:
        assert text.count(signatory.display) == 1


# Time limit and atomic files ---------------------------------------------------------
def big_document() -> Document:
    paragraph = " ".join(["journalists detained authorities release freedom press"] * 40)
    body = "\n\n".join(f"## Part {i}\n\n{paragraph}" for i in range(30))
    return statement([f"Organisation for Press Freedom number {i}" for i in range(600)], body=body)


def test_time_limit_stops_the_render_and_leaves_no_file(tmp_path):
    target = tmp_path / "statement.pdf"
    target.write_bytes(b"the previous PDF")
    document = big_document()
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"longer than 0\.01 s"):
        write_atomically(target, render_pdf_with_time_limit(document, page_size="A4", seconds=0.01))
    assert time.monotonic() - started < 10
    assert not multiprocessing.active_children()  # the child was killed and reaped
    assert target.read_bytes() == b"the previous PDF"
    assert [p.name for p in tmp_path.iterdir()] == ["statement.pdf"]


def test_time_limited_render_returns_the_pdf_and_writes_it_whole(tmp_path):
    document = statement([CYRILLIC, GREEK], language="ru")
    pdf = render_pdf_with_time_limit(document, page_size="Letter", seconds=60)
    target = write_atomically(tmp_path / "statement.pdf", pdf)
    data = target.read_bytes()
    assert data == pdf
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert round(float(reader(data).pages[0].mediabox.width)) == 612
    text = flat(" ".join(page_texts(data)))
    assert CYRILLIC in text and GREEK in text
    assert [p.name for p in tmp_path.iterdir()] == ["statement.pdf"]
    assert not multiprocessing.active_children()


def test_with_other_threads_running_the_child_comes_from_a_fork_server():
    # A forked copy of a threaded process could hang on a lock another thread held.
    # A process with one thread forks (checked in a fresh one: earlier tests, the
    # browser ones, leave threads behind in this one).
    alone = subprocess.run(
        [sys.executable, "-c",
         "from signon.documents.render_child import start_method as s; print(s())"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    assert alone.stdout.strip() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert start_method() == "forkserver"
        pdf = render_pdf_with_time_limit(statement([GREEK]), page_size="A4", seconds=60)
    finally:
        stop.set()
        other.join()
    assert GREEK in flat(" ".join(page_texts(pdf)))
    assert not multiprocessing.active_children()


def test_a_failure_in_the_child_is_a_render_error():
    broken = dataclasses.replace(statement(["Organisation"]), signatories=None)
    with pytest.raises(RenderError, match=r"rendering the PDF failed: \w+Error: .*total"):
        render_pdf_with_time_limit(broken, page_size="A4", seconds=60)
    with pytest.raises(ValueError, match="page size"):
        render_pdf_with_time_limit(statement(["Organisation"]), page_size="B5", seconds=60)
    assert not multiprocessing.active_children()


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "statement.pdf"
    write_atomically(target, b"first")
    write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    # Replacing a folder fails after the bytes were written: nothing is left behind.
    folder = tmp_path / "a-folder.pdf"
    folder.mkdir()
    with pytest.raises(OSError):
        write_atomically(folder, b"data")
    with pytest.raises(TypeError):
        write_atomically(target, "not bytes")  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder.pdf", "statement.pdf"]
    assert target.read_bytes() == b"second"
    assert list(folder.iterdir()) == []
