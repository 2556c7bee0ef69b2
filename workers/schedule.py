"""Celery beat's periodic jobs. Each is idempotent and takes a lock (`workers.locks`), so two
beats or a slow run never run one job twice at once; the new-enquiry notices instead share
their leads between runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    drain = config["SEARCH_DRAIN_INTERVAL"]
    return {
        # Catch the index up after a search outage, without waiting for the next write.
        "drain-search-outbox": {
            "task": "marketplace.catalog.tasks.drain_search_outbox",
            "schedule": float(drain),
            "kwargs": {"periodic": True},
            "options": {"expires": drain * 0.9},
        },
        # Match the buy requirements posted while search was down, on the same beat as the
        # index catch-up (both wait for search to come back).
        "match-waiting-requirements": {
            "task": "marketplace.leads.tasks.match_waiting_requirements",
            "schedule": float(drain),
            "options": {"expires": drain * 0.9},
        },
        # Tell suppliers of new enquiries (the leads not yet told are the durable queue). Not
        # locked: runs that overlap share the leads (each is locked and claimed on its own).
        "notify-new-enquiries": {
            "task": "marketplace.leads.tasks.notify_new_enquiries",
            "schedule": float(config["ENQUIRY_NOTICE_INTERVAL"]),
            "options": {"expires": config["ENQUIRY_NOTICE_INTERVAL"] * 0.9},
        },
        # Send webhook deliveries that are due: new ones a request could not hand over, and
        # retries whose backoff has passed.
        "send-due-webhooks": {
            "task": "marketplace.leads.tasks.send_due_webhooks",
            "schedule": float(config["WEBHOOK_SWEEP_INTERVAL"]),
            "options": {"expires": config["WEBHOOK_SWEEP_INTERVAL"] * 0.9},
        },
        # Remind suppliers of the follow-ups due today, once per lead and date.
        "remind-follow-ups": {
            "task": "marketplace.leads.tasks.remind_follow_ups",
            "schedule": 900.0,
            "options": {"expires": 600},
        },
        # Grant each Monday's plan credits (once per supplier and week, so the frequent runs
        # cost a query) and record last week's expiries.
        "allocate-weekly-credits": {
            "task": "marketplace.credits.tasks.allocate_weekly_credits",
            "schedule": 900.0,
            "options": {"expires": 600},
        },
        # Warn grievance officers of desk deadlines that are near or passed (each once).
        "warn-grievance-deadlines": {
            "task": "marketplace.grievances.tasks.warn_deadlines",
            "schedule": 600.0,
            "options": {"expires": 540},
        },
        # Purge archived statutory records past their retain_until, and expired exports.
        "purge-privacy-archive": {
            "task": "marketplace.privacy.tasks.purge_archive",
            "schedule": 86400.0,
            "options": {"expires": 3600},
        },
        # Warn accounts unused for PRIVACY_INACTIVE_DAYS; erase them 48 hours later.
        "sweep-inactive-accounts": {
            "task": "marketplace.privacy.tasks.sweep_inactive_accounts",
            "schedule": 86400.0,
            "options": {"expires": 3600},
        },
    }
