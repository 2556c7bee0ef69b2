"""A buyer verifies the mobile from the account page on a 360 px phone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import loaded, screenshot, sign_in
from tests.test_phone_verification import _code


def test_a_buyer_verifies_the_mobile_on_a_phone(app, ctx, open_context, problems):
    buyer = factories.buyer()
    page = open_context(360, 740)
    sign_in(page, buyer.email)
    page.goto("/account/")
    card = page.get_by_test_id("verify-mobile")
    expect(card).to_contain_text("Verify your mobile")
    card.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_text("We have sent a code by SMS")).to_be_visible()
    screenshot(page, "phone-code-form-phone")
    page.get_by_label("The 6-digit code from the SMS").fill(_code(app))
    page.get_by_role("button", name="Verify my mobile").click()
    expect(page.get_by_text("your mobile number is verified")).to_be_visible()
    width, inner = loaded(page).evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= inner
    expect(page.get_by_test_id("verify-mobile")).to_contain_text("is verified")
    screenshot(page, "phone-verified-phone")
    assert problems.seen == []
