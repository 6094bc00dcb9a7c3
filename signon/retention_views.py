"""Routes: an owner purges a statement's contact data."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("retention", __name__)
