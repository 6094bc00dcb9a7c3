"""What every response carries: security headers and template helpers."""

from __future__ import annotations

from flask import Flask, Response, make_response
from flask_login import current_user
from jinja2 import pass_context

from .languages import LANGUAGES, direction, label_direction
from .locale_choice import current_language
from .times import long_day, long_time, team_time

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    """Install the after-request headers and the Jinja helpers."""
    app.after_request(_security_headers)
    app.add_url_rule("/healthz", "healthz", _healthz)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, text_direction=direction)
    app.jinja_env.filters["when"] = _when
    app.jinja_env.filters["label_direction"] = label_direction
    # `{{ deadline | long_time }}` '5 June 2026, 18:00', `{{ day | long_day }}`
    # '5 June 2026': in the page's language.
    app.jinja_env.filters["long_time"] = lambda value: long_time(value, current_language())
    app.jinja_env.filters["long_day"] = lambda value: long_day(value, current_language())


def private_page(body: str, status: int = 200) -> Response:
    """A page reached by a secret link: the URL stays out of Referer headers and caches."""
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _healthz() -> Response:
    """For load balancers and uptime checks: the process answers. Touches no database."""
    return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})


def _security_headers(response: Response) -> Response:
    headers = response.headers
    if "Cache-Control" not in headers and current_user and current_user.is_authenticated:
        # A team page (signatures with contacts, invitations, members, unlisted
        # names): no browser or proxy keeps a copy. Pages that set their own
        # caching (public pages, downloads) keep it.
        headers["Cache-Control"] = "no-store"
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


@pass_context
def _when(context, value, statement=None) -> str:
    """`{{ at | when }}`: a timestamp in the time zone of the page's `statement`, the
    zone named: '1 Dec 2026, 20:05 (Asia/Bishkek)'. A page of several statements
    names the one each time belongs to: `{{ s.updated_at | when(s) }}`. Without a
    statement, UTC, said so."""
    statement = statement if statement is not None else context.get("statement")
    return team_time(value, getattr(statement, "time_zone", None), current_language())
