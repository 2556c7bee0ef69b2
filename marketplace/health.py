"""What /healthz reports: each dependency checked briefly, never raising."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from marketplace.extensions import db

log = logging.getLogger(__name__)


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
    from search import SearchUnavailable, backend

    try:
        return "ok" if backend().healthy() else "unavailable"
    except SearchUnavailable:
        log.exception("health: search check failed")
        return "unavailable"


def report() -> tuple[dict[str, str], int]:
    checks = {
        "database": database_status(),
        "search": search_status(),
        "tasks": tasks_status(),
    }
    healthy = all(value in ("ok", "inline") for value in checks.values())
    status = 200 if checks["database"] == "ok" else 503
    return {"status": "ok" if healthy else "degraded", **checks}, status
