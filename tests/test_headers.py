"""Security headers on every response, and pages that load nothing from another host."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

SAFE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_protected(response) -> None:
    csp = policy(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in str(csp)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in SAFE_REFERRER_POLICIES


def test_login_page_carries_the_headers(web):
    response = web.get("/login")

    assert response.status_code == 200
    assert_protected(response)


def test_redirect_to_login_carries_the_headers(web):
    response = web.get("/")

    assert response.status_code == 302
    assert_protected(response)


def test_not_found_page_carries_the_headers(web):
    response = web.get("/no/such/page")

    assert response.status_code == 404
    assert_protected(response)


def test_refused_form_carries_the_headers(web):
    response = web.post("/login", {"email": "a@b.example", "password": "x" * 10}, csrf=False)

    assert response.status_code == 400
    assert_protected(response)


def test_method_not_allowed_carries_the_headers(web):
    response = web.get("/logout")

    assert response.status_code == 405
    assert_protected(response)
    assert "POST" in response.headers["Allow"]  # HTTP requires a 405 to say what is allowed


def test_rate_limited_login_carries_the_headers(web, dummy_user):
    for _ in range(10):
        web.login(dummy_user, password="wrong password")

    response = web.login(dummy_user, password="wrong password")

    assert response.status_code == 429
    assert_protected(response)
    assert response.headers["Retry-After"]


def test_forbidden_page_carries_the_headers(web, create_user, create_statement):
    viewer = create_user()
    statement = create_statement(members={viewer: "viewer"})
    web.login(viewer)

    response = web.get(f"/statements/{statement.slug}/members")

    assert response.status_code == 403
    assert_protected(response)


def test_statement_file_download_carries_the_headers(web, dummy_user, dummy_statement):
    web.login(dummy_user)

    response = web.get(f"/statements/{dummy_statement.slug}/export.md")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "text/markdown"
    assert_protected(response)


def test_stylesheet_carries_the_headers(web):
    response = web.get("/static/signon.css")

    assert response.status_code == 200
    assert_protected(response)
    response.close()


class Resources(HTMLParser):
    """Every address a page makes the browser load or submit to."""

    LOADED = {
        "link": ("href",),
        "script": ("src",),
        "img": ("src", "srcset"),
        "iframe": ("src",),
        "source": ("src", "srcset"),
        "video": ("src", "poster"),
        "audio": ("src",),
        "embed": ("src",),
        "object": ("data",),
        "form": ("action",),
        "input": ("src", "formaction"),
        "button": ("formaction",),
    }

    def __init__(self):
        super().__init__()
        self.addresses: list[str] = []
        self.inline_styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in self.LOADED.get(tag, ()):
            if values.get(name):
                self.addresses.append(values[name])
        if values.get("style"):
            self.inline_styles.append(values["style"])


def addresses_in(html: str) -> Resources:
    parser = Resources()
    parser.feed(html)
    return parser


def is_this_host(address: str) -> bool:
    address = address.strip().lower()
    return not (address.startswith(("//", "\\\\", "/\\")) or ":" in address.split("/", 1)[0])


@pytest.fixture
def team_pages(web, dummy_user, create_statement):
    body = (
        "We call for their release. ![logo](https://tracker.example/pixel.png)\n\n"
        "[Read the report](https://www.example.org/report)\n"
    )
    statement = create_statement(title="Release them", body=body)
    web.login(dummy_user)
    slug = statement.slug
    return [
        "/",
        "/statements/new",
        f"/statements/{slug}",
        f"/statements/{slug}/edit",
        f"/statements/{slug}/history",
        f"/statements/{slug}/versions/1",
        f"/statements/{slug}/diff",
        f"/statements/{slug}/members",
        "/statements/no-such-statement",
    ]


def test_team_pages_load_nothing_from_another_host(web, team_pages):
    for url in team_pages:
        response = web.get(url)
        assert response.status_code in (200, 404), url
        found = addresses_in(response.get_data(as_text=True))
        assert found.addresses, url  # at least the stylesheet
        assert [a for a in found.addresses if not is_this_host(a)] == [], url
        assert not [s for s in found.inline_styles if "url(" in s], url


def test_login_and_error_pages_load_nothing_from_another_host(web):
    for response in (web.get("/login"), web.get("/nowhere"), web.post("/login", csrf=False)):
        found = addresses_in(response.get_data(as_text=True))
        assert found.addresses
        assert [a for a in found.addresses if not is_this_host(a)] == []


def test_stylesheet_imports_nothing_from_another_host(web):
    response = web.get("/static/signon.css")
    css = response.get_data(as_text=True).lower()
    response.close()

    assert "@import" not in css
    assert "http:" not in css
    assert "https:" not in css
    assert "url(//" not in css
