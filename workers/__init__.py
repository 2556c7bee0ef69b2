"""Celery, bound to the Flask app: tasks run in an app context and take ids and JSON.

With no CELERY_BROKER_URL the tasks run eagerly, in-process, right after the commit that
queued them (the embedded default); with a broker they go to Redis and a worker. A worker
imports every module in TASK_MODULES when it starts, so it knows every task the code defines.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app, has_app_context
from kombu.exceptions import OperationalError
from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.db import after_commit
from marketplace.extensions import db
from workers import outbox

log = logging.getLogger(__name__)

_JOBS = "queued_jobs"  # the jobs the current transaction queued, published after its commit

# Every module that defines tasks. A test checks this against the tasks the code defines.
TASK_MODULES = (
    "marketplace.catalog.tasks",
    "marketplace.credits.tasks",
    "marketplace.grievances.tasks",
    "marketplace.leads.tasks",
    "marketplace.notifications",
    "marketplace.privacy.tasks",
    "workers.outbox",
)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # A fresh app context (so a fresh database session) per task; run inline, the task
            # belongs to the app that queued it.
            flask_app = current_app._get_current_object() if has_app_context() else app
            with flask_app.app_context():
                return self.run(*args, **kwargs)

    from workers.schedule import beat_schedule

    broker = app.config["CELERY_BROKER_URL"]
    celery = Celery(app.name, task_cls=FlaskTask, include=list(TASK_MODULES))
    celery.conf.update(
        broker_url=broker or "memory://localhost/",
        task_always_eager=broker is None,
        task_eager_propagates=bool(app.config.get("TESTING")),
        task_ignore_result=True,
        task_acks_late=True,  # a task whose worker dies is delivered again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        # A request that queues work must not hang on a dead broker: the task outbox keeps
        # the work, so give up publishing quickly and let the redispatcher send it later.
        broker_connection_timeout=2,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        beat_schedule=beat_schedule(app.config),
        timezone="UTC",
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def _celery() -> Celery:
    return current_app.extensions["celery"]


def _bound(task: Task) -> Task:
    """The task as registered on this Flask app's Celery (a shared task otherwise follows
    whichever Celery app was made last, which in a process with several apps is not ours)."""
    return _celery().tasks[task.name]


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send a task once the current transaction has committed.

    With a broker the task is first written to the task outbox in the same transaction and
    sent after the commit; a broker outage leaves it there for the redispatcher, so it is
    delayed, never lost, and the request that queued it still succeeds.
    """
    if _celery().conf.task_always_eager:
        after_commit(lambda: _bound(task).delay(*args, **kwargs))
        return
    # A commit's jobs are published together, and forgotten with one DELETE.
    jobs = db.session.info.setdefault(_JOBS, [])
    if not jobs:
        after_commit(lambda: outbox.dispatch(db.session.info.pop(_JOBS, [])), once=_JOBS)
    jobs.append(outbox.record(task.name, args, kwargs))


@event.listens_for(Session, "after_rollback")
def _forget_jobs(session: Session) -> None:
    session.info.pop(_JOBS, None)  # their rows were rolled back with them


def nudge(task: Task) -> None:
    """Run a task after the commit, at most once per commit, for work that is already recorded
    elsewhere (an outbox that a periodic job also drains). Best effort: a broker outage only
    delays that work until the periodic run."""

    bound = _bound(task)

    def send() -> None:
        try:
            bound.delay()
        except OperationalError:  # the broker is down; the periodic run catches up
            log.warning("could not send %s; its periodic run will catch up", task.name)

    after_commit(send, once=f"nudge-{task.name}")
