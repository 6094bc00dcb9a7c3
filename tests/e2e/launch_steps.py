"""Steps of the coalition's launch week against a started signon process: its
database, a browser context per person, anonymous fetches, the PDF read back."""

from __future__ import annotations

import io
import os
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page
from pypdf import PdfReader
from sqlalchemy import create_engine, make_url, text


@contextmanager
def database_of_its_own(folder: Path):
    """SIGNON_DATABASE_URL for the started process: a SQLite file in `folder`, or,
    on the suite's PostgreSQL run (SIGNON_TEST_DATABASE_URL), a database created on
    that server for this test alone and dropped afterwards."""
    server_url = os.environ.get("SIGNON_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{folder / 'coalition.db'}"
        return
    server = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"signon_journey_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Person:
    """One person's browser, JavaScript off, that may reach only the server."""

    def __init__(self, browser: Browser, base_url: str):
        self.base_url = base_url
        self.foreign: list[str] = []
        self.context: BrowserContext = browser.new_context(
            base_url=base_url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
        )
        self.context.route("**/*", self._loopback_only)
        self.page: Page = self.context.new_page()

    def _loopback_only(self, route) -> None:
        if route.request.url.startswith(self.base_url):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()
        assert not self.foreign, f"pages requested other hosts: {self.foreign}"


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def fetch(url: str) -> tuple[int, bytes]:
    """What anyone gets at `url` (the server's http address), with no cookie: the
    status and the body."""
    assert url.startswith("http://"), url
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (http only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def public_addresses(slug: str) -> list[str]:
    """Every public address of a statement that could carry its list."""
    return [
        f"/s/{slug}",
        f"/s/{slug}.pdf",
        f"/s/{slug}.pdf?size=letter",
        f"/s/{slug}.docx",
        f"/s/{slug}.md",
        f"/s/{slug}.txt",
        f"/s/{slug}.csv",
        f"/api/v1/statements/{slug}",
    ]


def pdf_text(body: bytes) -> str:
    """The PDF's text, page after page, its lines joined by single spaces."""
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def positions_in(text_: str, names: list[str]) -> list[int]:
    """Where each name first occurs in `text_` (-1 when it does not)."""
    return [text_.find(name) for name in names]
