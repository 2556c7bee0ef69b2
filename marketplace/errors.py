"""Domain errors, and the problem+json body that states one.

Services raise these; the JSON API renders them as problem+json and the HTML views turn
ValidationFailed into form messages (marketplace.error_handlers turns what a handler raises into
its response). Any exception raised by a handler rolls the request's transaction back, so a
refused request never leaves half its writes behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from flask import Response, jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    status = 400
    title = _l("Bad request")
    # A refusal that must still record what led to it (a wrong one-time code counts as an
    # attempt): the request's writes are committed instead of rolled back.
    keep_writes = False
    retry_after: int | None = None

    def __init__(self, detail: str, errors: Mapping[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors or {})


class ValidationFailed(ServiceError):
    status = 422
    title = _l("Validation failed")

    def __init__(self, errors: Mapping[str, list[str]], detail: str | None = None):
        fields = ", ".join(sorted(errors))
        super().__init__(
            detail or _("Some fields are not valid: %(fields)s.", fields=fields), errors
        )


class Conflict(ServiceError):
    status = 409
    title = _l("Conflict")


class NotAuthenticated(ServiceError):
    status = 401
    title = _l("Not authenticated")


class Forbidden(ServiceError):
    status = 403
    title = _l("Forbidden")


class NotFound(ServiceError):
    status = 404
    title = _l("Not found")


class TooManyRequests(ServiceError):
    status = 429
    title = _l("Too many requests")

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class FieldErrors:
    """Collects messages per field so one response names every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def problem(
    status: int, detail: str, errors: Mapping[str, list[str]] | None = None, title: str = ""
) -> Response:
    body = {
        "type": "about:blank",
        "title": str(title or HTTPStatus(status).phrase),
        "status": status,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = dict(errors)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response
