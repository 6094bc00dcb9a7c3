"""Rendered PDF and DOCX files are kept under instance/renders/: rendered once per
text, list and code, written atomically, and a failed render leaves nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from signon.documents import cache
from signon.documents.cache import RenderFailed, cached_render, render_key
from signon.extensions import db
from signon.public.service import statement_identity
from signon.publication.documents import document_for_statement
from signon.signatures.models import Signature
from signon.signatures.moderation import edit_display
from signon.statements.models import Statement

from .public_steps import new_version, sign_as, signed_statement, withdraw_signature


@pytest.fixture
def signed(app, create_statement, dummy_user):
    # A live list: only then are an open statement's downloads public and cached.
    return signed_statement(app, create_statement, dummy_user, live_list=True)


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


def stored_key(app, statement, kind="pdf", options=None) -> str:
    """The name the public downloads give the statement's file, as it stands now."""
    with app.app_context():
        identity = statement_identity(db.session.get(Statement, statement.id))
        return render_key(kind, identity, {"page_size": "A4"} if options is None else options)


def revision(app, statement) -> int:
    with app.app_context():
        return db.session.get(Statement, statement.id).list_revision


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
    old_key = stored_key(app, statement)
    download(client, f"/s/{statement.slug}.pdf")
    before = count("pdf")
    new_version(app, statement, "We call for the release of all journalists.\n", by=dummy_user)

    new_key = stored_key(app, statement)
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

    def broken() -> bytes:
        raise MemoryError("out of memory halfway through")

    with pytest.raises(RenderFailed, match="could not be produced: out of memory halfway"):
        cached_render(instance, "pdf", document, broken)
    with pytest.raises(RenderFailed, match="produced no file"):
        cached_render(instance, "pdf", document, lambda: b"")
    assert renders(app) == []

    # The same document renders fine afterwards: nothing half-made was kept.
    path = cached_render(instance, "pdf", document, lambda: b"%PDF-1.7 whole")
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


def test_the_stored_key_follows_every_change_to_the_list(app, client, signed, dummy_user):
    """A cached download reads one row; the list revision is what tells it the list
    changed. Every kind of change to a signature raises it."""
    statement, ids = signed
    keys = [stored_key(app, statement)]
    revisions = [revision(app, statement)]
    assert stored_key(app, statement) == keys[0]  # stable while nothing changes
    assert stored_key(app, statement, "docx", {}) != keys[0]
    assert stored_key(app, statement, options={"page_size": "Letter"}) != keys[0]

    sign_as(app, statement, dummy_user, "Late Signers Alliance")
    keys.append(stored_key(app, statement))
    revisions.append(revision(app, statement))

    with app.app_context():  # the team corrects how an entry prints
        signature = db.session.get(Signature, ids["Article 19"])
        edit_display(signature, actor=dummy_user, name="Renamed Org", acronym="RO", note="")
        db.session.commit()
    keys.append(stored_key(app, statement))
    revisions.append(revision(app, statement))
    _status, _headers, pdf = download(client, f"/s/{statement.slug}.pdf")
    assert pdf.startswith(b"%PDF-")

    withdraw_signature(app, ids["Zeta Press Union"])
    keys.append(stored_key(app, statement))
    revisions.append(revision(app, statement))

    assert revisions == sorted(set(revisions)), revisions  # raised every time
    assert len(set(keys)) == len(keys)


def test_a_team_edit_of_a_name_shows_in_the_next_download(app, client, signed, dummy_user):
    statement, ids = signed
    _status, _headers, first = download(client, f"/s/{statement.slug}.docx")
    with app.app_context():
        signature = db.session.get(Signature, ids["Article 19"])
        edit_display(signature, actor=dummy_user, name="Corrected Name Union", acronym="", note="")
        db.session.commit()
    _status, _headers, second = download(client, f"/s/{statement.slug}.docx")
    with zipfile.ZipFile(io.BytesIO(second)) as archive:
        assert "Corrected Name Union" in archive.read("word/document.xml").decode()
    assert second != first


def test_prune_renders_deletes_old_files_and_a_download_renders_again(app, client, runner, signed):
    import os
    import time

    statement, _ids = signed
    download(client, f"/s/{statement.slug}.pdf")
    download(client, f"/s/{statement.slug}.docx")
    old, fresh = renders(app)  # one made ten days ago, one just now
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    (Path(app.instance_path) / "renders" / f".{fresh.name}.part").write_bytes(b"half")

    result = runner.invoke(args=["prune-renders", "--older-than", "7"])

    assert result.exit_code == 0, result.output
    assert result.output == "Deleted 1 cached file.\n"
    assert renders(app) == sorted([fresh, fresh.parent / f".{fresh.name}.part"])
    before = count(old.suffix[1:])
    status, _headers, again = download(client, f"/s/{statement.slug}{old.suffix}")
    assert status == 200 and again[:4] in (b"%PDF", b"PK\x03\x04")
    assert count(old.suffix[1:]) == before + 1  # rendered again, on demand

    for bad in (["--older-than", "-1"], ["--older-than", "soon"], []):
        assert runner.invoke(args=["prune-renders", *bad]).exit_code == 2
