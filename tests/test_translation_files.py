"""Translations live beside the statement file (x.md, x.ru.md naming the master
version it translates): import and export round-trip them, `signon render --lang`
prints one, and an import whose translation names a missing master version is
refused with the file and line, nothing saved."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from signon.extensions import db
from signon.statements.models import Statement
from signon.statements.translation_models import Translation, TranslationVersion

MASTER = """---
title: "Свободу журналистам"
slug: svobodu
language: ru
signatory_order: as-listed
signatories:
  - name: "Пресс-клуб"
  - name: "Article 19"
    acronym: "A19"
---
Мы требуем освободить журналистов.
"""
ENGLISH = """---
title: "Free the journalists"
translates: 1
signatories_intro: "Signed by:"
---
We demand the release of the journalists.
"""
KYRGYZ = """---
title: "Журналисттерге эркиндик"
language: ky
translates: 1
---
Биз журналисттерди бошотууну талап кылабыз.
"""


def files(folder, **texts):
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder / "svobodu.md"


def test_import_and_export_round_trip_the_translations(app, runner, tmp_path):
    source = files(tmp_path, **{"svobodu.md": MASTER, "svobodu.en.md": ENGLISH,
                                "svobodu.ky.md": KYRGYZ})  # fmt: skip
    result = runner.invoke(args=["import", str(source)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == "svobodu"))
        found = {t.language: t.latest for t in statement.translations}
        assert sorted(found) == ["en", "ky"]
        assert found["en"].title == "Free the journalists"
        assert found["en"].intro == "Signed by:"
        assert found["en"].master_version.number == 1

    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(args=["export", "svobodu", "-o", str(out / "svobodu.md")])
    assert result.exit_code == 0, result.output
    assert (out / "svobodu.en.md").read_text(encoding="utf-8") == (
        "---\ntitle: Free the journalists\nlanguage: en\ntranslates: 1\n"
        "signatories_intro: 'Signed by:'\n---\nWe demand the release of the journalists.\n"
    )
    # Imported again, the same files change nothing.
    result = runner.invoke(args=["import", str(out / "svobodu.md")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TranslationVersion)) == 2


def test_an_import_whose_translation_names_a_missing_version_saves_nothing(app, runner, tmp_path):
    wrong = KYRGYZ.replace("translates: 1", "translates: 4")
    source = files(tmp_path, **{"svobodu.md": MASTER, "svobodu.ky.md": wrong})
    result = runner.invoke(args=["import", str(source)])
    assert result.exit_code != 0
    assert f"{tmp_path / 'svobodu.ky.md'}:4: 'translates' names version 4" in result.output
    assert "Nothing was imported." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 0
        assert db.session.scalar(select(func.count()).select_from(Translation)) == 0


def test_a_translation_file_with_a_bad_key_names_its_line(runner, tmp_path):
    bad = ENGLISH.replace("translates: 1", "translates: 1\ncolour: red")
    source = files(tmp_path, **{"svobodu.md": MASTER, "svobodu.en.md": bad})
    result = runner.invoke(args=["import", str(source)])
    assert result.exit_code != 0
    assert f"{tmp_path / 'svobodu.en.md'}:4: unknown key 'colour'" in result.output


def test_render_prints_a_translation_above_the_same_list(runner, tmp_path):
    source = files(tmp_path, **{"svobodu.md": MASTER, "svobodu.en.md": ENGLISH})
    pdf = tmp_path / "svobodu.en.pdf"
    result = runner.invoke(args=["render", str(source), "--lang", "en", "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Free the journalists" in text and "We demand the release" in text
    assert "Signed by:" in text and "Пресс-клуб" in text and "Article 19 (A19)" in text
    assert "page 1 of 1" in text
    missing = runner.invoke(args=["render", str(source), "--lang", "fr", "--pdf", str(pdf)])
    assert missing.exit_code != 0 and "no 'fr' translation beside it" in missing.output
