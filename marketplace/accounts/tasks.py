"""Accounts tasks: the monthly re-check of verified GSTINs with the GST registry."""

from __future__ import annotations

from celery import shared_task

from marketplace.accounts import gst_desk, gst_rechecks  # noqa: F401 (gst_desk joins the desk)
from workers.locks import job_lock


@shared_task(ignore_result=True)
def recheck_gst_registrations() -> int:
    """Beat runs this daily; each verified GSTIN comes due once a month. The lock keeps two
    runs from asking the registry about the same supplier twice."""
    with job_lock("recheck-gst-registrations") as held:
        if not held:
            return 0
        return gst_rechecks.recheck_due()
