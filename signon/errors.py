"""One friendly page for every error, with the right status code."""

from __future__ import annotations

from flask import Flask, make_response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your role on this statement does not allow this."),
    404: ("Not found", "There is nothing here, or you do not have access to it."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    410: ("Gone", "This link is no longer valid."),
    429: ("Too many attempts", "Please wait a little before trying again."),
    500: ("Something went wrong", "The error was logged; nothing you sent was half-saved."),
}


def error_page(code: int, title: str, message: str):
    """A response with templates/errors.html and the given status."""
    body = render_template("errors.html", code=code, title=title, message=message)
    return make_response(body, code)


def register(app: Flask) -> None:
    """Render every HTTP error, CSRF failures included, as a page of ours."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_page(
            400,
            "Form expired",
            "The form was missing its security token, or the token had expired. "
            "Reload the page and submit it again.",
        )

    @app.errorhandler(413)
    def too_large(error: HTTPException):
        limit = app.config["MAX_CONTENT_LENGTH"] // 1024
        return error_page(
            413, "Too large", f"What you sent is larger than the {limit} KB signon accepts."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        response = error_page(code, title, message)
        # Keep what HTTP requires of the error itself: Allow on a 405, Retry-After...
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return error_page(500, *MESSAGES[500])
