"""What /healthz reports: each dependency checked briefly, and how far behind each durable queue
is; never raising."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated, Literal

from flask import current_app
from pydantic import ConfigDict, Field, with_config
from sqlalchemy import text
from typing_extensions import TypedDict

from marketplace.catalog.indexing import outbox_lag
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.leads.enquiry_notices import notice_due_since
from marketplace.search_backend import backend
from search import SearchUnavailable
from workers import outbox

log = logging.getLogger(__name__)

# Work older than this in a durable queue means whatever takes it (the relay, beat, a worker)
# is not running: nothing is lost, but someone should look.
BACKLOG_LATE = timedelta(minutes=5)


Check = Literal["ok", "unavailable"]


@with_config(ConfigDict(extra="forbid"))
class Backlog(TypedDict):
    tasks: Annotated[int, Field(ge=0)]
    search: Annotated[int, Field(ge=0)]
    notices: Annotated[int, Field(ge=0)]


@with_config(ConfigDict(extra="forbid"))
class Health(TypedDict):
    status: Literal["ok", "degraded"]
    database: Check
    search: Check
    tasks: Literal["ok", "inline", "unavailable"]
    backlog: Annotated[
        Backlog | None,
        Field(
            description="Seconds the oldest waiting item of each durable queue has waited (0: "
            "empty); null when the database cannot say. Over five minutes makes the status "
            "degraded."
        ),
    ]


def database_status() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:  # any failure means the same thing here: the database is not usable
        log.exception("health: database check failed")
        db.session.rollback()
        return "unavailable"


def tasks_status() -> str:
    celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:
        return "inline"
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception:
        log.exception("health: broker check failed")
        return "unavailable"


def search_status() -> str:
    try:
        return "ok" if backend().healthy() else "unavailable"
    except SearchUnavailable:
        log.exception("health: search check failed")
        return "unavailable"


def backlog() -> Backlog | None:
    """How long, in whole seconds, the oldest waiting item of each durable queue has waited:
    tasks for the broker, product changes for the search index, new enquiries for their
    supplier's notice (0 when one is empty). None when the database cannot say."""
    try:
        oldest: dict[str, datetime | None] = {
            "tasks": outbox.backlog()[1],
            "search": outbox_lag()[1],
            "notices": notice_due_since(),
        }
    except Exception:
        log.exception("health: backlog check failed")
        db.session.rollback()
        return None
    now = utcnow()
    return {
        queue: max(int((now - since).total_seconds()), 0) if since else 0
        for queue, since in oldest.items()
    }


def report() -> tuple[Health, int]:
    checks = {
        "database": database_status(),
        "search": search_status(),
        "tasks": tasks_status(),
    }
    waiting = backlog() if checks["database"] == "ok" else None
    late = waiting is not None and max(waiting.values()) > BACKLOG_LATE.total_seconds()
    healthy = all(value in ("ok", "inline") for value in checks.values()) and not late
    status = 200 if checks["database"] == "ok" else 503
    health: Health = {
        "status": "ok" if healthy else "degraded",
        "database": checks["database"],
        "search": checks["search"],
        "tasks": checks["tasks"],
        "backlog": waiting,
    }
    return health, status
