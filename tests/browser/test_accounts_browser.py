"""A person registers a business in a real browser, fixes a GSTIN typo, signs out and in."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import loaded, screenshot


def test_supplier_registers_fixes_a_gstin_typo_and_signs_in_again(page, ctx):
    data = factories.registration("supplier")
    good_gstin = data["gstin"]
    typo = good_gstin[:-1] + ("A" if good_gstin[-1] != "A" else "B")

    page.goto("/")
    page.get_by_role("link", name="Sell on TradeSetu").click()
    expect(page.get_by_role("heading", name="Register your business")).to_be_visible()
    page.get_by_label("Your full name").fill(data["name"])
    page.get_by_label("Work email").fill(data["email"])
    page.get_by_label("Mobile number").fill(data["phone"])
    page.get_by_label("Password").fill(data["password"])
    page.get_by_label("Registered business name").fill(data["company_name"])
    page.get_by_label("GSTIN").fill(typo)
    page.get_by_label("Address").fill("Plot 12, MIDC Bhosari")
    page.get_by_label("City").fill("Pune")
    page.get_by_label("PIN code").fill("411026")
    page.get_by_label("State").select_option("Maharashtra")
    page.get_by_label("I am 18 years of age or older").check()
    page.get_by_label("I accept the terms of use").check()
    page.get_by_role("button", name="Register business").click()

    error = page.locator("#gstin-error")
    expect(error).to_contain_text("The check character (the last one) does not match")
    expect(page.get_by_label("GSTIN")).to_be_focused()
    expect(page.get_by_label("Work email")).to_have_value(data["email"])
    screenshot(page, "register-gstin-error")

    page.get_by_label("GSTIN").fill(good_gstin.lower())
    page.get_by_label("Password").fill(data["password"])  # browsers never refill passwords
    page.get_by_role("button", name="Register business").click()

    expect(page.get_by_text("Welcome! We have sent you an email")).to_be_visible()
    expect(page.get_by_test_id("gstin")).to_have_text(good_gstin)
    expect(page.get_by_text("Checks passed · awaiting GST registry")).to_be_visible()
    screenshot(page, "supplier-profile")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(data["email"])
    page.get_by_label("Password").fill(data["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=data["name"])).to_be_visible()


def test_buyer_registration_works_on_a_phone_sized_screen(browser, live_server, ctx):
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740})
    page = context.new_page()
    data = factories.registration("buyer")
    page.goto("/account/register")
    page.get_by_label("Your full name").fill(data["name"])
    page.get_by_label("Work email").fill(data["email"])
    page.get_by_label("Mobile number").fill("98765 4321")  # one digit short
    page.get_by_label("Password").fill(data["password"])
    page.get_by_label("I am 18 years of age or older").check()
    page.get_by_label("I accept the terms of use").check()
    page.get_by_label("Newsletters").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#phone-error")).to_contain_text("10-digit Indian mobile number")

    page.get_by_label("Mobile number").fill(data["phone"])
    page.get_by_label("Password").fill(data["password"])
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome!")).to_be_visible()
    newsletters = page.locator(".consent-list li", has_text="Newsletters")
    expect(newsletters).to_contain_text("On")
    expect(page.locator(".consent-list li", has_text="Marketing from the portal")).to_contain_text(
        "Off"
    )
    width = loaded(page).evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(page, "buyer-profile-phone")
    context.close()
