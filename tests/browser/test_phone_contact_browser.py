"""The main action within a thumb's reach on a phone: a product page's "Get best price" stays on
screen however far down the description goes, and every search result has its own contact
button opening the enquiry form for that product."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from tests.browser.conftest import loaded, screenshot


@pytest.fixture()
def demo_catalogue(app, ctx) -> str:
    """The demo catalogue; returns a search that finds several of its products (the first word
    most product names share)."""
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--products", "60", "--buyers", "1"]
    )
    assert result.exit_code == 0, result.output
    names = db.session.scalars(select(Product.name)).all()
    word, _ = Counter(name.split()[0] for name in names).most_common(1)[0]
    return f"/search?q={word}"


def test_get_best_price_stays_on_a_phone_screen_down_the_product_page(
    open_context, problems, demo_catalogue
):
    page = open_context(360, 740)
    page.goto(demo_catalogue)
    page.locator(".result h3 a").first.click()
    name = page.get_by_role("heading", level=1).inner_text()
    contact = page.get_by_role("link", name="Get best price")
    loaded(page)
    expect(contact).to_be_in_viewport()
    page.mouse.wheel(0, 1200)  # the description, the specifications, "More from"
    expect(contact).to_be_in_viewport()
    screenshot(page, "phone-product-sticky-contact")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    # At the very bottom the footer's last line is not hidden under the button.
    footer_link = page.get_by_role("link", name="Data breaches")
    box, button = footer_link.bounding_box(), contact.bounding_box()
    assert box["y"] + box["height"] <= button["y"], f"the button covers the footer: {box} {button}"
    contact.click()
    expect(page.get_by_role("heading", name="Get the best price")).to_be_visible()
    expect(page.get_by_label("Your requirement")).to_contain_text(name)
    assert problems.seen == []


def test_each_search_result_has_a_contact_button_for_its_product(
    open_context, problems, demo_catalogue
):
    page = open_context(360, 740)
    page.goto(demo_catalogue)
    results = page.locator(".result")
    expect(results.first).to_be_visible()
    count = results.count()
    buttons = page.get_by_role("link", name=re.compile(r"^Contact supplier about "))
    expect(buttons).to_have_count(count)
    second = results.nth(1)
    name = second.locator("h3").inner_text()
    button = second.get_by_role("link", name=f"Contact supplier about {name}")
    expect(button).to_be_visible()
    screenshot(page, "phone-search-contact-buttons")
    button.click()
    expect(page.get_by_role("heading", name="Get the best price")).to_be_visible()
    expect(page.get_by_label("Your requirement")).to_contain_text(name)
    assert problems.seen == []
