"""Webhook events: a lead event writes one `WebhookDelivery` per subscribed webhook in the
transaction that caused it (the durable outbox, with the exact body that is signed and sent).
After the commit each delivery is handed to the `deliver_webhook` task, best effort; beat's
`send_due_webhooks` hands over whatever was not handed over and every retry whose time has
come."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from kombu.exceptions import OperationalError
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
)

import workers
from marketplace import request_ids
from marketplace.db import after_commit, commit, utcnow
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.leads import indiamart, queries, schemas
from marketplace.leads.models import (
    DeliveryStatus,
    Lead,
    Message,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)

log = logging.getLogger(__name__)

DISPATCH_BATCH = 300
# By name: the tasks module imports this one (to sweep), so this one cannot import it.
DELIVER_TASK = "marketplace.leads.tasks.deliver_webhook"


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
            webhook_id=webhook.id,
            event=str(event),
            event_id=event_id,
            body=bodies[webhook.format],
            request_id=request_ids.current(),
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
    for delivery_id in delivery_ids:
        try:
            workers.send_now(DELIVER_TASK, delivery_id)
        except OperationalError:
            log.warning("could not send webhook delivery %s; the sweep will", delivery_id)


def hand_over(delivery_ids: Sequence[int]) -> None:
    """Send deliveries written outside `emit` (a test delivery, a retry) to the task."""
    _hand_over(delivery_ids)


def _due() -> ColumnElement[bool]:
    return and_(
        WebhookDelivery.status == DeliveryStatus.PENDING,
        or_(
            WebhookDelivery.next_attempt_at.is_(None),
            WebhookDelivery.next_attempt_at <= utcnow(),
        ),
    )


def due_since() -> datetime | None:
    """Since when the delivery that has waited longest has been due (its retry time, or its
    creation): how far the deliveries are behind. A claimed one (being attempted) is not due."""
    return db.session.scalar(
        select(
            func.min(func.coalesce(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at))
        ).where(_due())
    )


def dispatch_due() -> int:
    """Hand the due deliveries, oldest first, to the delivery task; return how many."""
    ids = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(_due())
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(DISPATCH_BATCH)
        )
    )
    commit()  # no transaction stays open while the attempts run (inline, without a broker)
    _hand_over(ids)
    return len(ids)
