"""A buyer's journey in Hindi on a 360 px phone: home, search, a product, the enquiry form; no
page scrolls sideways, and the switcher brings the same page back in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import User
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.services import create_product
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.browser.conftest import loaded, screenshot

PRODUCT = "Annealed Copper Wire 2.5 mm"


@pytest.fixture()
def product_id(ctx, categories) -> int:
    user = db.session.get(User, factories.supplier().id)
    body = {"name": PRODUCT, "category": "copper-wires", "price": "720", "unit": "kg", "moq": 50}
    product = create_product(user, ProductIn.model_validate(body))
    commit()
    listed = product.id
    db.session.remove()
    return listed


@pytest.fixture()
def phone(browser, live_server, problems):
    """A 360 px phone whose browser asks for Hindi."""
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 360, "height": 740},
        locale="hi-IN",
        extra_http_headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.8"},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems.watch(page)
    yield page
    context.close()


def fits(page) -> None:
    """No sideways scroll, measured once the Devanagari font has replaced the fallback (it
    loads when the first Hindi letter is laid out, after the page's load event)."""
    loaded(page).evaluate("document.fonts.ready.then(() => true)")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url} scrolls sideways in Hindi ({scroll}px > {inner}px)"


def test_a_hindi_buyer_reaches_the_enquiry_form_on_a_phone(phone, product_id, problems):
    phone.goto("/")
    expect(phone.locator("html")).to_have_attribute("lang", "hi-IN")
    expect(phone.get_by_role("heading", level=1)).to_have_text("पूरे भारत के सत्यापित सप्लायर खोजें")
    fits(phone)
    screenshot(phone, "hindi-home-360")

    expect(phone.get_by_role("button", name="खोजें", exact=True)).to_be_visible()
    phone.locator("#hero-search").fill("copper wire")
    phone.keyboard.press("Enter")  # the suggestions list may cover the button while it opens
    expect(phone.get_by_role("heading", level=1)).to_have_text("“copper wire” के नतीजे")
    expect(phone.get_by_test_id("result-count")).to_contain_text("1 प्रोडक्ट")
    fits(phone)
    screenshot(phone, "hindi-search-360")

    phone.locator(".result h3 a").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    expect(phone.get_by_text("न्यूनतम ऑर्डर")).to_be_visible()
    crumbs = phone.locator(".breadcrumbs")  # the category tree in Hindi, as a trader says it
    expect(crumbs.get_by_role("link", name="मेटल और अलॉय", exact=True)).to_be_visible()
    expect(crumbs.get_by_role("link", name="कॉपर वायर", exact=True)).to_be_visible()
    fits(phone)
    screenshot(phone, "hindi-product-360")

    phone.get_by_role("link", name="सबसे अच्छा दाम पाएं").click()
    expect(phone).to_have_url(re.compile(rf"/enquiries/new\?product_id={product_id}$"))
    expect(phone.locator("html")).to_have_attribute("lang", "hi-IN")
    fits(phone)
    screenshot(phone, "hindi-enquiry-360")

    enquiry = phone.url
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en-IN")
    assert phone.url == enquiry  # the same page, now in English
    expect(phone.get_by_role("heading", name="Get the best price")).to_be_visible()
    expect(phone.get_by_role("button", name="हिन्दी")).to_be_visible()  # and back again
    fits(phone)
    assert problems.seen == []
