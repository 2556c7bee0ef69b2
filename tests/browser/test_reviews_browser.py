"""Reviews in a browser: the storefront's rating, its split by stars and the latest reviews with
a supplier's reply, at desktop and phone sizes; the product page's rating linking to them; a
buyer who traded with the supplier changing its rating through the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.models import SupplierProfile
from marketplace.catalog.models import Product
from marketplace.demo import DEMO_DOMAIN, DEMO_PASSWORD
from marketplace.extensions import db
from tests.browser.conftest import loaded, screenshot, sign_in

SIZES = {"desktop": (1280, 900), "phone": (360, 800)}


@pytest.fixture()
def rated(app, ctx):
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--products", "80", "--suppliers", "4", "--buyers", "3"]
    )
    assert result.exit_code == 0, result.output
    supplier_id = db.session.scalar(select(SupplierProfile.id).order_by(SupplierProfile.id))
    product_id = db.session.scalar(
        select(Product.id).where(Product.supplier_id == supplier_id).order_by(Product.id)
    )
    return {"supplier_id": supplier_id, "product_id": product_id}


@pytest.mark.parametrize("size", list(SIZES))
def test_the_storefront_shows_the_rating_and_reviews(open_context, problems, rated, size):
    page = open_context(*SIZES[size])
    page.goto(f"/suppliers/{rated['supplier_id']}")
    reviews = page.get_by_test_id("storefront-reviews")
    expect(reviews.get_by_test_id("rating-average")).to_have_text("4.0")
    expect(reviews.get_by_test_id("rating-count")).to_have_text("3")
    for stars, count in ((5, "1"), (4, "1"), (3, "1"), (2, "0")):
        expect(reviews.get_by_test_id(f"stars-{stars}")).to_have_text(count)
    expect(reviews.get_by_test_id("review")).to_have_count(3)
    expect(reviews.get_by_test_id("review-reply")).to_contain_text("crate every order")
    width = loaded(page).evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the storefront is wider than a {size} screen: {width}"
    screenshot(page, f"reviews-storefront-{size}")

    page.goto(f"/products/{rated['product_id']}")
    page.get_by_test_id("product-rating").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Ratings and reviews")).to_be_visible()
    expect(page.get_by_test_id("review")).to_have_count(3)
    assert problems.seen == []


def test_a_buyer_who_traded_changes_its_rating(open_context, problems, rated):
    page = open_context()
    sign_in(page, f"buyer1@{DEMO_DOMAIN}", DEMO_PASSWORD)
    page.goto(f"/suppliers/{rated['supplier_id']}/reviews")
    page.get_by_role("link", name="Rate this supplier").click()
    expect(page.get_by_role("heading")).to_contain_text("Change your rating")
    page.get_by_label("1 star (very poor)").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("rating-average")).to_have_text("2.7")
    expect(page.get_by_text("your rating is published")).to_be_visible()
    assert problems.seen == []
