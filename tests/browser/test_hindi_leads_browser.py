"""A supplier works a lead in Hindi on a 360 px phone: the lead manager, the lead, a reply and
a change of status, every page in Hindi and none scrolling sideways."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser import test_leads_browser as leads_browser
from tests.browser.conftest import loaded, screenshot
from tests.browser.test_leads_browser import Market, no_sideways_scroll
from tests.conftest import Shop, enquire

market = leads_browser.market  # a supplier with a product, and a buyer


def _sign_in_by_field_names(page, person: factories.Registered) -> None:
    """By the inputs' names: the sign-in page reads in Hindi too, whoever translates it."""
    page.goto("/account/sign-in")
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=email]").fill(person.email)
    form.locator("input[name=password]").fill(person.password)
    form.locator("button[type=submit]").click()
    expect(page.locator(".nav-user")).to_be_attached()


def _fonts_ready(page):
    """Devanagari's faces load when a page first uses them: until they have, its words are
    measured (and drawn) in a fallback. Wait for both weights before measuring the page."""
    loaded(page).evaluate(
        """Promise.all(['400', '700'].map(weight =>
             document.fonts.load(`${weight} 16px "Noto Sans Devanagari"`, 'लीड')))
           .then(() => document.fonts.ready).then(() => true)"""
    )
    return page


def test_a_supplier_works_a_lead_in_hindi_on_a_phone(market: Market, open_context, problems):
    lead_id = enquire(Shop(market.supplier.id, market.buyer.id, market.product_id))
    phone = open_context(width=360, height=760)
    phone.context.set_extra_http_headers({"Accept-Language": "hi"})
    _sign_in_by_field_names(phone, market.supplier)

    phone.goto("/leads")
    expect(phone.get_by_role("heading", name="लीड मैनेजर")).to_be_visible()
    expect(phone.get_by_test_id("lead-count")).to_have_text("1 लीड")
    no_sideways_scroll(_fonts_ready(phone))
    screenshot(phone, "hindi-lead-manager-360")

    phone.locator(f".lead-table a[href$='/leads/{lead_id}']").click()
    expect(phone.locator("#lead-status")).to_have_text("नई")
    expect(phone.get_by_role("heading", name="जवाब")).to_be_visible()
    no_sideways_scroll(_fonts_ready(phone))

    phone.get_by_label("संदेश", exact=True).fill("नमस्ते, 10 kg का दाम ₹325 प्रति kg है।")
    phone.get_by_role("button", name="संदेश भेजें").click()
    expect(phone.get_by_text("भेज दिया गया।")).to_be_visible()
    expect(phone.locator(".bubble-supplier .bubble-text")).to_have_text(
        "नमस्ते, 10 kg का दाम ₹325 प्रति kg है।"
    )

    loaded(phone).get_by_label("स्थिति", exact=True).select_option(label="संपर्क हुआ")
    phone.get_by_role("button", name="स्थिति बदलें").click()
    expect(phone.get_by_text("स्थिति बदल दी गई।")).to_be_visible()
    expect(phone.locator("#lead-status")).to_have_text("संपर्क हुआ")
    no_sideways_scroll(_fonts_ready(phone))
    screenshot(phone, "hindi-lead-360")

    phone.goto("/leads")
    expect(phone.locator(".lead-table .badge.status-contacted")).to_have_text("संपर्क हुआ")
    no_sideways_scroll(_fonts_ready(phone))
    assert problems.seen == []
