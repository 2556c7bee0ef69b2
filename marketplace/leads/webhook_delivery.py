"""One attempt at one webhook delivery, its retries, and the disabling of a webhook that keeps
failing. An attempt claims its row first, so two workers never send the same delivery at
once, and a delivery answered 2xx is never sent again.

Receivers check `X-Marketplace-Signature: sha256=<hex HMAC-SHA256(secret,
"<X-Marketplace-Timestamp>.<body>")>` over the exact bytes received, refuse stale timestamps
(replays), and use `X-Marketplace-Delivery` (the event id) to ignore a repeat."""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    or_,
    select,
    update,
)

from marketplace import audit, metrics, request_ids
from marketplace.accounts.models import SupplierProfile, User
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.leads.models import (
    DeliveryStatus,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from marketplace.leads.webhook_targets import RefusedTarget, http_session, target_problem
from marketplace.notifications import absolute_url, send_email

log = logging.getLogger(__name__)

# Retries: exponential backoff with full jitter (so a receiver that comes back is not hit by
# every delivery at the same moment), above a floor so that a retry never lands in the same
# sweep. About ten hours of retries in all before a delivery is given up.
BACKOFF_BASE = timedelta(seconds=60)
BACKOFF_CAP = timedelta(hours=6)
BACKOFF_FLOOR = timedelta(seconds=5)
MAX_ATTEMPTS = 12
# Consecutive failed attempts, across the webhook's deliveries, that disable it.
DISABLE_AFTER_FAILURES = 20
# How long a claimed delivery stays out of other workers' reach: far longer than one attempt
# (connect 5 s + answer 10 s), so a lease never runs out while its attempt is still going.
CLAIM_LEASE = timedelta(minutes=5)
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
USER_AGENT = "TradeSetu-Webhooks/1"
MAX_ERROR_LENGTH = 300


def give_up_pending(webhook_id: int, reason: str) -> None:
    """Fail the webhook's waiting deliveries. Their next_attempt_at stays: for one that a worker
    is attempting right now it is that worker's lease, which lets a 2xx it gets still count
    (see `_record`)."""
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.webhook_id == webhook_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.FAILED, last_error=reason)
        .execution_options(synchronize_session=False)
    )


def backoff(attempts: int, rng: Callable[[float, float], float] = random.uniform) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: a uniformly random time up to
    a ceiling that doubles with each attempt (BACKOFF_BASE, then twice that, ... up to
    BACKOFF_CAP), and never less than BACKOFF_FLOOR."""
    exponent = min(max(attempts - 1, 0), 30)  # 2**30 minutes is far past the cap already
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2**exponent))
    seconds = rng(BACKOFF_FLOOR.total_seconds(), ceiling.total_seconds())
    return timedelta(seconds=seconds)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Marketplace-Signature value: HMAC-SHA256 of "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


@dataclass(frozen=True)
class _Job:
    """What an attempt needs, read before the request so no transaction stays open during it."""

    delivery_id: int
    webhook_id: int
    url: str
    secret: str
    event: str
    event_id: str
    body: str
    attempts: int  # before this attempt
    request_id: str


@dataclass(frozen=True)
class _Outcome:
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def _claim(delivery_id: int, now: datetime) -> datetime | None:
    """Take the delivery for one attempt if it is pending and due; the lease (its new
    next_attempt_at) keeps every other worker off it. Returns the lease, or None."""
    lease = now + CLAIM_LEASE
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
        )
        .values(next_attempt_at=lease)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    commit()
    return lease if claimed else None


def _short(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def _cause(error: BaseException) -> str:
    """The innermost reason of a wrapped network error ("Connection refused"), not the
    wrappers' repr of the whole pool."""
    reason: BaseException | None = error
    for _hop in range(10):  # exception chains can loop
        if reason is None:
            break
        if isinstance(reason, OSError) and reason.strerror:
            return str(reason.strerror)
        inner = reason.args[0] if reason.args else None
        if isinstance(inner, BaseException):
            # urllib3's MaxRetryError has the reason as an exception; an SSL error, as a word.
            nested = getattr(inner, "reason", None)
            reason = nested if isinstance(nested, BaseException) else inner
        else:
            reason = reason.__cause__ or reason.__context__
    return str(error)


def _describe(error: Exception) -> str:
    if isinstance(error, RefusedTarget):
        return str(error)
    if isinstance(error, requests.ConnectTimeout):
        return f"could not connect within {CONNECT_TIMEOUT} s"
    if isinstance(error, requests.ReadTimeout):
        return f"no answer within {READ_TIMEOUT} s"
    if isinstance(error, requests.exceptions.SSLError):
        return f"TLS failed: {_cause(error)}"
    if isinstance(error, requests.ConnectionError):
        return f"could not connect: {_cause(error)}"
    return f"{type(error).__name__}: {error}"


def _post(job: _Job) -> _Outcome:
    attempted_at = utcnow()
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = target_problem(job.url)  # a clear refusal, before any connection
    if error is None:
        body = job.body.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Marketplace-Event": job.event,
            "X-Marketplace-Delivery": job.event_id,
            "X-Marketplace-Timestamp": timestamp,
            "X-Marketplace-Signature": signature(job.secret, timestamp, body),
            request_ids.HEADER: job.request_id,
        }
        try:
            with http_session() as session:
                # stream=True: only the status line and headers are read, never a body of any
                # size that the receiver might send back.
                response = session.post(
                    job.url,
                    data=body,
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                    allow_redirects=False,
                    stream=True,
                )
                status_code = response.status_code
                response.close()
        except Exception as failure:  # any failure to send is a failed attempt, never a crash
            error = _describe(failure)
        if status_code is not None and not 200 <= status_code < 300:
            error = f"HTTP {status_code}" + (
                " (redirects are not followed)" if 300 <= status_code < 400 else ""
            )
    duration_ms = int((time.monotonic() - started) * 1000)
    return _Outcome(attempted_at, status_code, duration_ms, _short(error) if error else None)


def attempt_delivery(delivery_id: int) -> None:
    """One attempt at one delivery: claim it, post it, record what happened, commit."""
    now = utcnow()
    lease = _claim(delivery_id, now)
    if lease is None:
        return  # delivered, given up, not yet due, or another worker holds it
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    # Logged and sent under the id of the request that caused the event, retries too.
    with request_ids.bound(delivery.request_id or request_ids.current()) as request_id:
        _attempt(delivery, lease, request_id)


def _attempt(delivery: WebhookDelivery, lease: datetime, request_id: str) -> None:
    webhook = delivery.webhook
    if webhook.deleted_at is not None or webhook.disabled_at is not None:
        reason = "the webhook was deleted" if webhook.deleted_at else "the webhook is disabled"
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = reason
        metrics.count_on_commit(metrics.WEBHOOK_DELIVERIES, outcome="skipped")
        commit()
        return
    job = _Job(
        delivery_id=delivery.id,
        webhook_id=webhook.id,
        url=webhook.url,
        secret=webhook.secret,
        event=delivery.event,
        event_id=delivery.event_id,
        body=delivery.body,
        attempts=delivery.attempts,
        request_id=request_id,
    )
    commit()  # end the read: the request below may take seconds
    outcome = _post(job)
    log.info(
        "webhook delivery %s, attempt %s: %s",
        job.delivery_id,
        job.attempts + 1,
        "delivered" if outcome.ok else outcome.error,
    )
    _record(job, lease, outcome)
    commit()


def _record(job: _Job, lease: datetime, outcome: _Outcome) -> None:
    now = utcnow()
    db.session.add(
        WebhookAttempt(
            delivery_id=job.delivery_id,
            attempted_at=outcome.attempted_at,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
        )
    )
    stopped: str | None = None  # "deleted" or "disabled" when this attempt ended the webhook
    if outcome.ok:
        _webhook_values(job.webhook_id, failures_in_a_row=0)
    elif outcome.gone:
        stopped = "deleted" if _mark_deleted(job.webhook_id, now) else None
    else:
        stopped = "disabled" if _count_failure(job.webhook_id, outcome, now) else None

    attempts = job.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "last_duration_ms": outcome.duration_ms,
    }
    if outcome.ok:
        values.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif outcome.gone or stopped or attempts >= MAX_ATTEMPTS:
        values.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        if outcome.gone or stopped:
            values["last_error"] = _short(
                f"{outcome.error}; the webhook was {stopped or 'deleted'}"
            )
    else:
        values["next_attempt_at"] = now + backoff(attempts)
    metrics.count_on_commit(metrics.WEBHOOK_DELIVERIES, outcome=_outcome_label(values))
    # Only while the lease is ours: it outlasts any attempt, but a worker that stalled past it
    # must not overwrite what a later attempt recorded. A 2xx counts even if the webhook was
    # deleted or disabled meanwhile (it was delivered); a failure does not revive a delivery
    # that was given up.
    where = [WebhookDelivery.id == job.delivery_id, WebhookDelivery.next_attempt_at == lease]
    if not outcome.ok:
        where.append(WebhookDelivery.status == DeliveryStatus.PENDING)
    kept = db.session.execute(
        update(WebhookDelivery)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not kept:
        log.info("webhook delivery %s: its result came after it was given up", job.delivery_id)

    if stopped == "deleted":
        give_up_pending(job.webhook_id, "the receiver answered 410 Gone: the webhook was deleted")
        audit.record(
            "webhook.deleted",
            subject=db.session.get(Webhook, job.webhook_id),
            reason="the receiver answered 410 Gone",
        )
    elif stopped == "disabled":
        give_up_pending(job.webhook_id, "the webhook was disabled")
        _tell_disabled(job.webhook_id, outcome)


def _outcome_label(values: dict[str, Any]) -> str:
    """The attempt's outcome for /metrics, from what it records on the delivery."""
    if "status" not in values:
        return "retrying"
    return "delivered" if values["status"] == DeliveryStatus.DELIVERED else "failed"


def _webhook_values(webhook_id: int, **values: Any) -> int:
    return db.session.execute(  # type: ignore[attr-defined, no-any-return]
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount


def _mark_deleted(webhook_id: int, now: datetime) -> bool:
    """410 Gone: the receiver says this URL is over. True if this attempt deleted it."""
    return bool(
        db.session.execute(
            update(Webhook)
            .where(Webhook.id == webhook_id, Webhook.deleted_at.is_(None))
            .values(deleted_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    )


def _count_failure(webhook_id: int, outcome: _Outcome, now: datetime) -> bool:
    """Count a failed attempt against the webhook (in SQL: workers fail concurrently) and
    disable it at the threshold. True if this attempt disabled it (exactly one does)."""
    _webhook_values(webhook_id, failures_in_a_row=Webhook.failures_in_a_row + 1)
    failures = db.session.scalar(select(Webhook.failures_in_a_row).where(Webhook.id == webhook_id))
    if (failures or 0) < DISABLE_AFTER_FAILURES:
        return False
    reason = _short(f"{failures} delivery attempts in a row failed; the last one: {outcome.error}")
    return bool(
        db.session.execute(
            update(Webhook)
            .where(
                Webhook.id == webhook_id,
                Webhook.disabled_at.is_(None),
                Webhook.deleted_at.is_(None),
            )
            .values(disabled_at=now, disabled_reason=reason)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    )


def _tell_disabled(webhook_id: int, outcome: _Outcome) -> None:
    """The audit row and the supplier's notice, once per disabling."""
    webhook = db.session.get(Webhook, webhook_id, populate_existing=True)
    assert webhook is not None
    audit.record(
        "webhook.disabled",
        subject=webhook,
        reason=webhook.disabled_reason,
        failures=webhook.failures_in_a_row,
    )
    owner = db.session.scalar(
        select(User).join(SupplierProfile).where(SupplierProfile.id == webhook.supplier_id)
    )
    if owner is None:
        return
    parts = urlsplit(webhook.url)
    send_email(
        owner.email,
        _l("Your TradeSetu webhook was turned off"),
        "webhook_disabled",
        language=owner.language,
        user=owner,
        webhook=webhook,
        # Scheme, host and path only: the query may hold the CRM's access token.
        target=f"{parts.scheme}://{parts.netloc}{parts.path}",
        failures=webhook.failures_in_a_row,
        last_error=outcome.error,
        link=absolute_url("webhooks.webhook_page", webhook_id=webhook.id),
    )
