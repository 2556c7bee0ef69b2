"""Webhooks: a supplier's CRM hears of its leads as they happen.

A lead event writes one `WebhookDelivery` per subscribed webhook in the transaction that caused
it (the durable outbox, with the exact body that is signed and sent). After the commit each
delivery is handed to the `deliver_webhook` task, best effort; beat's `send_due_webhooks` sends
whatever was not handed over and every retry whose time has come. One attempt claims its row
first, so two workers never send the same delivery at once, and a delivery answered 2xx is never
sent again.

Receivers check `X-Marketplace-Signature: sha256=<hex HMAC-SHA256(secret,
"<X-Marketplace-Timestamp>.<body>")>` over the exact bytes received, refuse stale timestamps
(replays), and use `X-Marketplace-Delivery` (the event id) to ignore a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import secrets
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from kombu.exceptions import OperationalError
from requests.adapters import HTTPAdapter
from sqlalchemy import (
    ColumnElement,
    Exists,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import selectinload
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from marketplace import audit
from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.services import supplier_of
from marketplace.db import after_commit, commit, get_owned, utcnow
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.leads import indiamart, queries, schemas
from marketplace.leads.models import (
    DeliveryStatus,
    Lead,
    Message,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from marketplace.notifications import send_email
from marketplace.validation import Input, Invalid

log = logging.getLogger(__name__)

EVENTS = tuple(str(event) for event in WebhookEvent)
# "indiamart": IndiaMART's push format, for connectors written for it; it carries new leads only.
FORMATS = ("native", "indiamart")
MAX_WEBHOOKS_PER_SUPPLIER = 10
MAX_URL_LENGTH = 2000
_FIELDS = ("url", "events", "format")

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
DISPATCH_BATCH = 300
USER_AGENT = "TradeSetu-Webhooks/1"
MAX_ERROR_LENGTH = 300


# --- which addresses a webhook may reach -----------------------------------------------------


class RefusedTarget(Exception):
    """The URL leads to an address webhooks may not reach (our own network, say)."""


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64), if any: each is
    a way to reach 127.0.0.1 or 10.0.0.1 spelled as IPv6."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(text: str) -> bool:
    """True only for a global unicast address: not private, loopback, link-local (cloud
    metadata at 169.254.169.254), multicast, reserved, unspecified or shared (100.64/10)."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public_address(str(inner)):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (a seam for tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _private_allowed() -> bool:
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"])


def target_problem(url: str) -> str | None:
    """Why a webhook may not post to `url` now, or None. ANY refused address refuses the URL:
    the HTTP client may pick any of them."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = _resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        return f"the host name {host} could not be resolved"
    if not addresses:
        return f"the host name {host} could not be resolved"
    if _private_allowed():
        return None
    refused = [address for address in addresses if not is_public_address(address)]
    if refused:
        return (
            f"{host} resolves to {refused[0]}, a private, loopback or link-local address; "
            "webhooks are sent to public addresses only"
        )
    return None


class _GuardedConnectionMixin:
    """Checks the address the socket actually connected to. Resolving first and connecting
    later leaves a gap that DNS rebinding slips through; the peer of the open socket cannot
    be changed after the check."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        peer = str(sock.getpeername()[0])
        if not is_public_address(peer):
            sock.close()
            raise RefusedTarget(
                f"connected to {peer}, a private, loopback or link-local address; refused"
            )
        return sock


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {  # type: ignore[assignment]
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


def _http_session() -> requests.Session:
    session = requests.Session()
    # No proxies, .netrc credentials or CA bundles from the environment: a proxy would hide
    # the real peer from the check above, and a netrc would hand our credentials to a CRM.
    session.trust_env = False
    if not _private_allowed():
        adapter = _GuardedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


# --- managing webhooks (the API's services) --------------------------------------------------


def _check_url(value: str) -> str:
    if any(char.isspace() for char in value):
        raise Invalid("must not contain spaces")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        raise Invalid("is not a valid URL") from None
    if parts.scheme not in ("https", "http"):
        raise Invalid("must start with https:// (or http://)")
    if not parts.hostname:
        raise Invalid("must name a host, e.g. https://crm.example.com/hooks/tradesetu")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Invalid("must not contain a user name or password; the signature authenticates us")
    problem = target_problem(value)
    if problem:
        raise Invalid(problem)
    return value


def _read_events(inp: Input) -> list[str] | None:
    raw = inp.data.get("events")
    if raw is None:
        inp.fail("events", "this field is required")
        return None
    if not isinstance(raw, list) or not raw:
        inp.fail("events", f"must be a non-empty list of: {', '.join(EVENTS)}")
        return None
    unknown = [item for item in raw if not isinstance(item, str) or item not in EVENTS]
    if unknown:
        inp.fail("events", f"unknown event {unknown[0]!r}; the events are: {', '.join(EVENTS)}")
        return None
    if len(set(raw)) != len(raw):
        inp.fail("events", "must not name an event twice")
        return None
    return list(raw)


def _read_format(inp: Input, events: list[str] | None) -> str:
    raw = inp.data.get("format")
    if raw is None:
        return "native"
    if raw not in FORMATS:
        inp.fail("format", 'must be "native" or "indiamart"')
        return "native"
    if raw == "indiamart" and events and events != [str(WebhookEvent.LEAD_CREATED)]:
        inp.fail("events", 'the indiamart format carries new leads only: ["lead.created"]')
    return str(raw)


def create_webhook(user: User, data: Any) -> tuple[Webhook, str]:
    """Register a webhook; returns it with its signing secret, which is shown this once."""
    supplier = supplier_of(user)
    inp = Input(data)
    for field in inp.data:
        if field not in _FIELDS:
            inp.fail(field, f"unknown field; a webhook takes {', '.join(_FIELDS)}")
    url = inp.text("url", max_length=MAX_URL_LENGTH, check=_check_url)
    events = _read_events(inp)
    body_format = _read_format(inp, events)
    inp.raise_if_invalid()
    # Lock the supplier's row so that two concurrent registrations cannot both pass the limit.
    db.session.execute(
        select(SupplierProfile.id).where(SupplierProfile.id == supplier.id).with_for_update()
    )
    live = db.session.scalar(
        select(func.count())
        .select_from(Webhook)
        .where(Webhook.supplier_id == supplier.id, Webhook.deleted_at.is_(None))
    )
    if (live or 0) >= MAX_WEBHOOKS_PER_SUPPLIER:
        raise Conflict(
            f"A supplier can have at most {MAX_WEBHOOKS_PER_SUPPLIER} webhooks; delete one first."
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook = Webhook(
        supplier_id=supplier.id, url=url, events=events, format=body_format, secret=secret
    )
    db.session.add(webhook)
    db.session.flush()
    # The host only: a CRM's webhook URL often carries its own access token in the query.
    audit.record(
        "webhook.created",
        actor_id=user.id,
        subject=webhook,
        host=urlsplit(url).hostname,
        events=events,
        format=body_format,
    )
    return webhook, secret


def own_webhooks(user: User) -> list[Webhook]:
    supplier = supplier_of(user)
    return list(
        db.session.scalars(
            select(Webhook)
            .where(Webhook.supplier_id == supplier.id, Webhook.deleted_at.is_(None))
            .order_by(Webhook.id)
        )
    )


def own_webhook(user: User, webhook_id: int) -> Webhook:
    """The caller's webhook; another supplier's, or a deleted one, is not found."""
    supplier = supplier_of(user)
    return get_owned(
        Webhook,
        webhook_id,
        (Webhook.supplier_id == supplier.id) & Webhook.deleted_at.is_(None),
    )


def _give_up_pending(webhook_id: int, reason: str) -> None:
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


def delete_webhook(user: User, webhook_id: int) -> None:
    webhook = own_webhook(user, webhook_id)
    now = utcnow()
    webhook.deleted_at = now
    _give_up_pending(webhook.id, "the webhook was deleted")
    audit.record("webhook.deleted", actor_id=user.id, subject=webhook, reason="by the supplier")


def enable_webhook(user: User, webhook_id: int) -> Webhook:
    """Turn a disabled webhook back on, with a clean failure count. The deliveries given up
    while it was off stay given up: new events flow again."""
    webhook = own_webhook(user, webhook_id)
    if webhook.disabled_at is not None or webhook.failures_in_a_row:
        was_disabled = webhook.disabled_at is not None
        webhook.disabled_at = None
        webhook.disabled_reason = None
        webhook.failures_in_a_row = 0
        if was_disabled:
            audit.record("webhook.enabled", actor_id=user.id, subject=webhook)
    return webhook


def deliveries(
    user: User, webhook_id: int, *, page: int, per_page: int
) -> tuple[list[WebhookDelivery], int]:
    """A webhook's deliveries, newest first, with their attempts."""
    webhook = own_webhook(user, webhook_id)
    total = db.session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id)
    )
    rows = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id)
        .options(selectinload(WebhookDelivery.attempt_log))
        .order_by(WebhookDelivery.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total or 0


# --- what the owner sees ---------------------------------------------------------------------


def webhook_view(webhook: Webhook) -> dict[str, Any]:
    """A webhook as its owner sees it: never the secret, which is shown once, at creation."""
    return {
        "id": webhook.id,
        "url": webhook.url,
        "events": list(webhook.events),
        "format": webhook.format,
        "active": webhook.disabled_at is None,
        "failures_in_a_row": webhook.failures_in_a_row,
        "disabled_at": iso_utc(webhook.disabled_at),
        "disabled_reason": webhook.disabled_reason,
        "created_at": iso_utc(webhook.created_at),
    }


def delivery_view(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "event": delivery.event,
        "event_id": delivery.event_id,
        "status": str(delivery.status),
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "last_duration_ms": delivery.last_duration_ms,
        "created_at": iso_utc(delivery.created_at),
        "delivered_at": iso_utc(delivery.delivered_at),
        "next_attempt_at": (
            iso_utc(delivery.next_attempt_at) if delivery.status == DeliveryStatus.PENDING else None
        ),
        "attempt_log": [
            {
                "attempted_at": iso_utc(attempt.attempted_at),
                "status_code": attempt.status_code,
                "duration_ms": attempt.duration_ms,
                "error": attempt.error,
            }
            for attempt in delivery.attempt_log
        ],
    }


# --- writing deliveries ----------------------------------------------------------------------


def _payload(
    event: WebhookEvent, event_id: str, lead: Lead, message: Message | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "lead": schemas.lead_for_supplier(lead, queries.trust_signals([lead])[lead.id])
    }
    if message is not None:
        data["message"] = schemas.message(message)
    return {"id": event_id, "event": str(event), "created_at": iso_utc(utcnow()), "data": data}


def _subscribers(supplier_id: int, event: WebhookEvent) -> list[Webhook]:
    """The supplier's live webhooks that want `event`."""
    return [
        webhook
        for webhook in db.session.scalars(_live_webhooks(), {"supplier_id": supplier_id})
        if str(event) in webhook.events
    ]


def _live(supplier_id: ColumnElement[int]) -> ColumnElement[bool]:
    return and_(
        Webhook.supplier_id == supplier_id,
        Webhook.deleted_at.is_(None),
        Webhook.disabled_at.is_(None),
    )


def live_webhooks_exist(supplier_id: ColumnElement[int]) -> Exists:
    """Whether the supplier has live webhooks, as a clause (a new enquiry's INSERT asks it)."""
    return exists().where(_live(supplier_id))


@cache
def _live_webhooks() -> Select[tuple[Webhook]]:
    return select(Webhook).where(_live(bindparam("supplier_id")))


def emit(event: WebhookEvent, lead: Lead, *, message: Message | None = None) -> None:
    """Write a delivery for every live webhook of the lead's supplier that wants `event`, in
    the caller's transaction; after the commit each goes to the delivery task."""
    webhooks = _subscribers(lead.supplier_id, event)
    if not webhooks:
        return
    event_id = str(uuid.uuid4())
    # The exact text that is signed and sent, fixed now: a retry sends the same bytes, and the
    # lead as it was when the event happened. One text per format.
    bodies: dict[str, str] = {}
    for webhook in webhooks:
        if webhook.format not in bodies:
            payload = (
                indiamart.push_body(lead)
                if webhook.format == "indiamart"
                else _payload(event, event_id, lead, message)
            )
            bodies[webhook.format] = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    rows = [
        WebhookDelivery(
            webhook_id=webhook.id, event=str(event), event_id=event_id, body=bodies[webhook.format]
        )
        for webhook in webhooks
    ]
    db.session.add_all(rows)
    db.session.flush()
    ids = [row.id for row in rows]
    after_commit(lambda: _hand_over(ids))


def _hand_over(delivery_ids: Sequence[int]) -> None:
    """Send each delivery to the task, best effort: the row is the durable record, and beat's
    sweep sends what a broker outage kept back."""
    from marketplace.leads.tasks import deliver_webhook  # the tasks module imports this one
    from workers import _bound

    task = _bound(deliver_webhook)
    for delivery_id in delivery_ids:
        try:
            task.delay(delivery_id)
        except OperationalError:
            log.warning("could not send webhook delivery %s; the sweep will", delivery_id)


def dispatch_due() -> int:
    """Hand the due deliveries, oldest first, to the delivery task; return how many."""
    ids = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                or_(
                    WebhookDelivery.next_attempt_at.is_(None),
                    WebhookDelivery.next_attempt_at <= utcnow(),
                ),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(DISPATCH_BATCH)
        )
    )
    commit()  # no transaction stays open while the attempts run (inline, without a broker)
    _hand_over(ids)
    return len(ids)


# --- one attempt -----------------------------------------------------------------------------


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
    for _ in range(10):  # exception chains can loop
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
        }
        try:
            with _http_session() as session:
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
    webhook = delivery.webhook
    if webhook.deleted_at is not None or webhook.disabled_at is not None:
        reason = "the webhook was deleted" if webhook.deleted_at else "the webhook is disabled"
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = reason
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
    )
    commit()  # end the read: the request below may take seconds
    outcome = _post(job)
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
        _give_up_pending(job.webhook_id, "the receiver answered 410 Gone: the webhook was deleted")
        audit.record(
            "webhook.deleted",
            subject=db.session.get(Webhook, job.webhook_id),
            reason="the receiver answered 410 Gone",
        )
    elif stopped == "disabled":
        _give_up_pending(job.webhook_id, "the webhook was disabled")
        _tell_disabled(job.webhook_id, outcome)


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
        "Your TradeSetu webhook was turned off",
        "webhook_disabled",
        user=owner,
        webhook=webhook,
        # Scheme, host and path only: the query may hold the CRM's access token.
        target=f"{parts.scheme}://{parts.netloc}{parts.path}",
        failures=webhook.failures_in_a_row,
        last_error=outcome.error,
    )
