"""Translation files beside a statement file: statements/x.ru.md holds the Russian
translation of statements/x.md; its front matter names the master version it
translates. Read without the database, like the statement file (`signon render`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..languages import LANGUAGES
from ..text import clean_line, has_control_characters
from .files import (
    StatementFileError,
    _load_yaml,
    _yaml_error_line,
    checked_body,
    split_front_matter,
)

TRANSLATION_KEYS = ("title", "language", "translates", "signatories_intro")


@dataclass
class TranslationFile:
    language: str
    title: str
    body: str
    translates: int  # the master version this text translates
    signatories_intro: str = ""
    name: str = "<translation>"  # the file, for messages
    translates_line: int | None = None


def translation_paths(master: Path) -> list[tuple[str, Path]]:
    """The x.<language>.md files beside x.md, by language code."""
    found = []
    for path in sorted(master.parent.glob(f"{master.stem}.*{master.suffix}")):
        code = path.name[len(master.stem) + 1 : -len(master.suffix)]
        if code in LANGUAGES:
            found.append((code, path))
    return found


def path_for(master: Path, language: str) -> Path:
    return master.with_name(f"{master.stem}.{language}{master.suffix}")


def read_translations_beside(master: Path) -> list[TranslationFile]:
    """Every translation file beside a statement file; raises StatementFileError."""
    return [read_translation_file(path, code) for code, path in translation_paths(master)]


def read_translation_file(path: Path, language: str) -> TranslationFile:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        problem = f"cannot read the file ({error.strerror})"
        raise StatementFileError(str(path), None, problem) from None
    except UnicodeDecodeError:
        raise StatementFileError(str(path), None, "the file is not UTF-8 text") from None
    return parse_translation_file(text, language, str(path))


def parse_translation_file(text: str, language: str, name: str) -> TranslationFile:
    """A translation file's text, checked; raises StatementFileError (file, line, why)."""
    front, body, end = split_front_matter(text, name)

    def line_of(key: str) -> int | None:
        match = re.search(rf"^{re.escape(key)}\s*:", front, re.MULTILINE)
        return front[: match.start()].count("\n") + 2 if match else None

    def fail(line, problem):
        raise StatementFileError(name, line, problem)

    try:
        data = _load_yaml(front)
    except yaml.YAMLError as error:
        fail(*_yaml_error_line(error, front))
    if not isinstance(data, dict):
        fail(2, "the front matter must be a mapping of keys to values")
    for key in data:
        if key not in TRANSLATION_KEYS:
            fail(line_of(str(key)), f"unknown key {key!r}; expected one of "
                 f"{', '.join(TRANSLATION_KEYS)}")  # fmt: skip
    title = clean_line(str(data.get("title") or ""))
    if not title:
        fail(line_of("title") or 2, "'title' is required and cannot be empty")
    if data.get("language", language) != language:
        fail(line_of("language"), f"'language' must be {language!r}, as the file's name says")
    translates = data.get("translates")
    if isinstance(translates, bool) or not isinstance(translates, int) or translates < 1:
        fail(line_of("translates") or 2,
             "'translates' must name the master version translated, a number like 3")  # fmt: skip
    intro = clean_line(str(data.get("signatories_intro") or ""))
    for value, key in ((title, "title"), (intro, "signatories_intro")):
        if has_control_characters(value):
            fail(line_of(key), f"{key!r} contains control characters")
    body = checked_body(body, end, name)
    if not body.strip():
        fail(end + 2, "the translation has no text")
    return TranslationFile(
        language, title, body, translates, intro, name=name, translates_line=line_of("translates")
    )


def dump_translation_file(translation: TranslationFile) -> str:
    front: dict = {
        "title": translation.title,
        "language": translation.language,
        "translates": translation.translates,
    }
    if translation.signatories_intro:
        front["signatories_intro"] = translation.signatories_intro
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n{translation.body}"
