"""Catalogue tasks. With no broker they run inline right after the commit that queued them."""

from __future__ import annotations

from celery import shared_task

from marketplace.catalog import indexing
from workers.locks import job_lock

# How long a write-triggered drain waits for a running one before leaving the work to it.
_DRAIN_WAIT_SECONDS = 30


@shared_task(ignore_result=True)
def drain_search_outbox(periodic: bool = False) -> int:
    # One drain at a time. Beat's run (every SEARCH_DRAIN_INTERVAL, catching up after an
    # outage) skips when one is running; a drain queued by a write waits its turn, so the
    # write is in the index as soon as the running drain has finished.
    with job_lock("drain-search-outbox", wait=0 if periodic else _DRAIN_WAIT_SECONDS) as held:
        return indexing.drain_quietly() if held else 0
