"""Writing rendered files so that a reader never sees half of one.

The render cache and `signon render` write through `write_atomically`: the bytes go
to a temporary file in the same folder, which then replaces the target in one step
(os.replace is atomic on POSIX and Windows within a file system). A failure at any
point leaves the target as it was and removes the temporary file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

FILE_MODE = 0o644  # rendered documents are not secret; tempfile would make them 0600


def write_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all; returns the path."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)
    return path


def write_once(path: str | os.PathLike, produce: Callable[[], bytes]) -> Path:
    """The file at `path`, written from `produce()` unless it is there already.

    Callers asking at the same moment, in threads or in processes of this host
    (gunicorn's workers), wait on a lock file beside it for the first one's file
    instead of producing their own: a document is rendered once, and everyone gets
    the same bytes. A failed `produce()` writes nothing; the next caller tries.

    The lock file goes once the work is done: a caller still waiting on it then
    finds the file, and one arriving later finds it without waiting."""
    path = Path(path)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            if not path.is_file():
                write_atomically(path, produce())
        finally:
            with contextlib.suppress(FileNotFoundError):
                lock_path.unlink()
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    return path


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
