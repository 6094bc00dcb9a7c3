"""Path and query values bounded to what the database can be asked about; anything
else is a 404. See docs/architecture.md, Bounded ids and paths.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter, UnicodeConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the type of every id column of ours


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` app-wide: digits only, 1 to MAX_ID; anything else is a 404."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PrintableConverter(UnicodeConverter):
    """`<name>` and `<string:name>` app-wide: a segment without control characters."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


def register(app) -> None:
    """Install the bounded converters; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = PrintableConverter
    app.url_map.converters["string"] = PrintableConverter


def bounded_int(value: str | None, default: int | None = None) -> int | None:
    """An integer in 1..MAX_ID from a query or form value, `default` when absent.

    Present but not digits, zero, negative or too large: a 404, as for a path.
    """
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit():
        abort(404)
    number = int(value)
    if not 1 <= number <= MAX_ID:
        abort(404)
    return number


def query_int(name: str, default: int | None = None) -> int | None:
    """`bounded_int` of the query parameter `name`."""
    return bounded_int(request.args.get(name), default)
