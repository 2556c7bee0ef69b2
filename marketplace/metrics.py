"""The Prometheus figures the portal keeps, defined once; the domains count through them.

This module only defines: it imports prometheus_client and the commit hook, nothing of the
domains, so every domain (and `workers`, and the gunicorn config) can import it without a
circle. The /metrics answer, the per-request figures and the queue ages read at scrape time are
in `marketplace.metrics_endpoint`, above the domains.

With PROMETHEUS_MULTIPROC_DIR set (several gunicorn workers, Celery workers on the same host)
prometheus_client keeps each process's values in files there, and a scrape adds them up: the
variable must be set before this module is first imported, i.e. in the environment.
"""

from __future__ import annotations

import os
from typing import Any

from celery import signals
from prometheus_client import Counter, Gauge, Histogram, multiprocess

from marketplace.db import after_commit

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # the endpoint label of a request no route took (404, 405)

REQUEST_SECONDS = Histogram(
    "tradesetu_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint (never the raw path) and status",
    ["endpoint", "status"],
)
REQUESTS_IN_PROGRESS = Gauge(
    "tradesetu_http_requests_in_progress",
    "Requests being answered now",
    # The sum over the live workers: a worker that died answers nothing any more.
    multiprocess_mode="livesum",
)
SEARCH_SECONDS = Histogram(
    "tradesetu_search_duration_seconds",
    "Time the search backend took to answer, by backend and operation",
    ["backend", "operation"],
)
TASK_RUNS = Counter("tradesetu_task_runs", "Task runs that ended (either way), by task", ["task"])
TASK_FAILURES = Counter(
    "tradesetu_task_failures", "Task runs that raised and were given up, by task", ["task"]
)
TASK_RETRIES = Counter(
    "tradesetu_task_retries",
    "Task runs that raised and will run again (an outage of mail or SMS shows here first)",
    ["task"],
)
WEBHOOK_DELIVERIES = Counter(
    "tradesetu_webhook_deliveries",
    "Webhook delivery attempts by outcome: delivered (2xx), retrying (failed, another attempt "
    "is planned), failed (failed and given up), skipped (the webhook was deleted or disabled)",
    ["outcome"],
)
ENQUIRIES_CREATED = Counter(
    "tradesetu_enquiries_created", "Enquiries sent to suppliers (not the duplicates)", ["source"]
)
LEADS_CREATED = Counter("tradesetu_leads_created", "Leads created, by type", ["type"])
CREDITS_DEBITED = Counter(
    "tradesetu_credits_debited", "Credits taken from suppliers' balances, by kind", ["kind"]
)


def count_on_commit(counter: Counter, amount: float = 1, **labels: str) -> None:
    """Add `amount` once the current transaction commits: a request that is rolled back (a
    refusal, a lost race) counted nothing."""
    child = counter.labels(**labels)
    after_commit(lambda: child.inc(amount))


def _task_ran(sender: Any = None, **_: Any) -> None:
    TASK_RUNS.labels(task=getattr(sender, "name", "unknown")).inc()


def _task_failed(sender: Any = None, **_: Any) -> None:
    TASK_FAILURES.labels(task=getattr(sender, "name", "unknown")).inc()


def _task_retried(sender: Any = None, **_: Any) -> None:
    TASK_RETRIES.labels(task=getattr(sender, "name", "unknown")).inc()


def watch_tasks() -> None:
    """Count task runs, retries and failures. Celery sends these signals for a worker's tasks
    and for the inline (eager) ones alike; connecting again changes nothing."""
    signals.task_postrun.connect(_task_ran, weak=False, dispatch_uid="tradesetu-task-runs")
    signals.task_retry.connect(_task_retried, weak=False, dispatch_uid="tradesetu-task-retries")
    signals.task_failure.connect(_task_failed, weak=False, dispatch_uid="tradesetu-task-failures")


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR) or None


def worker_exited(pid: int) -> None:
    """For gunicorn's `child_exit` hook: drop a dead worker's live gauges (its counters stay in
    the sums). Does nothing outside multiprocess mode."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)
