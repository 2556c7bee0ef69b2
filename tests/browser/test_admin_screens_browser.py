"""The staff's new screens and the supplier's webhook page in a browser, at 360 px and 1366 px:
each fits the screen without sideways scrolling, and each is kept as a screenshot in
test-artifacts/ (admin-*, webhook-*)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.inputs import ProductIn, VisibilityIn
from marketplace.catalog.services import create_product, set_hidden
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.leads import webhook_subscriptions, webhook_targets
from marketplace.leads.models import DeliveryStatus, WebhookDelivery
from marketplace.leads.webhook_inputs import WebhookIn
from tests import factories
from tests.browser.conftest import loaded, screenshot, sign_in

WIDTHS = {"phone": (360, 740), "desktop": (1366, 900)}


@pytest.fixture()
def shop(app, ctx, categories, monkeypatch):
    monkeypatch.setattr(webhook_targets, "_resolve", lambda host, port: ["93.184.216.34"])
    admin = factories.staff("admin", email="meera.admin@tradesetu.example")
    supplier = factories.supplier()
    owner = db.session.get(User, supplier.id)
    product = create_product(
        owner,
        ProductIn.model_validate(
            {
                "name": "Mild steel pipe",
                "category": "stainless-steel-pipes",
                "description": "ERW pipe, IS 1239 medium class, 6 m lengths.",
                "price": "68.00",
                "unit": "kg",
                "moq": 500,
            }
        ),
    )
    spare = create_product(
        owner,
        ProductIn.model_validate(
            {
                "name": "GI pipe heavy class",
                "category": "stainless-steel-pipes",
                "description": "Galvanised pipe for water lines.",
                "price": "92.00",
                "unit": "kg",
                "moq": 200,
            }
        ),
    )
    body = VisibilityIn.model_validate({"hidden": True, "reason": "Copied photos of a brand"})
    set_hidden(db.session.get(User, admin.id), spare.id, body)
    webhook, _ = webhook_subscriptions.create_webhook(
        owner,
        WebhookIn.model_validate(
            {
                "url": "https://crm.raosteel.example.in/hooks/tradesetu?token=abc123",
                "events": ["lead.created", "message.created"],
            }
        ),
    )
    now = utcnow()
    for status, code, error in (
        (DeliveryStatus.DELIVERED, 200, None),
        (DeliveryStatus.FAILED, 503, "HTTP 503"),
    ):
        db.session.add(
            WebhookDelivery(
                webhook_id=webhook.id,
                event="lead.created",
                event_id=f"evt-{status}",
                body="{}",
                status=status,
                attempts=1 if code == 200 else 12,
                last_status_code=code,
                last_error=error,
                created_at=now - timedelta(hours=2),
                delivered_at=now if code == 200 else None,
            )
        )
    commit()
    business = db.session.scalar(
        select(SupplierProfile.id).where(SupplierProfile.user_id == supplier.id)
    )
    return {
        "admin": admin,
        "supplier": supplier,
        "business": business,
        "product": product.id,
        "webhook": webhook.id,
    }


def _fits(page) -> None:
    width, inner = loaded(page).evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5)
        .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""
    )
    assert width <= inner, f"{page.url} is {width} px wide on a {inner} px screen: {wide}"


@pytest.mark.parametrize("size", list(WIDTHS))
def test_the_admins_screens_fit_and_read_plainly(shop, open_context, problems, size):
    page = open_context(*WIDTHS[size])
    sign_in(page, shop["admin"].email)
    supplier_id = shop["supplier"].id
    screens = {
        "admin-users": "/admin/users/",
        "admin-user": f"/admin/users/{supplier_id}",
        "admin-user-role": f"/admin/users/{supplier_id}/role?role=grievance_officer&change=grant",
        "admin-user-suspend": f"/admin/users/{supplier_id}/suspension",
        "admin-gst": "/admin/gst/?show=all",
        "admin-gst-supplier": f"/admin/gst/{shop['business']}",
        "admin-listings": "/admin/listings/",
        "admin-listing-hide": f"/admin/listings/{shop['product']}/hide",
        "admin-audit": "/account/audit",
    }
    for name, url in screens.items():
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        _fits(page)
        screenshot(page, f"{name}-{size}")
    page.goto("/account/audit?action=product.hidden")
    expect(page.locator('tr[data-action="product.hidden"]')).to_contain_text(
        "Meera Iyer (admin) hid the listing 'GI pipe heavy class' — reason: Copied photos"
    )
    assert "supplier_profiles" not in page.content()
    page.goto("/admin/listings/?show=hidden")
    expect(page.get_by_test_id("listing")).to_have_count(1)
    assert not problems.seen, problems.seen


@pytest.mark.parametrize("size", list(WIDTHS))
def test_the_suppliers_webhook_pages_fit(shop, open_context, problems, size):
    page = open_context(*WIDTHS[size])
    sign_in(page, shop["supplier"].email)
    webhook = shop["webhook"]
    for name, url in {
        "webhooks": "/account/webhooks/",
        "webhook-deliveries": f"/account/webhooks/{webhook}",
        "webhook-stop": f"/account/webhooks/{webhook}/stop",
    }.items():
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        _fits(page)
        screenshot(page, f"{name}-{size}")
    page.goto(f"/account/webhooks/{webhook}")
    failed = page.locator('tr[data-status="failed"]')
    expect(failed).to_contain_text("HTTP 503")
    expect(failed.get_by_role("button", name="Send again")).to_be_visible()
    assert not problems.seen, problems.seen
