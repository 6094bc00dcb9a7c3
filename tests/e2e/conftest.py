"""Browser fixtures: the app served on a loopback port and Debian's Chromium.

Tests here skip, saying why, when no Chromium is found; CI installs it.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("SIGNON_CHROMIUM"), "/usr/bin/chromium", "chromium"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set SIGNON_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test's app served on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base_url
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page; requests to any other host fail the test."""
    context = browser.new_context(base_url=live_server)
    foreign = []

    def guard(route):
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    context.close()
    assert not foreign, f"pages requested other hosts: {foreign}"


@pytest.fixture
def screenshots(request) -> Path:
    """The test's output folder for screenshots: test-output/<test name>/."""
    folder = Path(__file__).resolve().parents[2] / "test-output" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
