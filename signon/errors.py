"""One friendly page for every error, with the right status code."""

from __future__ import annotations

from flask import Flask, g, has_request_context, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db, login_manager

RETRY_AFTER_SECONDS = 5

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your role on this statement does not allow this.")),
    404: (_l("Not found"), _l("There is nothing here, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    410: (_l("Gone"), _l("This link is no longer valid.")),
    429: (_l("Too many attempts"), _l("Please wait a little before trying again.")),
    500: (
        _l("Something went wrong"),
        _l("The error was logged; nothing you sent was half-saved."),
    ),
    503: (
        _l("Try again in a moment"),
        _l(
            "signon cannot reach its database just now. Wait a few seconds and try again; "
            "a form you were sending was not saved, so send it again then."
        ),
    ),
}
# A failure after the request's changes were committed: they were saved.
AFTER_COMMIT = (
    _l("Something went wrong"),
    _l(
        "What you sent was saved, but the page that follows could not be shown. The error "
        "was logged. Go back and reload the page to see where things stand."
    ),
)


@event.listens_for(Session, "after_commit")
def _note_commit(_session) -> None:
    if has_request_context():
        g.committed = True


def database_unavailable(error: BaseException) -> bool:
    """The database did not answer (down, restarting, a dropped connection, no
    connection free in the pool), as opposed to a bug in a query."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | PoolTimeout)


def error_page(code: int, title: str, message: str):
    """A response with templates/errors.html and the given status."""
    body = render_template("errors.html", code=code, title=title, message=message)
    return make_response(body, code)


def _server_error_page():
    """The 500 page, honest about what was saved: after a commit it says so."""
    if g.get("committed"):
        return error_page(500, *AFTER_COMMIT)
    return error_page(500, *MESSAGES[500])


def _forget_transaction() -> None:
    """Let go of the failed transaction; a dead connection is dropped, not fatal."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()


def _first_line(error: BaseException) -> str:
    return str(error).strip().split("\n", 1)[0]


def _own_retry_after(response):
    """Retry-After means something on a 503 (ours: seconds) and a 429 (the rate
    limit's): Flask-Limiter writes its own on every response, and on a 503 it would
    put its window's reset (an hour) in place of ours."""
    if response.status_code == 503 and g.get("retry_after"):
        response.headers["Retry-After"] = g.retry_after
    elif response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def register(app: Flask) -> None:
    """Render every HTTP error, CSRF failures included, as a page of ours. Call it
    before Flask-Limiter's init_app: its header hook must run before ours."""
    app.after_request(_own_retry_after)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_page(
            400,
            _("Form expired"),
            _(
                "The form was missing its security token, or the token had expired. "
                "Reload the page and submit it again."
            ),
        )

    @app.errorhandler(413)
    def too_large(error: HTTPException):
        limit = app.config["MAX_CONTENT_LENGTH"] // 1024
        return error_page(
            413,
            _("Too large"),
            _("What you sent is larger than the %(limit)s KB signon accepts.", limit=limit),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        original = getattr(error, "original_exception", None)
        if isinstance(error, InternalServerError) and original is not None:
            # Raised outside the view (a teardown, an after-request hook).
            return unexpected_error(original)
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        try:
            response = error_page(code, title, message)
        except DBAPIError as failure:  # the page asked who is logged in, and no one answered
            return unexpected_error(failure)
        # Keep what HTTP requires of the error itself: Allow on a 405, Retry-After...
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: BaseException):
        _forget_transaction()
        unavailable = database_unavailable(error)
        if unavailable:
            # The page must not ask the database who is logged in.
            g._login_user = login_manager.anonymous_user()
        if unavailable and not g.get("committed"):
            app.logger.warning("The database is unavailable: %s", _first_line(error))
            response = error_page(503, *MESSAGES[503])
            response.headers["Cache-Control"] = "no-store"
            g.retry_after = str(RETRY_AFTER_SECONDS)
            return response
        app.logger.error("Unhandled error", exc_info=error)
        return _server_error_page()
