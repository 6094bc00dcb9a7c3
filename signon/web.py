"""What every response carries: security headers and template helpers."""

from __future__ import annotations

from flask import Flask, Response

from .languages import LANGUAGES, direction

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    """Install the after-request headers and the Jinja helpers."""
    app.after_request(_security_headers)
    app.add_url_rule("/healthz", "healthz", _healthz)
    from .statements.lifecycle import deadline_in_zone, status_now

    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        text_direction=direction,
        status_now=status_now,
        deadline_in_zone=deadline_in_zone,
    )
    app.jinja_env.filters["when"] = _when


def _healthz() -> Response:
    """For load balancers and uptime checks: the process answers. Touches no database."""
    return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def _when(value) -> str:
    """A timestamp as the team reads it: '28 Nov 2026, 14:03 UTC'."""
    if value is None:
        return ""
    return value.strftime("%-d %b %Y, %H:%M UTC")
