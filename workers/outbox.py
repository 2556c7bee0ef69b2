"""The task outbox: queued work that must survive a broker outage.

`enqueue` writes a row in the transaction that queues the task; after the commit the task is
published with the row's id as its task id and the row is deleted. If publishing fails the row
stays, and `redispatch_queued_tasks` (run by beat) publishes it again once the broker answers.
Delivery is at least once: a task may run twice (a crash between publishing and deleting), so
every task is written to be idempotent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from celery import shared_task
from flask import current_app
from kombu.exceptions import OperationalError
from sqlalchemy import JSON, String, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import UTCDateTime, utcnow
from marketplace.extensions import db
from workers.locks import job_lock

log = logging.getLogger(__name__)

REDISPATCH_BATCH = 500


class QueuedTask(db.Model):
    """A task written with the transaction that queued it, deleted once the broker has it."""

    __tablename__ = "queued_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # also the Celery task id
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JSON)
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Job(NamedTuple):
    id: str
    task: str
    args: list[Any]
    kwargs: dict[str, Any]


def record(task: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Job:
    """Write the task into the current transaction; `dispatch` it after the commit."""
    job = Job(str(uuid.uuid4()), task, list(args), kwargs)
    db.session.add(QueuedTask(**job._asdict(), created_at=utcnow()))
    return job


def dispatch(jobs: Sequence[Job]) -> int:
    """Publish committed jobs to the broker and forget those it took. Never raises for a
    broker outage: what was not sent stays queued. Returns how many were sent."""
    celery = current_app.extensions["celery"]
    sent = []
    for job in jobs:
        try:
            celery.send_task(job.task, args=job.args, kwargs=job.kwargs, task_id=job.id)
        except OperationalError as error:  # Celery's word for "the broker did not take it"
            unsent = len(jobs) - len(sent)
            log.warning("broker unavailable, %d task(s) stay queued: %s", unsent, error)
            break
        sent.append(job.id)
    if sent:
        try:
            db.session.execute(delete(QueuedTask).where(QueuedTask.id.in_(sent)))
            db.session.commit()
        except SQLAlchemyError:  # sent all the same: at worst the redispatcher sends it again
            db.session.rollback()
            log.exception("sent tasks could not be forgotten; they may run twice")
    return len(sent)


def redispatch(older_than: timedelta) -> int:
    """Send again what a request could not publish. Rows younger than `older_than` are left
    to the request that wrote them, which is probably publishing them right now."""
    rows = db.session.scalars(
        select(QueuedTask)
        .where(QueuedTask.created_at < utcnow() - older_than)
        .order_by(QueuedTask.created_at)
        .limit(REDISPATCH_BATCH)
    ).all()
    return dispatch([Job(row.id, row.task, row.args, row.kwargs) for row in rows])


@shared_task(ignore_result=True)
def redispatch_queued_tasks() -> int:
    with job_lock("redispatch-queued-tasks") as held:
        if not held:
            return 0
        interval = current_app.config["TASK_REDISPATCH_INTERVAL"]
        return redispatch(timedelta(seconds=interval))
