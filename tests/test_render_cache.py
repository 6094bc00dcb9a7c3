"""Rendered PDF and DOCX files are kept under instance/renders/: rendered once per
text, list and code, written atomically, and a failed render leaves nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from signon.documents import cache
from signon.documents.build import document_for_statement
from signon.documents.cache import RenderFailed, cached_render, render_key
from signon.extensions import db
from signon.statements.models import Statement

from .public_steps import new_version, sign_as, signed_statement


@pytest.fixture
def signed(app, create_statement, dummy_user):
    return signed_statement(app, create_statement, dummy_user)


def renders(app) -> list[Path]:
    folder = Path(app.instance_path) / "renders"
    return sorted(folder.iterdir()) if folder.exists() else []


def count(kind: str) -> int:
    return cache.render_counts[kind]


def download(client, url: str):
    with client.get(url) as response:
        return response.status_code, response.headers, response.get_data()


def document_of(app, statement):
    with app.app_context():
        return document_for_statement(db.session.get(Statement, statement.id))


def test_the_second_pdf_download_is_read_from_the_stored_file(app, client, signed):
    statement, _ids = signed
    before = count("pdf")
    status, headers, first = download(client, f"/s/{statement.slug}.pdf")
    assert status == 200, first[:500]
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == f"attachment; filename={statement.slug}.pdf"
    assert first.startswith(b"%PDF-")
    assert count("pdf") == before + 1
    (stored,) = renders(app)
    assert stored.suffix == ".pdf" and stored.read_bytes() == first

    status, _headers, second = download(client, f"/s/{statement.slug}.pdf")
    assert status == 200
    assert second == first
    assert count("pdf") == before + 1  # not rendered again
    assert renders(app) == [stored]


def test_letter_size_is_a_file_of_its_own(app, client, signed):
    statement, _ids = signed
    _status, _headers, a4 = download(client, f"/s/{statement.slug}.pdf")
    status, headers, letter = download(client, f"/s/{statement.slug}.pdf?size=letter")
    assert status == 200
    assert headers["Content-Disposition"] == f"attachment; filename={statement.slug}-letter.pdf"
    assert letter.startswith(b"%PDF-") and letter != a4
    assert len(renders(app)) == 2
    assert download(client, f"/s/{statement.slug}.pdf?size=tabloid")[0] == 400


def test_a_new_signature_renders_a_new_file(app, client, signed, dummy_user):
    statement, _ids = signed
    _status, _headers, first = download(client, f"/s/{statement.slug}.pdf")
    before = count("pdf")
    sign_as(app, statement, dummy_user, "Late Signers Alliance")

    _status, _headers, second = download(client, f"/s/{statement.slug}.pdf")
    assert count("pdf") == before + 1
    assert second != first
    assert len(renders(app)) == 2
    _status, _headers, third = download(client, f"/s/{statement.slug}.pdf")
    assert third == second and count("pdf") == before + 1


def test_a_new_version_of_the_text_renders_a_new_file(app, client, signed, dummy_user):
    statement, _ids = signed
    old_key = render_key("pdf", document_of(app, statement), {"page_size": "A4"})
    download(client, f"/s/{statement.slug}.pdf")
    before = count("pdf")
    new_version(app, statement, "We call for the release of all journalists.\n", by=dummy_user)

    new_key = render_key("pdf", document_of(app, statement), {"page_size": "A4"})
    assert new_key != old_key
    status, _headers, _data = download(client, f"/s/{statement.slug}.pdf")
    assert status == 200
    assert count("pdf") == before + 1
    assert sorted(p.stem for p in renders(app)) == sorted([old_key, new_key])


def test_the_second_docx_download_is_read_from_the_stored_file(app, client, signed):
    statement, _ids = signed
    before = count("docx")
    status, headers, first = download(client, f"/s/{statement.slug}.docx")
    assert status == 200, first[:500]
    assert headers["Content-Disposition"] == f"attachment; filename={statement.slug}.docx"
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(first)).namelist()
    _status, _headers, second = download(client, f"/s/{statement.slug}.docx")
    assert second == first
    assert count("docx") == before + 1
    assert [p.suffix for p in renders(app)] == [".docx"]


def test_a_failing_renderer_leaves_nothing_behind(app, signed):
    statement, _ids = signed
    document = document_of(app, statement)
    instance = Path(app.instance_path)

    def broken(_document) -> bytes:
        raise MemoryError("out of memory halfway through")

    with pytest.raises(RenderFailed, match="could not be produced: out of memory halfway"):
        cached_render(instance, "pdf", document, broken)
    with pytest.raises(RenderFailed, match="produced no file"):
        cached_render(instance, "pdf", document, lambda _document: b"")
    assert renders(app) == []

    # The same document renders fine afterwards: nothing half-made was kept.
    path = cached_render(instance, "pdf", document, lambda _document: b"%PDF-1.7 whole")
    assert path.read_bytes() == b"%PDF-1.7 whole"
    assert renders(app) == [path]


def test_a_render_past_the_time_limit_is_a_clear_503_and_stores_nothing(app, client, signed):
    statement, _ids = signed
    app.config["RENDER_TIME_LIMIT"] = 0.001
    status, headers, body = download(client, f"/s/{statement.slug}.pdf")
    assert status == 503
    assert headers["Retry-After"]
    assert "The document could not be produced; try again" in body.decode()
    assert renders(app) == []

    app.config["RENDER_TIME_LIMIT"] = 60
    status, _headers, pdf = download(client, f"/s/{statement.slug}.pdf")
    assert status == 200 and pdf.startswith(b"%PDF-")


def test_the_key_covers_kind_options_text_and_list(app, signed, dummy_user):
    statement, _ids = signed
    document = document_of(app, statement)
    key = render_key("pdf", document, {"page_size": "A4"})
    assert key == render_key("pdf", document_of(app, statement), {"page_size": "A4"})
    assert key != render_key("pdf", document, {"page_size": "Letter"})
    assert key != render_key("docx", document)
    sign_as(app, statement, dummy_user, "Late Signers Alliance")
    assert key != render_key("pdf", document_of(app, statement), {"page_size": "A4"})
