"""A supplier registers in Hindi on a 360 px phone: the form, its refusals and the profile it
lands on all fit the screen (Devanagari runs longer than English), with no sideways scroll."""

from __future__ import annotations

from playwright.sync_api import expect

from marketplace.legal_rules import ADULT_AGE
from tests import factories
from tests.browser.conftest import fits_in_hindi, screenshot


def test_a_supplier_registers_in_hindi_on_a_phone(browser, live_server, problems):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, locale="hi-IN"
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        problems.watch(page)
        page.goto("/account/register/supplier")
        expect(page.get_by_role("heading", level=1)).to_have_text("अपना बिज़नेस रजिस्टर करें")
        fits_in_hindi(page)
        pan = factories.make_pan("C")
        page.get_by_label("आपका पूरा नाम").fill("आशा राव")
        page.get_by_label("काम का ईमेल").fill(f"asha.{pan.lower()}@example.in")
        page.get_by_label("मोबाइल नंबर").fill(factories.unique_mobile())
        page.get_by_label("पासवर्ड", exact=True).fill("kela-tamatar-aloo-pyaz-42")
        page.get_by_label("बिज़नेस का रजिस्टर्ड नाम").fill("राव स्टील्स")
        page.get_by_label("GSTIN").fill("27ABC")
        page.get_by_label("PAN (ज़रूरी नहीं)").fill(pan)
        page.get_by_label("पता").fill("प्लॉट 4, MIDC भोसरी")
        page.get_by_label("शहर").fill("पुणे")
        page.get_by_label("पिन कोड").fill("411026")
        page.get_by_label("राज्य").select_option("Maharashtra")
        page.get_by_label(f"मेरी उम्र {ADULT_AGE} साल या उससे ज़्यादा है").check()
        page.get_by_label("मैं इस्तेमाल की शर्तें और निजता सूचना स्वीकार करता/करती हूं").check()
        page.get_by_role("button", name="बिज़नेस रजिस्टर करें").click()
        expect(page.get_by_text("GSTIN में 15 अक्षर होते हैं; इसमें 5 हैं।")).to_be_visible()
        fits_in_hindi(page)
        screenshot(page, "hindi-supplier-registration-refused-phone")

        page.get_by_label("पासवर्ड", exact=True).fill("kela-tamatar-aloo-pyaz-42")
        page.get_by_label("GSTIN").fill(factories.make_gstin("27", pan))
        page.get_by_role("button", name="बिज़नेस रजिस्टर करें").click()
        expect(page.get_by_role("heading", name="आपकी जानकारी")).to_be_visible()
        expect(page.get_by_text("GST की स्थिति")).to_be_visible()
        fits_in_hindi(page)
        screenshot(page, "hindi-supplier-profile-phone")
        assert problems.seen == []
    finally:
        context.close()
