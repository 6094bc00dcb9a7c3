"""Statement source files: Markdown with YAML front matter (README, "Statement files").

parse_statement_file() reads and checks a file without touching the database, so
`signon render` can use it alone; errors carry the file, the line and the problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..languages import LANGUAGES
from ..signatory_fields import FILE_FIELDS, KINDS, ORGANISATION, SignatoryEntry
from ..signatory_fields import LIMITS as ENTRY_LIMITS
from ..text import canonical_text, clean_line, has_control_characters

ORDERS = ("alphabetical", "as-listed", "signed-at")
STATEMENT_KEYS = (
    "title", "slug", "language", "date", "signatory_order", "lead_organisations",
    "signatories_intro", "signatories",
)  # fmt: skip
MAX_LEAD_ORGANISATIONS = 20
# A signatory's keys: its text fields, its kind, and "anonymous" (counted, not named).
SIGNATORY_KEYS = (*FILE_FIELDS, "kind", "anonymous")
LIMITS = {"title": 300, "slug": 80, "signatories_intro": 1000, **ENTRY_LIMITS}
MAX_BODY_BYTES = 200_000


class StatementFileError(ValueError):
    """A problem in a statement file, located by file and line."""

    def __init__(self, path: str, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


@dataclass
class StatementFile:
    title: str
    body: str
    language: str = "en"
    slug: str | None = None
    date: str | None = None
    signatory_order: str = "as-listed"
    signatories_intro: str = ""
    signatories: list[SignatoryEntry] = field(default_factory=list)
    lead_organisations: list[str] = field(default_factory=list)


def read_statement_file(path: str | Path) -> StatementFile:
    """Read and check a statement file; raises StatementFileError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StatementFileError(
            str(path), None, f"cannot read the file ({error.strerror})"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise StatementFileError(str(path), line, "the file is not UTF-8 text") from None
    return parse_statement_file(text, str(path))


def parse_statement_file(text: str, name: str = "<statement>") -> StatementFile:
    """Parse the text of a statement file; raises StatementFileError."""
    front, body, end = split_front_matter(text, name)

    def fail(line: int | None, problem: str):
        raise StatementFileError(name, line, problem)

    try:
        data = _load_yaml(front)
    except yaml.YAMLError as error:
        line, problem = _yaml_error_line(error, front)
        fail(line, f"the front matter is not valid YAML: {problem}")
    if not isinstance(data, dict):
        fail(2, "the front matter must be a mapping of keys to values")

    def line_of(*path) -> int | None:
        # The line of a mapping's key (not of its value, which may start on the
        # next line), or of a list item. Only an error asks: the nodes are read then.
        current, line = yaml.compose(front, Loader=yaml.SafeLoader), None
        for step in path:
            if isinstance(current, yaml.MappingNode):
                pair = next(((k, v) for k, v in current.value if k.value == step), None)
                if pair is None:
                    return None
                line, current = pair[0].start_mark.line, pair[1]
            elif isinstance(current, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(current.value):
                    return None
                current = current.value[step]
                line = current.start_mark.line
        return None if line is None else line + 2

    for key in data:
        if key not in STATEMENT_KEYS:
            fail(line_of(key), f"unknown key {key!r}; expected one of {', '.join(STATEMENT_KEYS)}")

    def text_value(value, *path, required=False, limit=None) -> str:
        key = path[-1] if isinstance(path[-1], str) else path[0]
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
            fail(line_of(*path), f"{key!r} must be text")
        value = clean_line(str(value))
        if required and not value:
            fail(line_of(*path), f"{key!r} is required and cannot be empty")
        if has_control_characters(value):
            fail(line_of(*path), f"{key!r} contains control characters or line breaks")
        limit = limit or LIMITS.get(key)
        if limit and len(value) > limit:
            fail(line_of(*path), f"{key!r} is longer than {limit} characters")
        return value

    if "title" not in data:
        fail(2, "the front matter has no 'title'")
    title = text_value(data["title"], "title", required=True)
    language = text_value(data.get("language", "en"), "language") or "en"
    if language not in LANGUAGES:
        fail(line_of("language"), f"unknown language code {language!r}")
    slug = text_value(data.get("slug"), "slug") or None
    if slug is not None and not _is_slug(slug):
        fail(line_of("slug"), "'slug' may hold only lowercase letters, digits and hyphens")
    date = data.get("date")
    if date is not None:
        if isinstance(date, dt.date):
            date = date.isoformat()
        else:
            date = text_value(date, "date")
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                fail(line_of("date"), f"'date' must be a date like 2025-06-05, not {date!r}")
    order = text_value(data.get("signatory_order", "as-listed"), "signatory_order")
    if order not in ORDERS:
        fail(line_of("signatory_order"), f"'signatory_order' must be one of {', '.join(ORDERS)}")
    intro = text_value(data.get("signatories_intro"), "signatories_intro")
    leads = data.get("lead_organisations") or []
    if isinstance(leads, str):
        leads = [leads]
    if not isinstance(leads, list):
        fail(line_of("lead_organisations"), "'lead_organisations' must be a list of names")
    if len(leads) > MAX_LEAD_ORGANISATIONS:
        fail(
            line_of("lead_organisations"),
            f"'lead_organisations' names more than {MAX_LEAD_ORGANISATIONS} organisations",
        )
    leads = [
        text_value(lead, "lead_organisations", index, limit=LIMITS["name"])
        for index, lead in enumerate(leads)
    ]
    leads = [lead for lead in leads if lead]

    raw_signatories = data.get("signatories") or []
    if not isinstance(raw_signatories, list):
        fail(line_of("signatories"), "'signatories' must be a list")
    signatories = []
    for index, entry in enumerate(raw_signatories):
        here = ("signatories", index)
        if not isinstance(entry, dict):
            fail(line_of(*here), f"signatory {index + 1} must be a mapping with at least a name")
        for key in entry:
            if key not in SIGNATORY_KEYS:
                fail(line_of(*here, key), f"signatory {index + 1}: unknown key {key!r}")
        if not clean_line(str(entry.get("name") or "")):
            fail(line_of(*here), f"signatory {index + 1} has no name")
        values = {key: text_value(entry.get(key), *here, key) for key in FILE_FIELDS}
        kind = text_value(entry.get("kind", ORGANISATION), *here, "kind") or ORGANISATION
        if kind not in KINDS:
            fail(line_of(*here, "kind"), f"signatory {index + 1}: 'kind' must be one of {KINDS}")
        anonymous = entry.get("anonymous", False)
        if not isinstance(anonymous, bool):
            fail(
                line_of(*here, "anonymous"),
                f"signatory {index + 1}: 'anonymous' must be true or false",
            )
        signatories.append(SignatoryEntry(**values, kind=kind, listed_publicly=not anonymous))

    body = checked_body(body, end, name)
    return StatementFile(
        title=title,
        body=body,
        language=language,
        slug=slug,
        date=date,
        signatory_order=order,
        signatories_intro=intro,
        signatories=signatories,
        lead_organisations=leads,
    )


def split_front_matter(text: str, name: str) -> tuple[str, str, int]:
    """(front matter, body, index of the closing '---' line); StatementFileError when
    the file does not open and close its front matter."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[0].strip() != "---":
        raise StatementFileError(name, 1, "the file must start with a '---' line (front matter)")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise StatementFileError(name, 1, "the front matter has no closing '---' line")
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :]), end


def checked_body(body: str, end: int, name: str) -> str:
    """The body in canonical form; StatementFileError for a control character (its
    line) or a body over MAX_BODY_BYTES. `end`: the index of the closing '---'."""
    for number, line in enumerate(body.split("\n"), start=end + 2):
        if has_control_characters(line, multiline=True):
            raise StatementFileError(name, number, "the body contains control characters")
    body = canonical_text(body)
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        problem = f"the body is larger than {MAX_BODY_BYTES // 1000} KB"
        raise StatementFileError(name, end + 2, problem)
    return body


def _load_yaml(front: str):
    """The front matter's data: through libyaml where PyYAML has it (a list of a
    thousand signatories reads in a tenth of the time), and through the pure-Python
    loader when that fails, whose error says best where and what went wrong."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(front, Loader=loader)  # noqa: S506 (a safe loader)
        except yaml.YAMLError:
            pass
    return yaml.load(front, Loader=yaml.SafeLoader)


def _yaml_error_line(error: yaml.YAMLError, front: str) -> tuple[int | None, str]:
    """The file line of a YAML error and what went wrong, for people.

    The front matter starts on the file's second line. A scanner error's context
    (an unclosed quote, a key without its colon) is where the mistake is; its
    problem mark is often only where PyYAML gave up, lines later.
    """
    if isinstance(error, yaml.reader.ReaderError):
        line = front[: error.position].count("\n") + 2
        return line, f"{error.reason} (U+{error.character:04X})"
    context = getattr(error, "context", None)
    context_mark = getattr(error, "context_mark", None)
    problem_mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    at_end = problem_mark is not None and problem_mark.index >= len(front.rstrip())
    if context_mark is not None and (isinstance(error, yaml.scanner.ScannerError) or at_end):
        mark = context_mark
    else:
        mark = problem_mark
    if context:
        problem = f"{context}: {problem}"
    return (mark.line + 2 if mark else None), problem


def _is_slug(value: str) -> bool:
    return all(c.isascii() and (c.islower() or c.isdigit() or c == "-") for c in value)


def dump_statement_file(statement: StatementFile) -> str:
    """The text of a statement file, front matter keys in the documented order."""
    front: dict = {"title": statement.title}
    if statement.slug:
        front["slug"] = statement.slug
    front["language"] = statement.language
    if statement.date:
        front["date"] = dt.date.fromisoformat(statement.date)
    front["signatory_order"] = statement.signatory_order
    if statement.lead_organisations:
        front["lead_organisations"] = list(statement.lead_organisations)
    if statement.signatories_intro:
        front["signatories_intro"] = statement.signatories_intro
    if statement.signatories:
        front["signatories"] = [_signatory_dict(s) for s in statement.signatories]
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n{statement.body}"


def _signatory_dict(signatory: SignatoryEntry) -> dict:
    entry: dict = {"name": signatory.name}
    for key in FILE_FIELDS:
        if getattr(signatory, key):
            entry[key] = getattr(signatory, key)
    if signatory.kind != ORGANISATION:
        entry["kind"] = signatory.kind
    if not signatory.listed_publicly:
        entry["anonymous"] = True
    return entry
