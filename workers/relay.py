"""The relay: the one process that hands the task outbox to the broker (`flask tasks relay`).

Requests only write their tasks into `queued_tasks`; publishing them here, in batches, keeps
the broker off every request's path (and its CPU off the web workers). On PostgreSQL the relay
LISTENs for the NOTIFY that each commit queuing a task sends, so a task reaches the broker
within milliseconds; it also polls every TASK_RELAY_POLL seconds, which is how it works on
SQLite and how it catches up after a broker outage or a lost connection. Relays may run side
by side: each batch locks its rows with SKIP LOCKED.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.exc import DBAPIError

from marketplace.extensions import db
from workers.outbox import NOTIFY_CHANNEL, RELAY_BATCH, relay_batch

log = logging.getLogger(__name__)

RECONNECT_PAUSE = 2.0  # seconds before listening again after the connection was lost
# After a wake-up, let the tasks of this instant gather for one batch: under load, a drain per
# commit would cost a round of queries per task; this caps the added delay at 200 ms.
GATHER_SECONDS = 0.2


def drain() -> int:
    """Publish batches until a batch comes back short (the outbox is empty, or the broker is
    down). Returns how many tasks were sent."""
    total = 0
    while (sent := relay_batch()) == RELAY_BATCH:
        total += sent
    return total + sent


@contextmanager
def _listener() -> Iterator[psycopg.Connection | None]:
    """A connection that LISTENs for new tasks, or None where there are no notifications."""
    url = db.engine.url
    if url.get_backend_name() != "postgresql":
        yield None
        return
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        yield connection


def _wait(listener: psycopg.Connection | None, seconds: float, stop: threading.Event) -> None:
    """Until a task is queued, `seconds` pass or `stop` is set (checked each second)."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        if listener is None:
            stop.wait(min(left, 1.0))
            continue
        if any(True for _ in listener.notifies(timeout=min(left, 1.0), stop_after=1)):
            # Fold the notifications that arrive meanwhile into this one wake-up.
            for _ in listener.notifies(timeout=GATHER_SECONDS):
                pass
            return


def run(poll_seconds: float, stop: threading.Event) -> None:
    """Relay until `stop` is set. Must run in an app context."""
    while not stop.is_set():
        try:
            with _listener() as listener:
                log.info("relay: publishing queued tasks (polling every %s s)", poll_seconds)
                while not stop.is_set():
                    drain()
                    _wait(listener, poll_seconds, stop)
        except (psycopg.OperationalError, DBAPIError) as error:
            log.warning("relay: database connection lost (%s); retrying", error)
            db.session.rollback()
            stop.wait(RECONNECT_PAUSE)
