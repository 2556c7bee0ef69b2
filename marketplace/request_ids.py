"""Request ids: one id ties together the log lines of a request and of the work it causes (the
tasks it queues, the webhook deliveries it writes), and the error report of its failure.

The id lives in a context variable, so it follows the thread (a request, a task) without being
passed around. A request takes the `X-Request-ID` its caller (or the proxy in front) sent when that
id is sane, otherwise a new one; a task takes the id of the request that queued it; work that beat
starts, and a request with no usable id, gets a new one."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from marketplace.redaction import redact

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"  # the Celery message header that carries it to a worker
MAX_LENGTH = 64  # the columns that keep the id (queued_tasks, webhook_deliveries) hold 64
# Letters, digits and a few separators (UUIDs, proxies' "Root=1-..." style ids), nothing that a
# log line or a header could be made to misread.
_SANE = re.compile(rf"[A-Za-z0-9._:=-]{{8,{MAX_LENGTH}}}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def new() -> str:
    return uuid.uuid4().hex


def is_sane(candidate: str | None) -> bool:
    """Safe characters, bounded length, and nothing that redaction would hide (a caller must not
    smuggle a phone number into every log line as its id)."""
    return bool(candidate and _SANE.fullmatch(candidate) and redact(candidate) == candidate)


def accept(incoming: str | None) -> str:
    """The incoming id if it is sane, otherwise a new one."""
    return incoming if incoming is not None and is_sane(incoming) else new()


def current() -> str | None:
    return _current.get()


def task_headers(request_id: str | None) -> dict[str, str] | None:
    """The Celery headers that hand `request_id` to the task's worker."""
    return {TASK_HEADER: request_id} if request_id else None


def bind(request_id: str) -> Token[str | None]:
    """Make `request_id` current until `unbind` is given the token (for a request's hooks, which
    cannot wrap the request in a `with`)."""
    return _current.set(request_id)


def unbind(token: Token[str | None]) -> None:
    _current.reset(token)


@contextmanager
def bound(request_id: str | None) -> Iterator[str]:
    """Run the block under `request_id` (a new one when None), then restore the one before."""
    request_id = request_id or new()
    token = bind(request_id)
    try:
        yield request_id
    finally:
        unbind(token)
