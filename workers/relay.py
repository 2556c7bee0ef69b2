"""The task relay (`flask tasks relay`): hands the task outbox to the broker.

Requests only write their tasks into `queued_tasks`; publishing them here, in batches, keeps
`enqueue` off the broker (a broker outage never slows a request that queues work) and the
publishing CPU off the web workers. The relay looks every TASK_RELAY_POLL_MS milliseconds
(an indexed read of an empty table costs next to nothing) and publishes whatever committed
meanwhile. Polling, rather than a NOTIFY per commit, adds no lock to the requests' commits;
PostgreSQL serialises the commits of transactions that NOTIFY. On PostgreSQL several relays may
run side by side: each batch locks its rows with SKIP LOCKED.
"""

from __future__ import annotations

import logging
import threading

from marketplace.extensions import db
from workers.outbox import RELAY_BATCH, relay_batch

log = logging.getLogger(__name__)

FAILURE_PAUSE = 2.0  # seconds to wait after a pass that failed (the database was unreachable)


def drain(stop: threading.Event | None = None) -> int:
    """Publish batches until one comes back short (the outbox is empty, or the broker is down)
    or `stop` is set. Returns how many tasks were sent."""
    total = 0
    while (sent := relay_batch()) == RELAY_BATCH and not (stop and stop.is_set()):
        total += sent
    return total + sent


def run(poll_seconds: float, stop: threading.Event) -> None:
    """Relay until `stop` is set. Must run in an app context."""
    log.info("relay: publishing queued tasks every %.2f s", poll_seconds)
    while not stop.is_set():
        try:
            drain(stop)
        except Exception:  # the database went away, say: keep relaying once it is back
            log.exception("relay: a pass failed; trying again")
            db.session.rollback()
            stop.wait(FAILURE_PAUSE)
            continue
        stop.wait(poll_seconds)
