"""Which interface language a request gets, and the switcher that changes it.

Signer pages speak the statement's language, the public page too; the team's
pages the account's setting, else the browser's Accept-Language. A language
picked from the switcher (`?lang=ru`) is remembered in a first-party cookie.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel, Domain, get_locale, refresh
from flask_login import current_user
from markupsafe import Markup

from .i18n import (
    INTERFACE_LANGUAGES,
    SOURCE_LANGUAGE,
    interface_language,
    language_name,
    translations,
)
from .languages import LANGUAGES, direction

COOKIE = "signon_language"
COOKIE_SECONDS = 365 * 24 * 3600
QUERY = "lang"


class _CompiledCatalogs(Domain):
    """Flask-Babel's domain, reading the catalogs signon.i18n compiles from .po."""

    def get_translations(self):
        return translations(current_language())


def install(app: Flask) -> None:
    babel = Babel(app, locale_selector=_select)
    babel.domain_instance = _CompiledCatalogs()
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(
        page_language=current_language,
        page_direction=lambda: direction(current_language()),
        # For mail's inline styles, where clients know no logical properties.
        start_side=lambda: "right" if direction(current_language()) == "rtl" else "left",
        language_links=language_links,
        # A language named inside a sentence, in the page's language ('Kyrgyz').
        language_name=lambda code: language_name(code, current_language()),
    )


def current_language() -> str:
    """The interface language of this request ('en' outside one)."""
    locale = get_locale()
    return str(locale) if locale is not None else SOURCE_LANGUAGE


def use_statement_language(language: str) -> None:
    """A signer page of a statement in `language`: the page, its flashes and the
    mail it queues speak that language, unless the signer chose another."""
    g.signon_statement_language = language
    refresh()


def use_fixed_language(language: str) -> None:
    """A page that always speaks its statement's language (the public page)."""
    g.signon_fixed_language = language
    refresh()


def language_links() -> list[dict]:
    """The switcher: this page in each interface language, the current one marked.
    Each link is relative ('?lang=ar'): it keeps the page's path without writing it,
    so that an error page reads the same under any address."""
    current = current_language()
    arguments = {key: value for key, value in request.args.items() if key != QUERY}
    links = []
    for code in INTERFACE_LANGUAGES:
        query = urlencode({**arguments, QUERY: code})
        links.append(
            {
                "code": code,
                "name": LANGUAGES[code],
                "url": Markup.escape(f"?{query}"),
                "current": code == current,
            }
        )
    return links


def _chosen() -> str | None:
    return interface_language(request.args.get(QUERY)) or interface_language(
        request.cookies.get(COOKIE)
    )


def _select() -> str:
    if not has_request_context():
        return SOURCE_LANGUAGE
    fixed = interface_language(g.get("signon_fixed_language"))
    if fixed:
        return fixed
    statement_language = g.get("signon_statement_language")
    if statement_language is not None:
        return _chosen() or interface_language(statement_language) or _accepted()
    asked = interface_language(request.args.get(QUERY))
    account = getattr(current_user, "language", None) if current_user.is_authenticated else None
    return (
        asked
        or interface_language(account)
        or interface_language(request.cookies.get(COOKIE))
        or _accepted()
    )


def _accepted() -> str:
    return request.accept_languages.best_match(INTERFACE_LANGUAGES) or SOURCE_LANGUAGE


def _remember_choice(response: Response) -> Response:
    """A page whose language the visitor decides says so to caches (Vary), and a
    language picked from the switcher is remembered; the public page, whose
    language is its statement's, does neither."""
    if g.get("signon_fixed_language"):
        return response
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    chosen = interface_language(request.args.get(QUERY))
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_SECONDS,
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response
