"""Writing rendered files so that a reader never sees half of one.

The render cache and `signon render` write through `write_atomically`: the bytes go
to a temporary file in the same folder, which then replaces the target in one step
(os.replace is atomic on POSIX and Windows within a file system). A failure at any
point leaves the target as it was and removes the temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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
