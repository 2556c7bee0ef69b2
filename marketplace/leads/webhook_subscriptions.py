"""Webhook subscriptions: a supplier registers, lists, deletes and re-enables its webhooks, and
reads their delivery log (what its owner sees of them is leads.schemas)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace import audit
from marketplace.accounts.models import SupplierProfile, User
from marketplace.db import get_owned, paginate, utcnow
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.leads import policy
from marketplace.leads.models import Webhook, WebhookDelivery
from marketplace.leads.webhook_delivery import give_up_pending
from marketplace.leads.webhook_inputs import WebhookIn

MAX_WEBHOOKS_PER_SUPPLIER = 10


def create_webhook(user: User, body: WebhookIn) -> tuple[Webhook, str]:
    """Register a webhook; returns it with its signing secret, which is shown this once."""
    supplier = policy.webhook_subscriber(user)
    url, events, body_format = body.url, body.events, body.format
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
            _(
                "A supplier can have at most %(limit)s webhooks; delete one first.",
                limit=MAX_WEBHOOKS_PER_SUPPLIER,
            )
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
    newest_first = (
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id)
        .options(selectinload(WebhookDelivery.attempt_log))
        .order_by(WebhookDelivery.id.desc())
    )
    return paginate(newest_first, page=page, per_page=per_page)
