"""`signon render statements/x.md --pdf F --docx F --html F`: the documents straight
from a statement file, with no database and no server."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from signon import create_app
from signon.paths import CHECKOUT as ROOT

from .conftest import TEST_SECRET

EXAMPLE = ROOT / "statements" / "example.md"
SIGNON = Path(sys.executable).with_name("signon")
BAD_FILE = """---
title: "A statement"
language: en
signatories:
  - name: "Article 19"
    colour: blue
---
Text.
"""


@pytest.fixture
def runner(tmp_path):
    """The command as the app runs it, its database a file that must never appear."""
    instance = tmp_path / "instance"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": instance,
            "DATABASE_URL": f"sqlite:///{instance / 'signon.db'}",
            "SECRET_KEY": TEST_SECRET,
        }
    )
    yield app.test_cli_runner()
    assert not (instance / "signon.db").exists(), "render opened a database"


def outputs(folder: Path) -> dict[str, Path]:
    return {kind: folder / f"statement.{kind}" for kind in ("pdf", "docx", "html")}


def check_documents(files: dict[str, Path]) -> None:
    assert files["pdf"].read_bytes().startswith(b"%PDF-")
    docx = zipfile.ZipFile(io.BytesIO(files["docx"].read_bytes()))
    document_xml = docx.read("word/document.xml").decode("utf-8")
    html = files["html"].read_text(encoding="utf-8")
    for text in (
        "Free the journalists of Meridia",
        "Committee to Protect Reporters (CPR)",
        "and 2 other organisations that asked not to be named",
    ):
        assert text in document_xml, text
        assert text in html, text
    assert "Free Voices Collective" not in html  # anonymous: counted, not named
    assert "Free Voices Collective" not in document_xml
    assert "<script" not in html


def test_render_writes_pdf_docx_and_html_from_a_file(runner, tmp_path):
    files = outputs(tmp_path)
    result = runner.invoke(
        args=[
            "render",
            str(EXAMPLE),
            "--pdf",
            str(files["pdf"]),
            "--docx",
            str(files["docx"]),
            "--html",
            str(files["html"]),
        ]
    )
    assert result.exit_code == 0, result.output
    for path in files.values():
        assert f"Wrote {path}." in result.output
    check_documents(files)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["instance", *(p.name for p in files.values())]
    )  # no temporary file left beside them


def test_the_installed_command_renders_without_database_or_server(tmp_path):
    instance = tmp_path / "instance"
    files = outputs(tmp_path)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SIGNON_")}
    environment["SIGNON_INSTANCE_PATH"] = str(instance)
    result = subprocess.run(
        [
            str(SIGNON),
            "render",
            "statements/example.md",
            "--pdf",
            str(files["pdf"]),
            "--docx",
            str(files["docx"]),
            "--html",
            str(files["html"]),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    check_documents(files)
    assert not (instance / "signon.db").exists()
    assert not list(instance.glob("*.db*"))


def test_a_bad_file_names_the_file_and_the_line(runner, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text(BAD_FILE, encoding="utf-8")
    files = outputs(tmp_path)
    result = runner.invoke(args=["render", str(bad), "--pdf", str(files["pdf"])])
    assert result.exit_code == 1
    assert f"{bad}:6: signatory 1: unknown key 'colour'" in result.output
    assert not files["pdf"].exists()


def test_the_installed_command_fails_clearly_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text(BAD_FILE.replace("language: en", "language: klingon"), "utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SIGNON_")}
    environment["SIGNON_INSTANCE_PATH"] = str(tmp_path / "instance")
    result = subprocess.run(
        [str(SIGNON), "render", str(bad), "--html", str(tmp_path / "out.html")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"Error: {bad}:3: unknown language code 'klingon'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.html").exists()


def test_a_missing_file_is_said_plainly(runner, tmp_path):
    result = runner.invoke(
        args=["render", str(tmp_path / "nowhere.md"), "--html", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 1
    assert "nowhere.md: cannot read the file" in result.output


def test_render_needs_an_output(runner):
    result = runner.invoke(args=["render", str(EXAMPLE)])
    assert result.exit_code == 2
    assert "Name at least one file to write: --pdf, --docx or --html." in result.output


def test_a_render_that_fails_writes_no_file_at_all(runner, tmp_path):
    files = outputs(tmp_path)
    result = runner.invoke(
        args=[
            "render",
            str(EXAMPLE),
            "--html",
            str(files["html"]),
            "--pdf",
            str(files["pdf"]),
            "--time-limit",
            "0.001",
        ]
    )
    assert result.exit_code == 1
    assert "could not produce" in result.output and "No file was written." in result.output
    assert not files["html"].exists() and not files["pdf"].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance"]


def test_an_output_folder_that_does_not_exist_is_said_plainly(runner, tmp_path):
    target = tmp_path / "missing" / "statement.html"
    result = runner.invoke(args=["render", str(EXAMPLE), "--html", str(target)])
    assert result.exit_code == 1
    assert f"Cannot write {target}" in result.output
    assert "Traceback" not in result.output
