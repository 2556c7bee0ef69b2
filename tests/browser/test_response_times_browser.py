"""A buyer reads how suppliers answer enquiries: on a search result, on the storefront and on
the product page, at desktop and phone sizes, and sorts the results by fastest replies."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import User
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadSource
from tests.browser.conftest import loaded, screenshot

SIZES = {"desktop": (1280, 900), "phone": (360, 760)}
SAID = "Replies to 75% of enquiries within 24 h · usually within 2 h"


@pytest.fixture()
def answering(shop):
    supplier_id = db.session.get(User, shop.supplier_id).supplier.id
    asked = utcnow() - timedelta(days=3)
    for hours in (0.5, 1, 2, None):  # three of four answered within two hours
        db.session.add(
            Lead(
                supplier_id=supplier_id,
                buyer_id=shop.buyer_id,
                source=LeadSource.API,
                created_at=asked,
                first_response_at=None if hours is None else asked + timedelta(hours=hours),
            )
        )
    commit()
    return shop


@pytest.mark.parametrize("size", SIZES)
def test_a_buyer_sees_how_a_supplier_answers(open_context, problems, answering, size):
    width, height = SIZES[size]
    page = open_context(width, height)
    page.goto("/search?q=seamless+pipe")
    result = page.locator(".result").first
    expect(result.get_by_test_id("response-times")).to_have_text(SAID)
    page.select_option("#sort", "response")
    loaded(page)
    expect(page).to_have_url(re.compile(r"sort=response"))
    expect(page.locator(".result")).to_have_count(1)
    screenshot(page, f"response-times-search-{size}")

    page.goto(f"/products/{answering.product_id}")
    expect(page.get_by_test_id("response-times")).to_have_text(SAID)
    screenshot(page, f"response-times-product-{size}")
    page.locator(".supplier-card h2 a").click()
    expect(page.get_by_test_id("response-times")).to_contain_text(SAID)
    screenshot(page, f"response-times-storefront-{size}")
    # Nothing overflows a phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems.seen == []
