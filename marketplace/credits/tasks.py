"""Credit tasks: the weekly plan allocation (and the record of last week's expiries)."""

from __future__ import annotations

from celery import shared_task

from marketplace.credits import allocations
from marketplace.db import commit
from workers.locks import job_lock


def run_weekly_allocation() -> tuple[int, int]:
    """Record the allocations that expired, then grant this week's to every supplier still
    without it, in batches. Idempotent: a second run in the same week grants nothing."""
    expired = allocations.record_expiries()
    commit()
    granted = 0
    while True:
        size = allocations.ALLOCATION_BATCH
        batch = allocations.allocate_week(limit=size)
        commit()
        granted += batch
        if batch < size:
            return granted, expired


@shared_task(ignore_result=True)
def allocate_weekly_credits() -> int:
    """Beat runs this every few minutes; it grants each Monday's credits once (the unique row
    per supplier and week), and the lock keeps two runs from overlapping."""
    with job_lock("allocate-weekly-credits") as held:
        if not held:
            return 0
        granted, _ = run_weekly_allocation()
        return granted
