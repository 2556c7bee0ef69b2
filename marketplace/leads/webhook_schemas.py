"""What a supplier sees of its webhooks and their delivery log: never a webhook's secret, which
its answer to the registration carries once."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict

from marketplace.fields import MaybeTimestamp, Timestamp
from marketplace.leads.models import DeliveryStatus
from marketplace.leads.models import Webhook as WebhookRow
from marketplace.leads.models import WebhookDelivery as DeliveryRow


class Webhook(TypedDict):
    """A webhook as its owner sees it: never the secret, which is shown once, at creation."""

    id: int
    url: str
    events: list[str]
    format: str
    active: Annotated[bool, Field(description="false once disabled")]
    failures_in_a_row: int
    disabled_at: MaybeTimestamp
    disabled_reason: str | None
    created_at: Timestamp


class NewWebhook(Webhook):
    """A webhook just registered, with its signing secret: shown this once."""

    secret: str


class WebhookDeliveryAttempt(TypedDict):
    attempted_at: Timestamp
    status_code: int | None
    duration_ms: int
    error: str | None


class WebhookDelivery(TypedDict):
    """One event sent (or being sent) to a webhook, with each attempt."""

    id: int
    webhook_id: int
    event: str
    event_id: Annotated[
        str, Field(description="sent as X-Marketplace-Delivery: the receiver's idempotency key")
    ]
    status: Annotated[str, Field(json_schema_extra={"enum": [str(s) for s in DeliveryStatus]})]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_duration_ms: int | None
    created_at: Timestamp
    delivered_at: MaybeTimestamp
    next_attempt_at: MaybeTimestamp
    attempt_log: list[WebhookDeliveryAttempt]


def webhook_view(webhook: WebhookRow) -> Webhook:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "events": list(webhook.events),
        "format": webhook.format,
        "active": webhook.disabled_at is None,
        "failures_in_a_row": webhook.failures_in_a_row,
        "disabled_at": webhook.disabled_at,
        "disabled_reason": webhook.disabled_reason,
        "created_at": webhook.created_at,
    }


def new_webhook_view(webhook: WebhookRow, secret: str) -> NewWebhook:
    return {**webhook_view(webhook), "secret": secret}


def delivery_view(delivery: DeliveryRow) -> WebhookDelivery:
    pending = delivery.status == DeliveryStatus.PENDING
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
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "next_attempt_at": delivery.next_attempt_at if pending else None,
        "attempt_log": [
            {
                "attempted_at": attempt.attempted_at,
                "status_code": attempt.status_code,
                "duration_ms": attempt.duration_ms,
                "error": attempt.error,
            }
            for attempt in delivery.attempt_log
        ],
    }
