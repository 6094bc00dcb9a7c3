"""Routes: a statement's audit trail, as a page and as CSV (owners and editors)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("audit", __name__)
