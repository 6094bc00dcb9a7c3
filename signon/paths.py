"""Where signon finds the files it ships beside its code.

templates/ and statements/ sit at the top of a checkout; a built wheel maps them
into the package as signon/templates and signon/examples (pyproject.toml,
[tool.hatch.build.targets.wheel.force-include]). Each is looked up in the package
first, then in the checkout around it, so an editable install and an installed
wheel find the same files.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def _shipped(in_checkout: str, in_wheel: str) -> Path:
    inside = PACKAGE / in_wheel
    return inside if inside.is_dir() else CHECKOUT / in_checkout


TEMPLATES = _shipped("templates", "templates")
EXAMPLE_STATEMENTS = _shipped("statements", "examples")
DOCUMENT_TEMPLATES = TEMPLATES / "documents"
REFERENCE_DOCX = DOCUMENT_TEMPLATES / "reference.docx"


def default_instance_path() -> str | None:
    """instance/ of a checkout; None for an installed package (Flask then picks
    <prefix>/var/signon-instance)."""
    if (CHECKOUT / "pyproject.toml").is_file() and not (PACKAGE / "templates").is_dir():
        return str(CHECKOUT / "instance")
    return None
