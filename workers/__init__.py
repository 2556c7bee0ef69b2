"""Celery, bound to the Flask app: tasks run in an app context and take ids and JSON.

With no CELERY_BROKER_URL the tasks run eagerly, in-process, right after the commit that
queued them (the embedded default); with a broker they go to Redis and a worker.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask, current_app, has_app_context

from marketplace.db import after_commit


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # A fresh app context (so a fresh database session) per task; run inline, the task
            # belongs to the app that queued it.
            flask_app = current_app._get_current_object() if has_app_context() else app
            with flask_app.app_context():
                return self.run(*args, **kwargs)

    from workers.schedule import BEAT_SCHEDULE

    broker = app.config["CELERY_BROKER_URL"]
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=broker or "memory://localhost/",
        task_always_eager=broker is None,
        task_eager_propagates=bool(app.config.get("TESTING")),
        task_ignore_result=True,
        task_acks_late=True,  # a task whose worker dies is delivered again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        beat_schedule=BEAT_SCHEDULE,
        timezone="UTC",
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send a task once the current transaction has committed."""
    after_commit(lambda: task.delay(*args, **kwargs))
