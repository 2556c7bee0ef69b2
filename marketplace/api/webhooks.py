"""Webhooks over JSON: a person registers, deletes and re-enables them; an integration key with
the webhooks:manage scope may read them and their delivery log."""

from __future__ import annotations

from flask import jsonify

from marketplace.accounts.models import Role
from marketplace.accounts.policy import Scope
from marketplace.api import authenticated, bp, current_api_user, json_body, page_body, pagination
from marketplace.leads import webhook_subscriptions as subscriptions
from marketplace.web import no_store


@bp.post("/webhooks")
@authenticated(Role.SUPPLIER, person=True)
def create_webhook():  # type: ignore[no-untyped-def]
    webhook, secret = subscriptions.create_webhook(current_api_user(), json_body())
    response = jsonify({**subscriptions.webhook_view(webhook), "secret": secret})
    response.status_code = 201
    return no_store(response)  # the signing secret is shown this once


@bp.get("/webhooks")
@authenticated(Role.SUPPLIER, scope=Scope.WEBHOOKS_MANAGE)
def list_webhooks():  # type: ignore[no-untyped-def]
    items = [subscriptions.webhook_view(w) for w in subscriptions.own_webhooks(current_api_user())]
    return jsonify(page_body(items, len(items), 1, max(len(items), 1)))


@bp.delete("/webhooks/<int:webhook_id>")
@authenticated(Role.SUPPLIER, person=True)
def delete_webhook(webhook_id: int):  # type: ignore[no-untyped-def]
    subscriptions.delete_webhook(current_api_user(), webhook_id)
    return "", 204


@bp.post("/webhooks/<int:webhook_id>/enable")
@authenticated(Role.SUPPLIER, person=True)
def enable_webhook(webhook_id: int):  # type: ignore[no-untyped-def]
    webhook = subscriptions.enable_webhook(current_api_user(), webhook_id)
    return jsonify(subscriptions.webhook_view(webhook))


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@authenticated(Role.SUPPLIER, scope=Scope.WEBHOOKS_MANAGE)
def webhook_deliveries(webhook_id: int):  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    rows, total = subscriptions.deliveries(
        current_api_user(), webhook_id, page=page, per_page=per_page
    )
    return jsonify(page_body([subscriptions.delivery_view(d) for d in rows], total, page, per_page))
