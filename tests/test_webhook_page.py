"""The supplier's webhook page: register, test-send, read deliveries, send a failed one again,
turn off and delete with a confirmation; the team roles of the API hold on the page too."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from marketplace.audit import AuditEvent
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads import webhook_targets
from marketplace.leads.models import DeliveryStatus, Webhook, WebhookDelivery
from tests import factories
from tests.conftest import csrf_token, sign_in_page
from tests.test_team import PASSWORD, add_member


@pytest.fixture(autouse=True)
def _public_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """crm.example.com resolves to a public address without asking DNS."""
    monkeypatch.setattr(webhook_targets, "_resolve", lambda host, port: ["93.184.216.34"])


def _actions() -> list[str]:
    db.session.rollback()
    return [row.action for row in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _register(browser, token: str, url: str, **events: str):
    data = {"csrf_token": token, "url": url, "format": "native", **events}
    return browser.post("/account/webhooks/", data=data)


def test_a_supplier_registers_a_webhook_and_sees_the_secret_once(app, ctx, supplier, private_ok):
    browser = app.test_client()
    token = sign_in_page(browser, supplier)
    made = _register(browser, token, "https://crm.example.com/hook", lead_created="y")
    assert made.status_code == 201, made.text
    assert made.headers["Cache-Control"] == "no-store"
    webhook = db.session.scalar(select(Webhook))
    assert webhook.secret in made.text and webhook.events == ["lead.created"]
    listed = browser.get("/account/webhooks/").text
    assert "https://crm.example.com/hook" in listed and webhook.secret not in listed
    assert "A new enquiry or BuyLead arrives" in listed
    assert "webhook.created" in _actions()


def test_a_webhook_without_events_is_refused_in_plain_words(app, supplier, private_ok):
    browser = app.test_client()
    token = sign_in_page(browser, supplier)
    refused = _register(browser, token, "https://crm.example.com/hook")
    assert refused.status_code == 422
    assert "Tick at least one kind of event." in refused.text
    assert "lead.created" not in refused.text  # no event names of the API
    no_token = browser.post("/account/webhooks/", data={"url": "https://crm.example.com/h"})
    assert no_token.status_code == 400


def test_a_test_delivery_reaches_the_receiver_and_a_failed_one_is_sent_again(
    app, ctx, supplier, receiver, private_ok
):
    browser = app.test_client()
    token = sign_in_page(browser, supplier)
    _register(browser, token, receiver.url, lead_created="y")
    webhook_id = db.session.scalar(select(Webhook.id))
    receiver.statuses = [500]
    sent = browser.post(f"/account/webhooks/{webhook_id}/test", data={"csrf_token": token})
    assert sent.status_code == 302
    [got] = receiver.received
    assert got.headers["x-marketplace-event"] == "webhook.test"
    page = browser.get(f"/account/webhooks/{webhook_id}").text
    assert "Waiting to be sent" in page and "HTTP 500" in page and "IST" in page
    db.session.rollback()
    db.session.execute(update(WebhookDelivery).values(status=DeliveryStatus.FAILED))
    commit()
    delivery_id = db.session.scalar(select(WebhookDelivery.id))
    again = browser.post(
        f"/account/webhooks/{webhook_id}/retry",
        data={"csrf_token": token, "delivery_id": delivery_id},
    )
    assert again.status_code == 302 and len(receiver.received) == 2
    page = browser.get(f"/account/webhooks/{webhook_id}").text
    assert 'data-status="delivered"' in page and "HTTP 200" in page
    assert _actions()[-2:] == ["webhook.test_sent", "webhook.retried"]


def test_a_delivered_one_is_not_sent_again(app, ctx, supplier, receiver, private_ok):
    browser = app.test_client()
    token = sign_in_page(browser, supplier)
    _register(browser, token, receiver.url, lead_created="y")
    webhook_id = db.session.scalar(select(Webhook.id))
    browser.post(f"/account/webhooks/{webhook_id}/test", data={"csrf_token": token})
    delivery_id = db.session.scalar(select(WebhookDelivery.id))
    again = browser.post(
        f"/account/webhooks/{webhook_id}/retry",
        data={"csrf_token": token, "delivery_id": delivery_id},
    )
    assert again.status_code == 302 and len(receiver.received) == 1
    assert "Only a delivery that failed" in browser.get(again.headers["Location"]).text


def test_turning_off_and_deleting_ask_first_with_the_facts(app, ctx, supplier, private_ok):
    browser = app.test_client()
    token = sign_in_page(browser, supplier)
    _register(browser, token, "https://crm.example.com/hook", lead_updated="y")
    webhook_id = db.session.scalar(select(Webhook.id))
    confirm = browser.get(f"/account/webhooks/{webhook_id}/stop")
    assert (
        "https://crm.example.com/hook" in confirm.text and 'data-testid="waiting">0' in confirm.text
    )
    action = csrf_token(confirm.text)
    browser.post(f"/account/webhooks/{webhook_id}/disable", data={"csrf_token": action})
    db.session.rollback()
    assert db.session.get(Webhook, webhook_id).disabled_at is not None
    assert 'data-testid="webhook-off"' in browser.get(f"/account/webhooks/{webhook_id}").text
    browser.post(f"/account/webhooks/{webhook_id}/enable", data={"csrf_token": action})
    db.session.rollback()
    assert db.session.get(Webhook, webhook_id).disabled_at is None
    gone = browser.post(f"/account/webhooks/{webhook_id}/delete", data={"csrf_token": action})
    assert gone.status_code == 302
    db.session.rollback()
    assert db.session.get(Webhook, webhook_id).deleted_at is not None
    assert browser.get(f"/account/webhooks/{webhook_id}").status_code == 404
    assert _actions()[-3:] == ["webhook.disabled", "webhook.enabled", "webhook.deleted"]


def test_a_manager_manages_webhooks_and_sales_cannot(app, supplier_api, private_ok):
    manager = add_member(app, supplier_api, "manager")
    sales = add_member(app, supplier_api, "sales")
    browser = app.test_client()
    token = sign_in_page(browser, factories.Registered(manager.user_id, manager.email, PASSWORD))
    made = _register(browser, token, "https://crm.example.com/hook", lead_created="y")
    assert made.status_code == 201
    assert 'id="nav-webhooks"' in browser.get("/account/webhooks/").text
    theirs = app.test_client()
    sign_in_page(theirs, factories.Registered(sales.user_id, sales.email, PASSWORD))
    assert theirs.get("/account/webhooks/").status_code == 403
    assert 'id="nav-webhooks"' not in theirs.get("/account/").text


def test_another_suppliers_webhook_is_not_found(app, ctx, supplier, private_ok):
    browser = app.test_client()
    token = sign_in_page(browser, supplier)
    _register(browser, token, "https://crm.example.com/hook", lead_created="y")
    webhook_id = db.session.scalar(select(Webhook.id))
    other = app.test_client()
    other_token = sign_in_page(other, factories.supplier())
    assert other.get(f"/account/webhooks/{webhook_id}").status_code == 404
    refused = other.post(f"/account/webhooks/{webhook_id}/delete", data={"csrf_token": other_token})
    assert refused.status_code == 404
