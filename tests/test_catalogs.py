"""The interface's catalogs: every marked string translated in every shipped
language, and no translation that drops, adds or breaks a placeholder or a tag.

The strings are extracted afresh from the source here, with the keywords the
Makefile's `extract` uses, so a string marked since the catalogs were last
updated fails the test until it is translated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from signon.i18n import CATALOGS, INTERFACE_LANGUAGES, SOURCE_LANGUAGE, catalog_path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = [language for language in INTERFACE_LANGUAGES if language != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _keywords() -> dict:
    """The Makefile's KEYWORDS, added to Babel's defaults as `pybabel extract` does."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    line = next(
        line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("KEYWORDS")
    )
    names = re.findall(r"-k (\S+)", line)
    return {**DEFAULT_KEYWORDS, **parse_keywords(names)}


def _marked() -> dict[tuple[str, str | None], str]:
    """(msgid, context) -> where it is used, from the source as it is."""
    with (CATALOGS / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[tuple[str, str | None], str] = {}
    for folder in ("signon", "templates"):
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=_keywords()
        ):
            singular = message[0] if isinstance(message, tuple) else message
            if singular:
                found.setdefault((singular, context), f"{folder}/{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def marked():
    return _marked()


def _catalog(language):
    with catalog_path(language).open("rb") as source:
        return read_po(source, locale=language)


def test_strings_are_marked(marked):
    # A floor, so that a broken extraction (no keywords, wrong paths) cannot pass.
    assert len(marked) > 500, len(marked)
    assert ("Sign this statement", None) in marked
    assert ("page %(page)s of %(pages)s", None) in marked


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_string_is_translated(language, marked):
    catalog = _catalog(language)
    missing = []
    for (msgid, context), where in marked.items():
        message = catalog.get(msgid, context=context)
        strings = (
            ()
            if message is None
            else (message.string if isinstance(message.string, tuple) else (message.string,))
        )
        if message is None or "fuzzy" in message.flags or not all(strings):
            missing.append(f"{where}: {msgid[:70]!r}")
    assert not missing, f"{len(missing)} untranslated in {language}:\n" + "\n".join(missing[:40])


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_tags(language):
    catalog = _catalog(language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        tags = sorted(TAG.findall(ids[0]))
        for text in filter(None, strings):
            have = set(PLACEHOLDER.findall(text))
            if isinstance(message.id, tuple):
                # A plural form may name its number in words (Arabic's one and two).
                ok = have <= wanted and wanted - have <= {"num"}
            else:
                ok = have == wanted
            if not ok:
                problems.append(f"placeholders {sorted(have)} != {sorted(wanted)}: {ids[0]!r}")
            if sorted(TAG.findall(text)) != tags:
                problems.append(f"tags differ: {ids[0]!r} -> {text!r}")
            try:
                text % {name: 1 for name in wanted | {"num"}}
            except (ValueError, TypeError, KeyError) as error:
                problems.append(f"cannot be formatted ({error}): {text!r}")
    problems += [f"{m.id!r}: {errors}" for m, errors in catalog.check()]
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_holds_nothing_obsolete(language, marked):
    """A msgid no code uses any more is dead weight for translators: `make update-catalogs`."""
    stale = [
        m.id
        for m in _catalog(language)
        if m.id and ((m.id[0] if isinstance(m.id, tuple) else m.id), m.context) not in marked
    ]
    assert not stale, stale[:20]
