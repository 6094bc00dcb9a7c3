"""Integers from URLs, bounded to what a database id can hold.

SQLite raises OverflowError for an integer beyond 64 bits and PostgreSQL refuses
one beyond bigint, so an id of 2**64 in a path or a query string was a 500. Every
id and number of ours is a positive 64-bit integer: anything else names nothing.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` app-wide: digits only, 1 to 2**63-1; anything else is a 404."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app) -> None:
    """Make `int` the bounded converter; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = BoundedIntConverter


def bounded_int(value: str | None, default: int | None = None) -> int | None:
    """A positive 64-bit integer from a query or form value, `default` when absent.

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
