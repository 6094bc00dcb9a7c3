"""signon as an operator runs it: the installed commands in subprocesses, settings
only as SIGNON_* variables, and a small cookie-keeping HTTP client for the server.

Nothing here imports the app: what the tests see is what a started process does.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from .mailbox import free_port
from .support import csrf_token_in

BIN = Path(sys.executable).parent
COOKIE = re.compile(r"^([^=;\s]+)=([^;]*)")


def operator_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any SIGNON_* or FLASK_* variable, plus
    `settings` (names without the prefix: BASE_URL=... becomes SIGNON_BASE_URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNON_", "FLASK_"))}
    env.update({f"SIGNON_{name}": value for name, value in settings.items()})
    return env


def signon(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run the installed `signon` command; its exit code and output, never raising."""
    return subprocess.run(
        [str(BIN / "signon"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


class Server:
    """A started server process on a free loopback port; its output goes to a file."""

    def __init__(self, env: dict[str, str], log: Path, *, gunicorn: bool, port: int = 0):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        if gunicorn:
            address = f"127.0.0.1:{self.port}"
            command = [str(BIN / "gunicorn"), "--bind", address, "--threads", "4"]
            command += ["--graceful-timeout", "2", "signon:create_app()"]
        else:
            command = [str(BIN / "signon"), "run", "--host", "127.0.0.1", "--port", str(self.port)]
        with open(log, "w") as output:
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, text=True
            )
        self._wait_until_it_answers()

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def _wait_until_it_answers(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited ({self.process.returncode}):\n{self.log}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/login")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"the server did not answer within {timeout} s:\n{self.log}")

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not ended within ten seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookie(self, name: str) -> str:
        """The Set-Cookie header that sets `name`, whole (its flags included)."""
        for header in self.headers.get_all("Set-Cookie") or []:
            if header.startswith(f"{name}="):
                return header
        raise AssertionError(f"no {name} cookie set; headers: {self.headers}")


class Visitor:
    """One person's browser: keeps its cookies, posts forms with their CSRF token.

    It sends every cookie back, Secure ones too: the server is reached over plain
    HTTP here, as behind the TLS proxy that BASE_URL=https://... implies.
    """

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        host, port = self.server_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = Response(connection.getresponse())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = COOKIE.match(header).groups()
            self.cookies[name] = value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def submit(self, form_page: str, action: str, fields: dict) -> Response:
        """Post `fields` to `action` with the CSRF token of the page at `form_page`."""
        token = csrf_token_in(self.get(form_page).text)
        return self.request("POST", action, {**fields, "csrf_token": token})
