"""The task outbox: queued work that must survive a broker outage.

`enqueue` writes a row in the transaction that queues the task, and that is all a request does:
the relay (`workers.relay`, its own process) publishes committed rows to the broker in batches,
with the row's id as the task id and the queuing request's id as a header, and deletes what the
broker took. A broker outage leaves the rows where they are until the broker answers. Delivery
is at least once (a relay that dies, or a batch that fails, between publishing and deleting
publishes again), so every task is idempotent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from kombu.exceptions import KombuError
from sqlalchemy import JSON, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from marketplace import request_ids
from marketplace.db import UTCDateTime, utcnow
from marketplace.extensions import db

log = logging.getLogger(__name__)

RELAY_BATCH = 500


class QueuedTask(db.Model):
    """A task written with the transaction that queued it, deleted once the broker has it."""

    __tablename__ = "queued_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # also the Celery task id
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JSON)
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The request (or task) that queued it: the worker logs the task under the same id.
    request_id: Mapped[str | None] = mapped_column(String(request_ids.MAX_LENGTH))


# On the table, not through the ORM (every enquiry runs it); its VALUES come from the parameters.
_INSERT = QueuedTask.__table__.insert()


def record(task: str, args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    """Write the task into the current transaction; the relay publishes it after the commit."""
    row = {
        "id": str(uuid.uuid4()),
        "task": task,
        "args": list(args),
        "kwargs": kwargs,
        "request_id": request_ids.current(),
    }
    db.session.connection().execute(_INSERT, {**row, "created_at": utcnow()})


def relay_batch(limit: int = RELAY_BATCH) -> int:
    """Publish up to `limit` committed tasks, oldest first, and forget those the broker took.
    Rows another relay holds are skipped, so relays may run side by side. Never raises for a
    broker outage: what was not sent stays queued. Returns how many were sent."""
    rows = db.session.execute(
        select(
            QueuedTask.id,
            QueuedTask.task,
            QueuedTask.args,
            QueuedTask.kwargs,
            QueuedTask.request_id,
        )
        .order_by(QueuedTask.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        db.session.rollback()
        return 0
    celery = current_app.extensions["celery"]
    try:
        # One connection and one round trip for the batch: kombu pipelines the messages and
        # sends them when the batch closes.
        with celery.producer_or_acquire() as producer, producer.batch(max_size=limit):
            for row in rows:
                celery.send_task(
                    row.task,
                    args=row.args,
                    kwargs=row.kwargs,
                    task_id=row.id,
                    producer=producer,
                    headers=request_ids.task_headers(row.request_id),
                )
        sent = [row.id for row in rows]
    except KombuError as error:  # the broker is down or refused the batch (maybe in part)
        log.warning("broker unavailable, %d task(s) stay queued: %s", len(rows), error)
        sent = []
    except Exception:  # whatever else went wrong, the rows stay for the next try
        log.exception("publishing failed, %d task(s) stay queued", len(rows))
        sent = []
    if sent:
        db.session.execute(delete(QueuedTask).where(QueuedTask.id.in_(sent)))
    db.session.commit()  # also ends the batch's row locks when nothing was sent
    return len(sent)


def backlog() -> tuple[int, datetime | None]:
    """How many tasks wait for the relay, and since when."""
    count, oldest = db.session.execute(
        select(func.count(QueuedTask.id), func.min(QueuedTask.created_at))
    ).one()
    return count, oldest
