"""Translated error pages; no stack trace ever reaches a browser."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class DomainError(ValueError):
    """A business rule refused an action; `str()` is the translated message, safe to show.

    Every feature's errors derive from this one base, so the unit of work
    (`portal.core.uow`) can roll back and report any of them the same way. `field`
    names the form field the message belongs to, when there is one.
    """

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page does not exist or is not visible to you.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    413: (_l("Too large"), _l("The upload is too large.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a while and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. Our staff have been told.")),
    503: (_l("Unavailable"), _l("The service is temporarily unavailable. Please try again soon.")),
}


def render_error(code: int, reference: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template("errors/error.html", code=code, title=title, message=message,
                           reference=reference), code


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):
        return render_error(400)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError):
        reference = secrets.token_hex(4)
        log.error("error %s", reference, exc_info=error.original_exception)
        return render_error(500, reference)
