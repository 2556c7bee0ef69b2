"""Webhooks over JSON: a person registers, deletes and re-enables them; an integration key with
the webhooks:manage scope may read them and their delivery log."""

from __future__ import annotations

from marketplace.accounts.models import BUSINESS_ROLES
from marketplace.accounts.policy import Scope
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.fields import Page, PageQuery
from marketplace.leads import webhook_schemas as schemas
from marketplace.leads import webhook_subscriptions as subscriptions
from marketplace.leads.webhook_inputs import WebhookIn
from marketplace.openapi import Reply, operation
from marketplace.web import NO_STORE


@bp.post("/webhooks")
@authenticated(*BUSINESS_ROLES, person=True)
@operation(
    "Register a webhook (at most 10); the answer carries its signing secret, shown this once",
    tag="webhooks",
    description="The answer is sent with Cache-Control: no-store. Each delivery is a POST with "
    "X-Marketplace-Event, X-Marketplace-Delivery (the event id), X-Marketplace-Timestamp (Unix "
    'seconds) and X-Marketplace-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with '
    "the secret>; failures are retried with backoff, 20 in a row disable the webhook, a 410 "
    "deletes it.",
    body=WebhookIn,
    responses={201: Reply(schemas.NewWebhook, "Registered")},
    problems=(409,),
)
def create_webhook(body: WebhookIn):  # type: ignore[no-untyped-def]
    webhook, secret = subscriptions.create_webhook(current_api_user(), body)
    return schemas.new_webhook_view(webhook, secret), 201, NO_STORE


@bp.get("/webhooks")
@authenticated(*BUSINESS_ROLES, scope=Scope.WEBHOOKS_MANAGE)
@operation(
    "The supplier's webhooks (never their secrets)",
    tag="webhooks",
    responses={200: Page[schemas.Webhook]},
)
def list_webhooks():  # type: ignore[no-untyped-def]
    items = [schemas.webhook_view(w) for w in subscriptions.own_webhooks(current_api_user())]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@bp.delete("/webhooks/<int:webhook_id>")
@authenticated(*BUSINESS_ROLES, person=True)
@operation(
    "Delete a webhook; its waiting deliveries are given up",
    tag="webhooks",
    responses={204: Reply(None, "Deleted")},
    problems=(404,),
)
def delete_webhook(webhook_id: int):  # type: ignore[no-untyped-def]
    subscriptions.delete_webhook(current_api_user(), webhook_id)
    return None, 204


@bp.post("/webhooks/<int:webhook_id>/enable")
@authenticated(*BUSINESS_ROLES, person=True)
@operation(
    "Turn a disabled webhook back on, with its failure count reset",
    tag="webhooks",
    responses={200: schemas.Webhook},
    problems=(404,),
)
def enable_webhook(webhook_id: int):  # type: ignore[no-untyped-def]
    return schemas.webhook_view(subscriptions.enable_webhook(current_api_user(), webhook_id))


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@authenticated(*BUSINESS_ROLES, scope=Scope.WEBHOOKS_MANAGE)
@operation(
    "A webhook's deliveries, newest first, each with its attempts (status, timing, error)",
    tag="webhooks",
    query=PageQuery,
    responses={200: Page[schemas.WebhookDelivery]},
    problems=(404,),
)
def webhook_deliveries(webhook_id: int, query: PageQuery):  # type: ignore[no-untyped-def]
    page, per_page = query.page, query.per_page
    rows, total = subscriptions.deliveries(
        current_api_user(), webhook_id, page=page, per_page=per_page
    )
    items = [schemas.delivery_view(d) for d in rows]
    return query.answer(items, total)
