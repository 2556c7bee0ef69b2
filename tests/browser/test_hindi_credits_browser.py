"""Credits in Hindi on a 360 px phone: a supplier who reads Hindi opens its credits page and buys a
pack up to the sandbox gateway's checkout, and pays; no page scrolls sideways."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.browser.conftest import fits_in_hindi, screenshot

PHONE = 360


def _reads_hindi(person: factories.Registered) -> None:
    """The language the person chose with the switcher, kept on the account."""
    db.session.get(User, person.id).language = "hi"
    commit()


def test_a_hindi_supplier_buys_credits_on_a_phone(app, ctx, open_context, problems):
    supplier = factories.supplier()
    _reads_hindi(supplier)
    page = open_context(width=PHONE, height=780)
    # Signed in by the form's fields (their labels are another translator's words).
    page.goto("/account/sign-in")
    page.locator("input[name=email]").fill(supplier.email)
    page.locator("input[name=password]").fill(supplier.password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page.locator(".nav-user")).to_be_attached()

    page.goto("/credits")
    expect(page.get_by_role("heading", name="क्रेडिट", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="क्रेडिट खरीदें")).to_be_visible()
    expect(page.locator(".credit-balance")).to_contain_text("बैलेंस")
    expect(page.locator("#credit-balance")).to_have_text("0")
    fits_in_hindi(page)
    screenshot(page, "credits-overview-hindi-phone")
    page.get_by_role("button", name="50 क्रेडिट खरीदें").click()

    expect(page).to_have_url(re.compile(r"/payments/sandbox/checkout/\d+$"))
    expect(page.get_by_text("सैंडबॉक्स गेटवे: कोई असली पैसा नहीं कटता")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("टैक्स योग्य मूल्य")
    fits_in_hindi(page)
    screenshot(page, "credits-sandbox-checkout-hindi-phone")
    page.get_by_role("button", name="₹4,718.82 का पेमेंट करें").click()

    expect(page).to_have_url(re.compile(r"/invoices/\d+$"))
    expect(page.get_by_text("पेमेंट मिल गया: 50 क्रेडिट आपके अकाउंट में आ गए हैं।")).to_be_visible()
    expect(page.locator("#invoice-title")).to_have_text("टैक्स इनवॉइस")
    expect(page.locator("#invoice-total")).to_have_text("₹4,718.82")
    fits_in_hindi(page)
    screenshot(page, "credits-invoice-hindi-phone")

    page.goto("/credits")
    expect(page.locator("#credit-balance")).to_have_text("50")
    expect(page.locator(".ledger-table")).to_contain_text("50 क्रेडिट खरीदे (ऑर्डर #")
    fits_in_hindi(page)
    assert problems.seen == []
