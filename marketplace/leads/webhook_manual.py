"""What a supplier does to a webhook by hand, from its page: send a test delivery, send a failed
delivery again, turn the webhook off. Each goes through the same owner check as the API
(webhook_subscriptions.own_webhook, hence policy.webhook_subscriber) and is audited."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace import audit, request_ids
from marketplace.accounts.models import User
from marketplace.db import after_commit, utcnow
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.leads.models import DeliveryStatus, Webhook, WebhookDelivery
from marketplace.leads.webhook_delivery import give_up_pending
from marketplace.leads.webhook_outbox import hand_over
from marketplace.leads.webhook_subscriptions import own_webhook

# Not a lead event: a receiver that checks the event name can tell a test from real work.
TEST_EVENT = "webhook.test"


def _live(webhook: Webhook) -> None:
    if webhook.disabled_at is not None:
        raise Conflict(_("This webhook is turned off; turn it on first."))


def send_test(user: User, webhook_id: int) -> WebhookDelivery:
    """A signed delivery that carries no lead, sent at once (after the commit) and retried as
    any other: the supplier sees whether its receiver answers."""
    webhook = own_webhook(user, webhook_id)
    _live(webhook)
    event_id = str(uuid.uuid4())
    body = {
        "id": event_id,
        "event": TEST_EVENT,
        "created_at": iso_utc(utcnow()),
        "data": {"test": True, "message": "A test delivery from TradeSetu."},
    }
    delivery = WebhookDelivery(
        webhook_id=webhook.id,
        event=TEST_EVENT,
        event_id=event_id,
        body=json.dumps(body, separators=(",", ":")),
        request_id=request_ids.current(),
    )
    db.session.add(delivery)
    db.session.flush()
    audit.record("webhook.test_sent", actor_id=user.id, subject=webhook)
    delivery_id = delivery.id
    after_commit(lambda: hand_over([delivery_id]))
    return delivery


def retry_delivery(user: User, webhook_id: int, delivery_id: int | None) -> WebhookDelivery:
    """Send a failed delivery again, the same bytes, with its retries starting afresh."""
    webhook = own_webhook(user, webhook_id)
    _live(webhook)
    delivery = db.session.get(WebhookDelivery, delivery_id) if delivery_id else None
    if delivery is None or delivery.webhook_id != webhook.id:
        raise Conflict(_("Choose one of this webhook's deliveries that failed."))
    if delivery.status != DeliveryStatus.FAILED:
        raise Conflict(_("Only a delivery that failed can be sent again."))
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    audit.record("webhook.retried", actor_id=user.id, subject=webhook, delivery=delivery.id)
    after_commit(lambda: hand_over([delivery_id]))
    return delivery


def disable_webhook(user: User, webhook_id: int) -> Webhook:
    """Turn a webhook off (enable_webhook turns it on again); its waiting deliveries are given
    up."""
    webhook = own_webhook(user, webhook_id)
    if webhook.disabled_at is None:
        webhook.disabled_at = utcnow()
        webhook.disabled_reason = "turned off by the supplier"
        give_up_pending(webhook.id, "the webhook was turned off")
        audit.record(
            "webhook.disabled",
            actor_id=user.id,
            subject=webhook,
            reason="turned off by the supplier",
            host=urlsplit(webhook.url).hostname,
        )
    return webhook


def waiting_deliveries(webhook: Webhook) -> int:
    """How many deliveries of the webhook wait to be sent: what turning it off gives up."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(
                WebhookDelivery.webhook_id == webhook.id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
        )
        or 0
    )
