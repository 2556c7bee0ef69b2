"""Webhook subscriptions: a supplier registers, lists, deletes and re-enables its webhooks, and
reads their delivery log; the views of them its owner sees."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import selectinload

from marketplace import audit
from marketplace.accounts.models import SupplierProfile, User
from marketplace.db import get_owned, utcnow
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.leads import policy
from marketplace.leads.models import (
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from marketplace.leads.webhook_delivery import give_up_pending
from marketplace.leads.webhook_targets import target_problem
from marketplace.validation import Input, Invalid

EVENTS = tuple(str(event) for event in WebhookEvent)
# "indiamart": IndiaMART's push format, for connectors written for it; it carries new leads only.
FORMATS = ("native", "indiamart")
MAX_WEBHOOKS_PER_SUPPLIER = 10
MAX_URL_LENGTH = 2000
_FIELDS = ("url", "events", "format")


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
    supplier = policy.webhook_subscriber(user)
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
    supplier = policy.webhook_subscriber(user)
    return list(
        db.session.scalars(
            select(Webhook)
            .where(Webhook.supplier_id == supplier.id, Webhook.deleted_at.is_(None))
            .order_by(Webhook.id)
        )
    )


def own_webhook(user: User, webhook_id: int) -> Webhook:
    """The caller's webhook; another supplier's, or a deleted one, is not found."""
    supplier = policy.webhook_subscriber(user)
    return get_owned(
        Webhook,
        webhook_id,
        (Webhook.supplier_id == supplier.id) & Webhook.deleted_at.is_(None),
    )


def delete_webhook(user: User, webhook_id: int) -> None:
    webhook = own_webhook(user, webhook_id)
    now = utcnow()
    webhook.deleted_at = now
    give_up_pending(webhook.id, "the webhook was deleted")
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
