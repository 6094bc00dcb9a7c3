"""Rendered files kept under instance/renders/, one file per distinct output.

See docs/architecture.md, The render cache.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

from flask import current_app, has_app_context

from ..paths import CHECKOUT, DOCUMENT_TEMPLATES, PACKAGE
from .atomic_files import write_once
from .model import Document

RENDERS_FOLDER = "renders"
# What decides a file's content besides its data: the document templates, this
# package, the code that chooses a stored statement's list, and the words, dates
# and plural forms of each language (the catalogs and the code that reads them).
SHAPING_PATHS = (
    DOCUMENT_TEMPLATES,
    PACKAGE / "documents",
    PACKAGE / "translations",
    PACKAGE / "i18n.py",
    PACKAGE / "times.py",
    PACKAGE / "languages.py",
    PACKAGE / "signatures" / "listing.py",
    PACKAGE / "signatures" / "consent.py",
    PACKAGE / "publication" / "documents.py",
    PACKAGE / "public" / "service.py",
)

# How many times each kind was rendered in this process (tests count renders).
render_counts: Counter[str] = Counter()
_counts_lock = threading.Lock()


class RenderFailed(RuntimeError):
    """A document could not be rendered; nothing was stored."""


def render_key(kind: str, document: Document | dict, options: dict | None = None) -> str:
    """The SHA-256 naming the file that `kind` with `options` makes of `document`.

    `document` is the Document itself, or a dict that identifies one as surely
    (for a stored statement: its version id, list revision and settings; see
    public.service.statement_identity), which costs one row instead of the list.
    """
    material = json.dumps(
        {
            "kind": kind,
            "options": options or {},
            "shaping_files": shaping_digest(),
            "version": _package_version(),
            "identity": document if isinstance(document, dict) else None,
        },
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(material.encode("utf-8"))
    if isinstance(document, Document):
        # Every field of the frozen dataclasses, class names included; pickle is
        # deterministic for the same data and about twice as fast as repr() here.
        digest.update(pickle.dumps(document, protocol=5))
    return digest.hexdigest()


def stored_path(
    instance_path: str | Path,
    kind: str,
    document: Document | dict,
    *,
    options: dict | None = None,
    extension: str | None = None,
) -> Path:
    """Where the file that `kind` with `options` makes of `document` is (or will be)
    stored; whether it is there yet is for the caller to check."""
    name = f"{render_key(kind, document, options)}.{extension or kind}"
    return Path(instance_path) / RENDERS_FOLDER / name


def cached_render(
    instance_path: str | Path,
    kind: str,
    document: Document | dict,
    render: Callable[[], bytes],
    *,
    options: dict | None = None,
    extension: str | None = None,
) -> Path:
    """The path of the rendered file, calling `render()` for its bytes the first time.

    `document` names the file (see render_key). Raises RenderFailed (with a
    message for people) when `render` fails or returns nothing; no file is left
    behind then.
    """
    path = stored_path(instance_path, kind, document, options=options, extension=extension)
    if path.is_file():
        return path

    def produce() -> bytes:
        note_render(kind)
        try:
            data = render()
        except Exception as error:
            raise RenderFailed(f"The {kind.upper()} could not be produced: {error}") from error
        if not isinstance(data, bytes) or not data:
            raise RenderFailed(f"The {kind.upper()} renderer produced no file.")
        return data

    return write_once(path, produce)


def note_render(kind: str) -> None:
    """Count a render of `kind` in this process (the tests read render_counts)."""
    with _counts_lock:
        render_counts[kind] += 1


def shaping_digest() -> str:
    """A digest of the templates and code that make the rendered files.

    Read once per process: code and templates change with a deploy, which
    restarts the workers. In debug mode (the reloader, templates edited by
    hand) it is read again on every call, from the files' sizes and times."""
    if has_app_context() and current_app.debug:
        return _digest_of(_shaping_stats())
    return _process_digest()


@cache
def _process_digest() -> str:
    return _digest_of(_shaping_stats())


def _shaping_stats() -> tuple[tuple[str, int, int], ...]:
    stats = []
    for shaping in SHAPING_PATHS:
        paths = sorted(shaping.rglob("*")) if shaping.is_dir() else [shaping]
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                stats.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


@lru_cache(maxsize=16)
def _digest_of(stats: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _size, _mtime in stats:
        path = Path(name)
        digest.update(str(path.relative_to(CHECKOUT)).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@cache
def _package_version() -> str:
    try:
        return metadata.version("signon")
    except metadata.PackageNotFoundError:
        return "unknown"


def prune(instance_path: str | Path, *, older_than_seconds: float, now: float | None = None) -> int:
    """Delete stored files not written for `older_than_seconds`; returns how many.

    Safe at any time: a file asked for again is rendered again. Each change to a
    list names a new file, so a busy campaign leaves many behind; run it daily.
    Files being written (temporary names) are left alone."""
    folder = Path(instance_path) / RENDERS_FOLDER
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - older_than_seconds
    removed = 0
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another prune, or a worker, got there first
            continue
    return removed
