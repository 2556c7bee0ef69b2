"""Log lines, set up once per process by the app factory (and so for gunicorn's workers, Celery's
worker and beat, and the CLI): LOG_FORMAT=json writes one JSON object a line (time in ISO 8601
UTC, level, logger, message, and request_id and user_id when known, plus the extras a line
carries); text writes the same for a person to read. LOG_LEVEL sets the root level.

Every record is redacted (`marketplace.redaction`) where it is made, by a log record factory, so
that no handler (ours, a test's, Sentry's breadcrumbs) ever sees a secret in the message, its
arguments or its exception text; the handler's filter also redacts the extras a caller passed and
adds the request's context."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from pythonjsonlogger.json import JsonFormatter

from marketplace import request_ids, request_logging
from marketplace.redaction import REDACTED, redact, redact_data, sensitive_name

# The attributes every LogRecord has; anything else on a record is an extra a caller passed.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_CONTEXT = ("request_id", "user_id")


def init_app(app: Flask) -> None:
    configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    request_logging.init_app(app)


def configure(level: str, log_format: str) -> None:
    """One handler on the root logger, to stderr, in `log_format`; every logger propagates to it.
    Calling it again (another app in the same process) replaces the handler, never adds one."""
    handler = _StderrHandler()
    handler.setFormatter(JsonLineFormatter() if log_format == "json" else TextLineFormatter())
    handler.addFilter(ContextFilter())
    handler.set_name("marketplace")
    root = logging.getLogger()
    for previous in [h for h in root.handlers if h.get_name() == "marketplace"]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(level)
    if logging.getLogRecordFactory() is not _redacted_record:
        _factory_below.append(logging.getLogRecordFactory())
        logging.setLogRecordFactory(_redacted_record)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a line is written, not when the handler was made
    (a test's capture, a process that swapped its stream)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


_factory_below: list[Any] = []  # the record factory that was in place before ours


def _redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record: logging.LogRecord = _factory_below[-1](*args, **kwargs)
    redact_record(record)
    return record


def redact_record(record: logging.LogRecord) -> None:
    """Replace the record's message (its arguments merged in), exception and stack text by their
    redacted text. The exception itself stays on the record for the error report, which scrubs
    its own copy. Arguments given by name (Celery's task lines) lose those that are sensitive by
    their name (a task's arguments and result) before they are merged in."""
    if isinstance(record.args, Mapping):  # other values keep their types, for %d and %.2f
        record.args = {
            key: REDACTED if sensitive_name(key) else value for key, value in record.args.items()
        }
    try:
        message = record.getMessage()
    except Exception:  # a message whose arguments do not fit: logging reports it on emit
        return
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class ContextFilter(logging.Filter):
    """Adds the request id and user id when known, and redacts the extras a caller passed (which
    are set on the record after the factory made it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in list(vars(record).items()):
            if name not in _STANDARD and name not in _CONTEXT:
                setattr(record, name, redact_data(value, name))
        if getattr(record, "request_id", None) is None:
            record.request_id = request_ids.current()
        if getattr(record, "user_id", None) is None:
            record.user_id = request_logging.known_user_id()
        return True


def _iso_utc(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonLineFormatter(JsonFormatter):
    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _iso_utc(record)

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # Unknown context is left out rather than written as null on every line.
        return {k: v for k, v in log_data.items() if not (k in _CONTEXT and v is None)}


class TextLineFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _iso_utc(record)

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))

    def format(self, record: logging.LogRecord) -> str:
        known = [
            f"{name}={getattr(record, name)}" for name in _CONTEXT if getattr(record, name, None)
        ]
        record.context = f" [{' '.join(known)}]" if known else ""
        return super().format(record)
