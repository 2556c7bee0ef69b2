"""`flask tasks ...`: the relay that publishes queued tasks, and a look at what is waiting."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import with_appcontext

from marketplace.db import utcnow
from workers import outbox, relay

group = click.Group("tasks", help="Tasks: the relay to the broker and the task outbox.")


@group.command("relay")
@with_appcontext
def run_relay() -> None:
    """Publish queued tasks to the broker until stopped (SIGTERM or Ctrl-C end it cleanly)."""
    if current_app.extensions["celery"].conf.task_always_eager:
        raise click.ClickException("No CELERY_BROKER_URL is set: tasks run inline, no relay.")
    stop = threading.Event()

    def finish(signum: int, frame: FrameType | None) -> None:
        # Not stop.set() here: the handler may interrupt the main thread inside stop.wait(),
        # holding the lock that set() takes. The current batch ends, then the loop does.
        threading.Thread(target=stop.set).start()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    relay.run(current_app.config["TASK_RELAY_POLL_MS"] / 1000, stop)


@group.command("pending")
@with_appcontext
def pending() -> None:
    """How many tasks wait for the relay, and since when."""
    count, oldest = outbox.backlog()
    age = f", the oldest for {(utcnow() - oldest).total_seconds():.0f} s" if oldest else ""
    click.echo(f"{count} task(s) queued{age}.")
