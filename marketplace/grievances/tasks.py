"""Grievance desk tasks. Each takes ids, never objects."""

from __future__ import annotations

from celery import shared_task

from marketplace.db import commit
from marketplace.grievances import desk_items
from workers.locks import job_lock


@shared_task(ignore_result=True)
def warn_deadlines() -> int:
    """Warn the officers of desk deadlines that are near or passed (each once)."""
    with job_lock("grievance-deadline-warnings") as held:
        if not held:
            return 0
        sent = desk_items.warn_deadlines()
        commit()
        return sent
