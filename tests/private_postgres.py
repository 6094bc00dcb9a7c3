"""A PostgreSQL server of the test's own, on a free port, made with this machine's
binaries: tests that stop, restart or cut a database never touch the shared one.

As root, the server runs as the `postgres` user (PostgreSQL refuses root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from .mailbox import free_port


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivateCluster:
    """initdb, start, stop, restart; `url` is the SQLAlchemy URL of database `signon`."""

    def __init__(self):
        self.bin = _binaries()
        if self.bin is None:
            pytest.skip("needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("needs runuser to run PostgreSQL as the postgres user")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        # Not under pytest's tmp_path: its folders are private to root, and the
        # server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="signon-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/signon"
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "signon")

    def _run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [*self.as_postgres, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"{program} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def _ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-o", options, "-l",
            str(self.root / "server.log"), "-w", "-t", "30", *args,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def sql(self, statement: str) -> str:
        """Run one statement with psql as the superuser; its unaligned output."""
        psql = shutil.which("psql") or str(self.bin / "psql")
        done = subprocess.run(
            [psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "signon",
             "-At", "-c", statement],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def close(self) -> None:
        with contextlib.suppress(AssertionError):  # already stopped
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def wait_until(condition, timeout: float = 20.0, step: float = 0.1):
    """Poll `condition()` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not true within {timeout} s: {condition}")
