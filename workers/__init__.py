"""Celery, bound to the Flask app: tasks run in an app context and take ids and JSON.

With no CELERY_BROKER_URL the tasks run eagerly, in-process, right after the commit that
queued them (the embedded default); with a broker they go through the task outbox and the
relay (`workers.relay`) to Redis and a worker. A worker imports every module in TASK_MODULES
when it starts, so it knows every task the code defines.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task
from celery.signals import before_task_publish, setup_logging
from flask import Flask, current_app, has_app_context
from kombu.exceptions import OperationalError

from marketplace import metrics, request_ids
from marketplace.db import after_commit
from workers import outbox
from workers.schedule import beat_schedule

log = logging.getLogger(__name__)

# Every module that defines tasks. A test checks this against the tasks the code defines.
TASK_MODULES = (
    "marketplace.accounts.tasks",
    "marketplace.catalog.tasks",
    "marketplace.credits.tasks",
    "marketplace.grievances.tasks",
    "marketplace.leads.tasks",
    "marketplace.notifications",
    "marketplace.privacy.newsletters",
    "marketplace.privacy.tasks",
)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # A fresh app context (so a fresh database session) per task; run inline, the task
            # belongs to the app that queued it.
            flask_app = current_app._get_current_object() if has_app_context() else app
            with flask_app.app_context(), request_ids.bound(self._request_id()):
                log.debug("task %s starts", self.name)  # the first line under the request id
                return self.run(*args, **kwargs)

        def _request_id(self) -> str | None:
            """The id of the request that queued the task (a header from the publisher; inline,
            the caller's own), or None for work beat started, which gets a new one."""
            headers = getattr(self.request, "headers", None) or {}
            sent = getattr(self.request, request_ids.TASK_HEADER, None) or headers.get(
                request_ids.TASK_HEADER
            )
            if isinstance(sent, str) and request_ids.is_sane(sent):
                return sent
            return request_ids.current()

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
        # Publishing (the relay's batches, a request's nudge) must not hang on a dead broker:
        # give up quickly; the outboxes keep the work for a later try.
        broker_connection_timeout=2,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        beat_schedule=beat_schedule(app.config),
        timezone="UTC",
    )
    celery.set_default()
    metrics.watch_tasks()
    app.extensions["celery"] = celery
    return celery


def _celery() -> Celery:
    return current_app.extensions["celery"]


def _bound(task: Task) -> Task:
    """The task as registered on this Flask app's Celery (a shared task otherwise follows
    whichever Celery app was made last, which in a process with several apps is not ours)."""
    return _celery().tasks[task.name]


@before_task_publish.connect
def _carry_request_id(headers: dict[str, Any], **_kwargs: Any) -> None:
    """A task published by a request or by another task carries that request's id to its worker
    (the relay, which runs outside any request, sets the id recorded with the queued task)."""
    request_id = request_ids.current()
    if request_id and request_ids.TASK_HEADER not in headers:
        headers[request_ids.TASK_HEADER] = request_id


@setup_logging.connect
def _keep_our_logging(**_kwargs: Any) -> None:
    """A worker or beat must not replace the root logger's handler: the app factory (which
    workers.worker runs first) set up the log lines that every process of the portal writes."""


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Run a task once the current transaction has committed.

    With a broker the task is written to the task outbox in the same transaction, and the
    relay publishes it after the commit: the request never waits on the broker, and a broker
    outage delays the task, never loses it. Without one it runs inline after the commit.
    """
    if _celery().conf.task_always_eager:
        after_commit(lambda: _bound(task).delay(*args, **kwargs))
    else:
        outbox.record(task.name, args, kwargs)


def send_now(task_name: str, *args: Any) -> None:
    """Send the task named `task_name` at once, not after a commit: for work already recorded
    (and committed) in the database, which a periodic sweep also picks up. By name, so that a
    module which the task's own module imports can send it. Raises kombu's OperationalError
    when the broker is down."""
    _bound(_celery().tasks[task_name]).delay(*args)


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


def soon(task: Task, *args: Any) -> None:
    """For work recorded in the database that beat's frequent run of `task` picks up: with tasks
    inline, run `task(*args)` after the commit, since nothing else would run it; with a broker,
    leave it to beat's next run, so the request neither writes a task nor touches the broker."""
    if _celery().conf.task_always_eager:
        enqueue(task, *args)
