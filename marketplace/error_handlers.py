"""How each face of the app answers an error a handler raised: problem+json for the API and
/healthz, an error page for the rest. Every answer but a refusal that keeps its writes rolls the
request's transaction back."""

from __future__ import annotations

import logging
import time
from http import HTTPStatus

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from marketplace.db import commit
from marketplace.errors import ServiceError, problem
from marketplace.extensions import db, limiter
from search.protocol import SearchUnavailable

log = logging.getLogger(__name__)

# A restart or failover of PostgreSQL takes seconds; a client retrying sooner finds it down.
DATABASE_RETRY_SECONDS = 5

# Werkzeug's words for the statuses it raises, English only: the same words through the
# catalogue (English reads exactly as before); a status not named here keeps werkzeug's.
_TITLES = {
    400: _l("Bad Request"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    413: _l("Request Entity Too Large"),
}
_DESCRIPTIONS = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    403: _l(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    404: _l(
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again."
    ),
    405: _l("The method is not allowed for the requested URL."),
    413: _l("The data value transmitted exceeds the capacity limit."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def _unavailable(title: str, heading: str, detail: str, retry_after: int) -> Response:
    """A 503 for something away for a moment: a problem to the API, a page to a person, and
    when to try again."""
    if wants_json():
        response = problem(503, detail, title=title)
    else:
        body, _status = _page(503, heading, detail)
        response = Response(body, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(retry_after)
    return response


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else _("Error")


def _described(error: HTTPException) -> str | None:
    """The error's own description, or ours when it is werkzeug's default for its status."""
    if error.code in _DESCRIPTIONS and error.description == type(error).description:
        return str(_DESCRIPTIONS[error.code])
    return error.description


def _forget_transaction() -> None:
    """Roll back; on a connection already dead the rollback itself can fail, and then there is
    nothing left to undo: the pool drops the connection."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):  # type: ignore[no-untyped-def]
        if error.keep_writes:
            commit()
        else:
            db.session.rollback()
        if wants_json():
            response = problem(error.status, error.detail, error.errors, error.title)
        else:
            body, _status = _page(error.status, str(error.title), error.detail)
            response = Response(body, status=error.status, mimetype="text/html")
        if error.retry_after:
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):  # type: ignore[no-untyped-def]
        # A unique constraint lost a race that the service's own check could not see.
        db.session.rollback()
        log.info("integrity error turned into 409: %s", error.orig)
        detail = _("This conflicts with something already stored.")
        if wants_json():
            return problem(409, detail)
        return _page(409, _("Conflict"), detail)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):  # type: ignore[no-untyped-def]
        db.session.rollback()
        detail = _(
            "Too many requests: the limit is %(limit)s. Please wait and retry.",
            limit=error.description,
        )
        if wants_json():
            response = problem(429, detail)
        else:
            body, _status = _page(429, _("Too many requests"), detail)
            response = Response(body, status=429, mimetype="text/html")
        breached = limiter.current_limit
        wait = breached.reset_at - int(time.time()) if breached else 60
        response.headers["Retry-After"] = str(max(1, wait))
        return response

    @app.errorhandler(SearchUnavailable)
    def search_unavailable(error: SearchUnavailable):  # type: ignore[no-untyped-def]
        db.session.rollback()
        log.warning("search unavailable: %s", error)
        detail = _("Search is unavailable right now. Listings are safe; please try again shortly.")
        heading = _("Search is unavailable")
        return _unavailable(_("Search unavailable"), heading, detail, retry_after=30)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: DBAPIError):  # type: ignore[no-untyped-def]
        # The server went away (a restart, a failover): nothing of this request was committed,
        # and pool_pre_ping hands the next request a fresh connection.
        _forget_transaction()
        log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        detail = _("The database is unavailable for a moment. Nothing was saved; please retry.")
        heading = _("Please try again in a moment")
        return _unavailable(_("Service unavailable"), heading, detail, DATABASE_RETRY_SECONDS)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        db.session.rollback()
        status = error.code or 500
        title = str(_TITLES.get(status, _phrase(status)))
        detail = _described(error) or title
        if wants_json():
            response = problem(status, detail, title=title)
        else:
            body, _status = _page(status, title, detail)
            response = Response(body, status=status, mimetype="text/html")
        original = dict(error.get_headers())
        for header in ("Allow", "WWW-Authenticate"):
            if header in original:
                response.headers[header] = original[header]
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        detail = _("Something went wrong on our side. It has been logged.")
        if wants_json():
            return problem(500, detail)
        return _page(500, _("Something went wrong"), detail)
