"""Celery beat's periodic jobs. Each job is idempotent and safe to run on any worker."""

from __future__ import annotations

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Catch the index up after a search outage, without waiting for the next product write.
    "drain-search-outbox": {
        "task": "marketplace.catalog.tasks.drain_search_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}
