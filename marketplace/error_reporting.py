"""Error reports through Sentry (sentry-sdk), when SENTRY_DSN is set: unhandled errors in
requests (logged by the error handler, which the logging integration reports with its stack) and
failed Celery tasks.

Nothing personal or secret is sent (the promise of the sub-processors notice): no default PII,
no local variables, no request bodies, no cookies; every header, query string, message,
exception text, breadcrumb and extra goes through the same redaction as the log lines
(`marketplace.redaction`), which also blanks a task's arguments (`celery-job`), decodes query
strings and Referer headers, and blanks what follows `--password` in `sys.argv`. Each report is
tagged with the request id, so it can be found in the logs."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.flask import FlaskIntegration

from marketplace import request_ids, request_logging
from marketplace.redaction import REDACTED, redact_data

Event = dict[str, Any]


def init_app(app: Flask) -> None:
    dsn = app.config["SENTRY_DSN"]
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        environment=app.config["SENTRY_ENVIRONMENT"] or app.config["APP_ENV"],
        integrations=[FlaskIntegration(), CeleryIntegration()],
        # send_default_pii stays off, its default (sentry-sdk 2.76 warns when it is passed at all)
        include_local_variables=False,  # a frame's locals may hold a password or a token
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


def scrub_event(event: Event, _hint: dict[str, Any]) -> Event:
    """The event as it may leave: redacted throughout, the request without its body and cookies,
    the user reduced to an id, and tagged with the request id."""
    scrubbed: Event = redact_data(event)
    request = scrubbed.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        if request.get("data"):
            request["data"] = REDACTED
    user_id = request_logging.known_user_id()
    scrubbed["user"] = {"id": str(user_id)} if user_id is not None else {}
    request_id = request_ids.current()
    if request_id:
        scrubbed.setdefault("tags", {})["request_id"] = request_id
    return scrubbed


def scrub_breadcrumb(crumb: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    scrubbed: dict[str, Any] = redact_data(crumb)
    return scrubbed
