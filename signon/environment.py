"""SIGNON_* environment variables: which setting each one sets, and as what type.

Every setting of signon (the attributes of config.Defaults) can be given as SIGNON_
plus its name: SIGNON_BASE_URL sets BASE_URL. The value is read by the setting's
type (the type of its default, or TYPES below): numbers and flags must parse, or
the app refuses to start naming the variable; text stays exactly as written, so a
password 123456 stays a string. A SIGNON_* variable that names no setting is
ignored and reported, with the setting it probably meant.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping

PREFIX = "SIGNON_"

# SIGNON_* variables that are not settings: read before the app exists (the
# instance folder holds config.py) or by the test suite.
NOT_SETTINGS = frozenset({"SIGNON_INSTANCE_PATH", "SIGNON_TEST_DATABASE_URL", "SIGNON_CHROMIUM"})

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingError(RuntimeError):
    """A setting whose value cannot work; the app does not start."""


def text(value: str) -> str:
    return value


def integer(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError("give a whole number") from None


def number(value: str) -> float:
    try:
        return float(value.strip())
    except ValueError:
        raise ValueError("give a number of seconds, e.g. 10 or 2.5") from None


def boolean(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("give true or false")


def text_list(value: str) -> list[str]:
    """A JSON list of strings (["old key 1", "old key 2"]), or one item as written:
    a single old key is one key, whatever characters it holds."""
    if not value.strip():
        return []
    if not value.lstrip().startswith("["):
        return [value]
    try:
        items = json.loads(value)
    except ValueError:
        items = None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError('give one value, or a JSON list of strings: ["first", "second"]')
    return items


def json_object(value: str) -> dict:
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValueError('give a JSON object, e.g. {"pool_size": 10}')
    return parsed


def optional(parse: Callable[[str], object]) -> Callable[[str], object]:
    """An empty value means "not set" (None): the setting's default behaviour."""

    def parse_or_none(value: str):
        return None if not value.strip() else parse(value)

    return parse_or_none


# Settings whose default does not say their type (None), or whose type is wider
# than their default's (a whole number of seconds where fractions work too).
TYPES: dict[str, Callable[[str], object]] = {
    "SECRET_KEY": optional(text),
    "SESSION_COOKIE_SECURE": optional(boolean),
    "WTF_CSRF_TIME_LIMIT": optional(integer),
    "MAIL_SMTP_TIMEOUT": number,
    "RENDER_TIME_LIMIT": number,
}

_BY_DEFAULT_TYPE: dict[type, Callable[[str], object]] = {
    bool: boolean,  # before int: a bool is an int too
    int: integer,
    float: number,
    str: text,
    list: text_list,
    dict: json_object,
}


def parser_for(name: str, default: object) -> Callable[[str], object]:
    if name in TYPES:
        return TYPES[name]
    for kind, parse in _BY_DEFAULT_TYPE.items():
        if isinstance(default, kind):
            return parse
    raise TypeError(f"no environment type for the setting {name}; add it to TYPES")


def settings_from_environment(
    environ: Mapping[str, str], defaults: Mapping[str, object]
) -> tuple[dict[str, object], list[str]]:
    """The settings the SIGNON_* variables give, typed, and a warning per variable
    that names no setting. Raises SettingError naming every value that does not parse."""
    values: dict[str, object] = {}
    problems: list[str] = []
    warnings: list[str] = []
    for variable in sorted(environ):
        if not variable.startswith(PREFIX) or variable in NOT_SETTINGS:
            continue
        name = variable[len(PREFIX) :]
        if name not in defaults:
            warnings.append(_unknown(variable, name, defaults))
            continue
        raw = environ[variable]
        try:
            values[name] = parser_for(name, defaults[name])(raw)
        except ValueError as error:
            problems.append(f"{variable} is {raw!r}: {error}.")
    if problems:
        raise SettingError(" ".join(problems))
    return values, warnings


def _unknown(variable: str, name: str, defaults: Mapping[str, object]) -> str:
    message = f"{variable} matches no signon setting and is ignored"
    close = difflib.get_close_matches(name, list(defaults), n=1)
    return f"{message}; did you mean {PREFIX}{close[0]}?" if close else f"{message}."
