"""Credits in a real browser: a supplier buys a credit pack through the sandbox gateway's
checkout page and gets a GST tax invoice (the page and its PDF), and an admin refunds it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import screenshot
from tests.test_credits import _no

CSP = r"Refused to|Content Security Policy"


def _watch(page, seen: list[str]) -> None:
    def on_console(message) -> None:
        if message.type == "error" or re.search(CSP, message.text):
            seen.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"{page.url}: {error}"))


def _sign_in(page, email: str) -> None:
    page.goto("/account/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_supplier_buys_a_credit_pack_and_gets_a_tax_invoice(app, ctx, browser, live_server):
    supplier = factories.supplier()
    admin = factories.staff("admin")
    seen: list[str] = []
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        _watch(page, seen)
        _sign_in(page, supplier.email)

        page.locator("#nav-credits").click()
        expect(page.get_by_role("heading", name="Credits", exact=True)).to_be_visible()
        expect(page.locator("#credit-balance")).to_have_text("0")
        page.get_by_role("button", name="Buy 50 credits").click()

        # The sandbox gateway's checkout page: CGST + SGST for a Maharashtra business.
        expect(page).to_have_url(re.compile(r"/payments/sandbox/checkout/\d+$"))
        expect(page.get_by_text("Sandbox gateway: no money moves")).to_be_visible()
        expect(page.locator(".facts")).to_contain_text("CGST 9%")
        screenshot(page, "credits-sandbox-checkout")
        page.get_by_role("button", name="Pay ₹4,718.82").click()

        # Paid: the invoice, with the portal's and the supplier's GSTINs and the tax split.
        expect(page).to_have_url(re.compile(r"/invoices/\d+$"))
        expect(page.get_by_text("Payment received: 50 credits")).to_be_visible()
        expect(page.locator("#invoice-number")).to_have_text(_no(1))
        expect(page.locator("#invoice-cgst")).to_have_text("₹359.91")
        expect(page.locator("#invoice-sgst")).to_have_text("₹359.91")
        expect(page.locator("#invoice-total")).to_have_text("₹4,718.82")
        expect(page.locator(".invoice")).to_contain_text(supplier.gstin)
        expect(page.locator(".invoice")).to_contain_text("27AAJCT4821K1Z0")
        screenshot(page, "credits-invoice")

        pdf_link = page.get_by_role("link", name="Download PDF")
        pdf = page.request.get(pdf_link.get_attribute("href"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF-")

        page.locator("#nav-credits").click()
        expect(page.locator("#credit-balance")).to_have_text("50")
        expect(page.locator(".ledger-table")).to_contain_text("+50")
        expect(page.locator(".invoice-list")).to_contain_text(_no(1))
        screenshot(page, "credits-overview")

        # An admin refunds it: the unspent credits go back and a credit note is issued.
        staff = context.browser.new_context(base_url=live_server)
        try:
            admin_page = staff.new_page()
            admin_page.set_default_timeout(10_000)
            _watch(admin_page, seen)
            _sign_in(admin_page, admin.email)
            admin_page.get_by_role("link", name="Credit orders").click()
            admin_page.get_by_label(re.compile("Reason for refunding order")).fill("Test refund")
            admin_page.get_by_role("button", name="Refund").click()
            # A refund cannot be undone: the admin reads the credits and the amount, then confirms.
            expect(admin_page.locator("#refund-credits")).to_contain_text("unspent credits")
            admin_page.get_by_role("button", name=re.compile(r"^Refund ₹")).click()
            expect(admin_page.get_by_text(f"credit note {_no(1, 'CN')} issued")).to_be_visible()
        finally:
            staff.close()
        page.reload()
        expect(page.locator("#credit-balance")).to_have_text("0")
        expect(page.locator(".invoice-list")).to_contain_text(_no(1, "CN"))
    finally:
        context.close()
    assert not seen, seen
