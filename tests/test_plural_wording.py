"""The counted-not-named sentence follows each language's plural rules (Babel's,
from CLDR), for counts 0, 1, 2, 5, 11, 21 and 101: read back from the PDF where the
script reads back in order, from the document model for Arabic."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from signon.documents.model import build_document
from signon.documents.pdf import render_pdf
from signon.documents.signatories import Signatory, anonymous_sentence, build_section

COUNTS = (0, 1, 2, 5, 11, 21, 101)
EXPECTED = {
    "ru": {
        1: "а также ещё 1 организация, пожелавшая остаться неназванной",
        2: "а также ещё 2 организации, пожелавшие остаться неназванными",
        5: "а также ещё 5 организаций, пожелавших остаться неназванными",
        11: "а также ещё 11 организаций, пожелавших остаться неназванными",
        21: "а также ещё 21 организация, пожелавшая остаться неназванной",
        101: "а также ещё 101 организация, пожелавшая остаться неназванной",
    },
    "ar": {
        1: "ومنظمة أخرى طلبت عدم ذكر اسمها",
        2: "ومنظمتان أخريان طلبتا عدم ذكر اسميهما",
        5: "و5 منظمات أخرى طلبت عدم ذكر أسمائها",
        11: "و11 منظمةً أخرى طلبت عدم ذكر أسمائها",
        21: "و21 منظمةً أخرى طلبت عدم ذكر أسمائها",
        101: "و101 منظمة أخرى طلبت عدم ذكر أسمائها",
    },
    "en": {n: f"and {n} other organisation{'' if n == 1 else 's'} that asked not to be named"
           for n in COUNTS[1:]},
    "fr": {
        1: "et 1 autre organisation qui a demandé à ne pas être nommée",
        **{n: f"et {n} autres organisations qui ont demandé à ne pas être nommées"
           for n in COUNTS[2:]},
    },
    "es": {
        1: "y 1 otra organización que pidió no ser nombrada",
        **{n: f"y {n} otras organizaciones que pidieron no ser nombradas" for n in COUNTS[2:]},
    },
    "ky": {n: f"ошондой эле аты аталбоосун суранган дагы {n} уюм" for n in COUNTS[1:]},
}  # fmt: skip


def document_with(counted: int, language: str):
    people = [Signatory(name="Named Organisation", position=0)]
    people += [Signatory(name=f"Hidden {i}", listed=False, position=i + 1) for i in range(counted)]
    section = build_section(people, order="as-listed", language=language, intro="—")
    return build_document(title="Statement", body="Text.", language=language, signatories=section)


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_sentence_for_each_count(language):
    assert anonymous_sentence(0, 0, language) == ""
    for count, sentence in EXPECTED[language].items():
        assert anonymous_sentence(count, 0, language) == sentence, (language, count)
        assert document_with(count, language).signatories.anonymous_sentence == sentence


@pytest.mark.parametrize("language", ["en", "fr", "es", "ru", "ky"])
def test_the_pdf_prints_it(language):
    for count in COUNTS:
        pdf = render_pdf(document_with(count, language))
        text = " ".join(
            " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
        )
        if count:
            assert EXPECTED[language][count] in text, (language, count, text[-300:])
        else:
            assert "Hidden" not in text
