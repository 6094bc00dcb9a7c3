"""Helpers for driving the app through its test client like a browser would."""

from __future__ import annotations

import re

CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def input_value(html: str, name: str) -> str:
    """The value of the first <input name=...> in a page, unescaped."""
    import html as html_lib

    for tag in re.findall(r"<input[^>]*>", html):
        if re.search(rf'name="{re.escape(name)}"', tag):
            value = re.search(r'value="([^"]*)"', tag)
            return html_lib.unescape(value.group(1)) if value else ""
    raise AssertionError(f"no input named {name!r} in the page")


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = CSRF_INPUT.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1) or match.group(2)


class Web:
    """Wraps a Flask test client: posts carry a CSRF token, login() logs in."""

    def __init__(self, client):
        self.client = client
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            page = self.client.get("/login")
            if page.status_code == 302:  # logged in: any page with a form has the token
                page = self.client.get("/")
            if page.status_code == 302:  # held until two-factor is on: the account page
                page = self.client.get("/account")
            self._token = csrf_token_in(page.get_data(as_text=True))
        return self._token

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data, **kwargs)

    def login(self, user, password: str | None = None):
        response = self.post("/login", {"email": user.email, "password": password or user.password})
        self._token = None  # a new session at login means a new CSRF token
        return response

    def logout(self):
        response = self.post("/logout")
        self._token = None
        return response
