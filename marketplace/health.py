"""What /healthz reports: each dependency checked briefly, whether the database's schema is at
the code's latest migration, and how far behind each durable queue is; never raising."""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from typing import Annotated, Literal

from alembic.script import ScriptDirectory
from flask import current_app
from pydantic import ConfigDict, Field, with_config
from sqlalchemy import inspect, text
from typing_extensions import TypedDict

from marketplace.catalog.indexing import outbox_lag
from marketplace.db import utcnow
from marketplace.extensions import db, migrate
from marketplace.leads import matching, webhook_outbox
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
    requirements: Annotated[
        int,
        Field(ge=0, description="buy requirements posted while search was down, to be matched"),
    ]


@with_config(ConfigDict(extra="forbid"))
class SchemaVersion(TypedDict):
    status: Annotated[
        Literal["ok", "behind", "unknown"],
        Field(
            description="ok: the database is at the code's latest migration; behind: it is at an "
            "older one, or was never migrated (revision null); unknown: the database cannot say, "
            "or holds a revision these migrations do not know. Anything but ok makes /healthz a "
            "503: the code's queries may fail on that schema."
        ),
    ]
    revision: Annotated[
        str | None,
        Field(description="The database's revision (alembic_version); null when it has none"),
    ]
    head: Annotated[str, Field(description="The latest revision in the code's migrations")]


@with_config(ConfigDict(extra="forbid"))
class Health(TypedDict):
    status: Literal["ok", "degraded"]
    database: Check
    schema: SchemaVersion
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


@functools.cache
def _migrations_in(directory: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.get_config(directory))


def migrations() -> ScriptDirectory:
    """The app's migrations folder, read once per process (and folder): the code does not change
    while it runs."""
    return _migrations_in(str(current_app.extensions["migrate"].directory))


def schema_status(database: str) -> SchemaVersion:
    """The database's alembic_version against the code's head, in one small SELECT (a database
    that is down is not asked)."""
    try:
        # Every head, joined as alembic_version's rows are: two branches that each added a
        # migration give two heads, which is a mismatch to report, not an error to raise.
        head = ",".join(sorted(migrations().get_heads()))
    except Exception:  # an unreadable migrations folder: say so, never fail the probe
        log.exception("health: the migrations could not be read")
        return {"status": "unknown", "revision": None, "head": ""}
    if database != "ok":
        return {"status": "unknown", "revision": None, "head": head}
    try:
        revisions = db.session.scalars(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # most likely never migrated (no table); this rare path looks closer
        db.session.rollback()
        return {"status": _without_version_table(), "revision": None, "head": head}
    revision = ",".join(sorted(revisions)) or None
    if revision == head:
        return {"status": "ok", "revision": revision, "head": head}
    known = all(_is_known(one) for one in revisions)
    return {"status": "behind" if known else "unknown", "revision": revision, "head": head}


def _without_version_table() -> Literal["behind", "unknown"]:
    """Behind when the version table is missing (never migrated); unknown when it is there but
    could not be read."""
    try:
        if not inspect(db.session.connection()).has_table("alembic_version"):
            return "behind"
        log.error("health: alembic_version is there but could not be read")
    except Exception:
        log.exception("health: the schema's revision could not be read")
    db.session.rollback()
    return "unknown"


def _is_known(revision: str) -> bool:
    try:
        return migrations().get_revision(revision) is not None
    except Exception:  # alembic says so by raising (an unknown or ambiguous revision)
        return False


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
    supplier's notice, requirements for their matching (0 when one is empty). None when the
    database cannot say."""
    try:
        oldest = _oldest()
    except Exception:
        log.exception("health: backlog check failed")
        db.session.rollback()
        return None
    return _ages(oldest)  # type: ignore[return-value]


def queue_ages() -> dict[str, int]:
    """`backlog()`'s ages and the webhook deliveries' (for /metrics). Those are not part of the
    portal's health: a receiver that is down holds back its own deliveries, and only them.
    Raises when the database cannot say."""
    oldest = _oldest()
    oldest["webhooks"] = webhook_outbox.due_since()
    return _ages(oldest)


def _oldest() -> dict[str, datetime | None]:
    return {
        "tasks": outbox.backlog()[1],
        "search": outbox_lag()[1],
        "notices": notice_due_since(),
        "requirements": matching.waiting_since(),
    }


def _ages(oldest: dict[str, datetime | None]) -> dict[str, int]:
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
    schema = schema_status(checks["database"])
    waiting = backlog() if checks["database"] == "ok" else None
    late = waiting is not None and max(waiting.values()) > BACKLOG_LATE.total_seconds()
    usable = checks["database"] == "ok" and schema["status"] == "ok"
    healthy = usable and all(value in ("ok", "inline") for value in checks.values()) and not late
    health: Health = {
        "status": "ok" if healthy else "degraded",
        "database": checks["database"],
        "schema": schema,
        "search": checks["search"],
        "tasks": checks["tasks"],
        "backlog": waiting,
    }
    return health, 200 if usable else 503
