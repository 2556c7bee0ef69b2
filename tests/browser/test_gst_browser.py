"""GST receipts in a browser, on a 360 px phone: the demo's verified supplier shows the badge's
line on its storefront and product page, the badge opens the receipt; the officer finds a
lapsed registration on the desk and closes it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.gst_models import GstCheck, GstOutcome
from marketplace.catalog.models import Product
from marketplace.demo import DEMO_DOMAIN, DEMO_PASSWORD
from marketplace.extensions import db
from tests.browser.conftest import loaded, screenshot, sign_in

PHONE = (360, 740)


@pytest.fixture()
def demo(app, ctx):
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--products", "60", "--suppliers", "10", "--buyers", "1"]
    )
    assert result.exit_code == 0, result.output
    verified = db.session.scalars(
        select(GstCheck).where(GstCheck.outcome == GstOutcome.VERIFIED).order_by(GstCheck.id)
    ).first()
    product_id = db.session.scalar(
        select(Product.id).where(Product.supplier_id == verified.supplier_id).limit(1)
    )
    return {
        "supplier_id": verified.supplier_id,
        "product_id": product_id,
        "legal": verified.legal_name,
    }


def _fits(page) -> None:
    width, inner = loaded(page).evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= inner, f"{page.url} is {width} px wide on a {inner} px screen"


def test_the_badge_says_what_was_checked_and_opens_the_receipt(demo, open_context, problems):
    page = open_context(*PHONE)
    line = re.compile(r"GSTIN active, legal name, state and PIN match, checked \d{1,2} \w{3} \d{4}")
    pages = [f"/suppliers/{demo['supplier_id']}"]
    if demo["product_id"]:
        pages.append(f"/products/{demo['product_id']}")
    for url in pages:
        page.goto(url)
        badge = page.get_by_test_id("gst-badge")
        expect(badge).to_have_text(line)
        _fits(page)
    screenshot(page, "gst-badge-phone")
    page.get_by_test_id("gst-badge").click()
    expect(page).to_have_url(re.compile(rf"/suppliers/{demo['supplier_id']}/gst-receipt$"))
    expect(page.get_by_test_id("gst-receipt")).to_contain_text(demo["legal"])
    expect(page.get_by_test_id("gst-outcome")).to_have_text(line)
    _fits(page)
    screenshot(page, "gst-receipt-phone")
    assert not problems.seen, problems.seen


def test_the_officer_closes_a_lapsed_registration_from_the_desk(demo, open_context, problems):
    page = open_context(*PHONE)
    sign_in(page, f"officer@{DEMO_DOMAIN}", DEMO_PASSWORD)
    page.goto("/desk")
    items = page.locator(
        "tr.desk-row", has_text=re.compile(r"GST registration (suspended|cancelled)")
    )
    expect(items).to_have_count(2)
    items.first.get_by_role("link", name=re.compile(r"^GST-\d+$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GST registration")
    _fits(page)
    page.get_by_role("button", name="Close this item").click()
    expect(page.locator(".error")).to_contain_text("for the record")
    page.get_by_label("What was done").fill("Called the supplier; the suspension stands.")
    page.get_by_role("button", name="Close this item").click()
    expect(page).to_have_url(re.compile(r"/desk$"))
    expect(items).to_have_count(1)
    screenshot(page, "gst-desk-phone")
    assert not problems.seen, problems.seen
