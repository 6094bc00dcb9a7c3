"""Routes: publishing a statement (owners) and its dated editions (public)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("publication", __name__)
