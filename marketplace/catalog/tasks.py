"""Catalogue tasks. With no broker they run inline right after the commit that queued them."""

from __future__ import annotations

from celery import shared_task

from marketplace.catalog import indexing


@shared_task(ignore_result=True)
def drain_search_outbox() -> int:
    # Idempotent: beat also runs it every 30 s, so an outage is caught up without a new write.
    return indexing.drain_quietly()
