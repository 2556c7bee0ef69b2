"""Enquiries in a real browser: a guest and a signed-in buyer send them; the supplier replies,
moves the lead through the pipeline, exports the filtered list and sees the charts."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from marketplace.catalog.inputs import ProductIn
from tests import factories
from tests.browser.conftest import loaded, screenshot, sign_in
from tests.conftest import outbox

PRODUCT = "Annealed Copper Wire 2.5 mm"


@dataclass
class Market:
    supplier: factories.Registered
    company: str
    supplier_profile_id: int
    product_id: int
    buyer: factories.Registered


@pytest.fixture()
def market(ctx, categories) -> Market:
    from marketplace.accounts.models import User
    from marketplace.catalog.services import create_product
    from marketplace.db import commit
    from marketplace.extensions import db

    supplier = factories.supplier()
    user = db.session.get(User, supplier.id)
    product = create_product(
        user,
        ProductIn.model_validate(
            {
                "name": PRODUCT,
                "category": "copper-wires",
                "price": "720",
                "unit": "kg",
                "moq": 50,
                "specifications": {"Gauge": "2.5 mm", "Purity": "99.9%"},
            }
        ),
    )
    commit()
    market = Market(
        supplier, user.supplier.company_name, user.supplier.id, product.id, factories.buyer()
    )
    db.session.remove()
    return market


def sms_code(app, phone_digits: str) -> str:
    """The one-time code the SMS file backend wrote for this mobile (it may land a moment after
    the redirect)."""
    deadline = time.monotonic() + 5
    while True:
        for raw in reversed(outbox(app, "sms")):
            message = json.loads(raw)
            if message["to"].endswith(phone_digits) and "is your TradeSetu code" in message["text"]:
                return re.match(r"(\d{6}) ", message["text"]).group(1)
        assert time.monotonic() < deadline, f"no code was sent to {phone_digits}"
        time.sleep(0.05)


def no_sideways_scroll(page) -> None:
    scroll, inner = loaded(page).evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll <= inner, f"{page.url} scrolls sideways on a phone ({scroll}px > {inner}px)"


def lead_ids_in_table(page) -> list[int]:
    hrefs = page.locator(".lead-table tbody tr td:nth-child(2) a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [int(re.search(r"/leads/(\d+)", href).group(1)) for href in hrefs]


def test_enquiries_reach_the_supplier_who_replies_quotes_exports_and_charts(
    app, market, open_context, problems
):
    from marketplace.leads.pipeline import today_in_india

    today = today_in_india()

    # 1. A guest asks for the best price from the product page and confirms by SMS code.
    guest = open_context()
    guest_phone = factories.unique_mobile()[-10:]
    guest_email = f"guest-{guest_phone}@example.in"
    guest.goto(f"/products/{market.product_id}")
    expect(guest.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    guest.get_by_role("link", name="Get best price").click()
    expect(guest.get_by_role("heading", name="Get the best price")).to_be_visible()
    honeypot = guest.locator("#website")
    expect(honeypot).to_have_count(1)
    expect(honeypot).not_to_be_in_viewport()
    loaded(guest)
    box = honeypot.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0, f"a person can see the honeypot: {box}"
    assert guest.locator("#website").get_attribute("tabindex") == "-1"
    expect(guest.get_by_label("Unit", exact=True)).to_have_value("kg")
    expect(guest.get_by_label("Your requirement")).to_contain_text(PRODUCT)
    guest.get_by_label("Quantity").fill("500")
    guest.get_by_label("Your requirement").fill(
        "We need 500 kg of 2.5 mm annealed copper wire each month. Please quote delivered."
    )
    guest.get_by_label("Delivery city").fill("Coimbatore")
    guest.get_by_label("Your name").fill("Karthik Subramanian")
    guest.get_by_label("Email").fill(market.buyer.email)  # someone else's account
    guest.get_by_label("Mobile number").fill(guest_phone)
    guest.get_by_label("I am 18 years of age or older").check()
    guest.get_by_label("I accept the terms of use").check()
    guest.get_by_role("button", name="Send code to my mobile").click()
    expect(guest.locator("#email-error")).to_contain_text("Already registered to another account")
    expect(guest.get_by_role("link", name="Sign in").last).to_be_visible()
    expect(guest.get_by_label("Your requirement")).to_contain_text("500 kg of 2.5 mm")  # kept
    guest.get_by_label("Email").fill(guest_email)
    screenshot(guest, "lead-guest-form")
    guest.get_by_role("button", name="Send code to my mobile").click()

    expect(guest.get_by_role("heading", name="Confirm your mobile")).to_be_visible()
    expect(guest.get_by_text("We sent a 6-digit code to your mobile")).to_be_visible()
    guest.get_by_label("One-time code").fill(sms_code(app, guest_phone))
    guest.get_by_role("button", name="Confirm and send enquiry").click()
    expect(guest.get_by_text("Your enquiry is sent.")).to_be_visible()
    expect(guest).to_have_url(re.compile(r"/enquiries/\d+$"))
    guest_lead = int(guest.url.rsplit("/", 1)[1])
    expect(guest.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    expect(guest.get_by_role("button", name="Sign out")).to_be_visible()  # signed in
    expect(guest.locator(".page-head .badge")).to_have_text("Sent")

    # 2. A registered buyer writes from the storefront; the same again within 24 h is the same.
    buyer = open_context()
    sign_in(buyer, market.buyer.email)
    buyer.goto(f"/suppliers/{market.supplier_profile_id}")
    expect(buyer.get_by_role("heading", level=1)).to_have_text(market.company)
    buyer.get_by_role("link", name="Contact supplier").click()
    expect(buyer.get_by_role("heading", name=f"Contact {market.company}")).to_be_visible()
    buyer.get_by_label("Quantity").fill("2")
    buyer.get_by_label("Unit", exact=True).select_option("tonne")
    buyer.get_by_label("Delivery city").fill("Ludhiana")
    buyer.get_by_role("button", name="Send enquiry").click()
    expect(buyer.get_by_text(f"Your enquiry is sent to {market.company}.")).to_be_visible()
    expect(buyer).to_have_url(re.compile(r"/enquiries/\d+$"))
    buyer_lead = int(buyer.url.rsplit("/", 1)[1])

    buyer.goto(f"/suppliers/{market.supplier_profile_id}")
    buyer.get_by_role("link", name="Contact supplier").click()
    buyer.get_by_role("button", name="Send enquiry").click()
    expect(buyer.locator(".flash", has_text="24 hours")).to_be_visible()
    expect(buyer).to_have_url(re.compile(rf"/enquiries/{buyer_lead}$"))
    buyer.locator("#nav-enquiries").click()
    expect(buyer.locator(".lead-table tbody tr")).to_have_count(1)

    # 3. The supplier sees both, with trust signals, and works the guest's lead.
    supplier = open_context()
    sign_in(supplier, market.supplier.email)
    expect(supplier.locator("#nav-leads .count-badge")).to_have_text("2")
    supplier.locator("#nav-leads").click()
    expect(supplier.get_by_role("heading", name="Lead manager")).to_be_visible()
    rows = supplier.locator(".lead-table tbody tr")
    expect(rows).to_have_count(2)
    assert sorted(lead_ids_in_table(supplier)) == sorted([guest_lead, buyer_lead])
    guest_row = rows.filter(has_text="Karthik Subramanian")
    expect(guest_row).to_contain_text(PRODUCT)
    expect(guest_row).to_contain_text("Coimbatore")
    expect(guest_row.locator(".badge-verified", has_text="Mobile ✓")).to_be_visible()
    expect(guest_row).to_contain_text("Unread")
    buyer_row = rows.filter(has_text="Storefront enquiry")
    expect(buyer_row).to_contain_text("Ludhiana")
    expect(buyer_row.locator(".badge-verified", has_text="Mobile ✓")).to_have_count(0)
    screenshot(supplier, "lead-manager")

    guest_row.get_by_role("link", name="Karthik Subramanian").click()
    expect(supplier).to_have_url(re.compile(rf"/leads/{guest_lead}$"))
    expect(supplier.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    buyer_card = supplier.locator(".card", has=supplier.get_by_role("heading", name="Buyer"))
    expect(buyer_card).to_contain_text("Karthik Subramanian")
    expect(buyer_card.get_by_role("link", name=guest_email)).to_be_visible()
    expect(buyer_card.get_by_role("list", name="Trust signals")).to_contain_text(
        "✓ Mobile verified"
    )
    expect(supplier.locator(".conversation")).to_contain_text("500 kg of 2.5 mm")
    expect(supplier.locator("#nav-leads .count-badge")).to_have_text("1")  # this one is read

    supplier.get_by_label("Message", exact=True).fill(
        "Thank you. We supply from Pune, dispatch within 3 days."
    )
    supplier.get_by_role("button", name="Send message").click()
    expect(supplier.get_by_text("Sent.", exact=True)).to_be_visible()
    expect(supplier.locator(".bubble-supplier")).to_contain_text("dispatch within 3 days")
    expect(supplier.locator("#lead-status")).to_have_text("Contacted")

    supplier.get_by_text("Send a quotation").click()
    expect(supplier.get_by_label("Quantity")).to_have_value("500")
    expect(supplier.get_by_label("Unit", exact=True)).to_have_value("kg")
    supplier.get_by_role("button", name="Send quotation").click()  # no price, no date
    expect(supplier.locator("#q-price-error")).to_contain_text("This field is required")
    expect(supplier.get_by_label("Price per unit (₹)")).to_be_visible()  # the form stays open
    expect(supplier.locator(".field.has-error", has_text="Valid until")).to_be_visible()
    supplier.get_by_label("Price per unit (₹)").fill("695.50")
    supplier.get_by_label("Valid until").fill((today + timedelta(days=14)).isoformat())
    supplier.get_by_label("Terms and note (optional)").fill("Ex-works Pune, 50% advance.")
    supplier.get_by_role("button", name="Send quotation").click()
    expect(supplier.get_by_text("Sent.", exact=True)).to_be_visible()
    quotation = supplier.locator(".bubble-supplier .quotation")
    expect(quotation).to_contain_text("695.50")
    expect(quotation).to_contain_text("500")
    expect(supplier.locator("#lead-status")).to_have_text("Quoted")

    supplier.get_by_label("Status", exact=True).select_option(label="Won")
    supplier.get_by_role("button", name="Update status").click()
    expect(supplier.get_by_text("Status updated.")).to_be_visible()
    expect(supplier.locator("#lead-status")).to_have_text("Won")
    expect(supplier.get_by_label("Status", exact=True)).to_have_value("won")

    supplier.get_by_label("Add a private note").fill("Repeat order likely every month.")
    supplier.get_by_role("button", name="Add note").click()
    expect(supplier.get_by_text("Note added.")).to_be_visible()
    expect(supplier.locator(".notes")).to_contain_text("Repeat order likely every month.")

    follow_up = (today + timedelta(days=7)).isoformat()
    supplier.get_by_label("Follow up on").fill(follow_up)
    supplier.get_by_role("button", name="Save date").click()
    expect(supplier.get_by_text("Follow-up date saved.")).to_be_visible()
    expect(supplier.get_by_label("Follow up on")).to_have_value(follow_up)
    screenshot(supplier, "lead-page")

    # The guest (now a buyer) sees the reply and the quotation, never the pipeline.
    guest.goto("/")
    expect(guest.locator("#nav-enquiries .count-badge")).to_have_text("1")
    guest.locator("#nav-enquiries").click()
    row = guest.locator(".lead-table tbody tr", has_text=PRODUCT)
    expect(row).to_contain_text("Replied")
    expect(row).to_contain_text("New reply")
    row.get_by_role("link", name=PRODUCT).click()
    expect(guest.locator(".page-head .badge")).to_have_text("Replied")
    expect(guest.locator(".conversation")).to_contain_text("dispatch within 3 days")
    expect(guest.locator(".quotation")).to_contain_text("Quotation:")
    expect(guest.locator(".quotation")).to_contain_text("695.50")
    expect(guest.locator(".conversation")).to_contain_text("Ex-works Pune, 50% advance.")
    expect(guest.get_by_text("Won")).to_have_count(0)
    expect(guest.get_by_text("Repeat order likely")).to_have_count(0)
    expect(guest.locator("#nav-enquiries .count-badge")).to_have_count(0)
    screenshot(guest, "lead-buyer-sees-quotation")

    # 4. The supplier filters the list and exports exactly that.
    supplier.locator("#nav-leads").click()
    expect(rows).to_have_count(2)
    supplier.get_by_label("Status", exact=True).select_option(label="Won")
    supplier.get_by_role("button", name="Filter").click()
    expect(supplier).to_have_url(re.compile(r"status=won"))
    expect(rows).to_have_count(1)
    shown = lead_ids_in_table(supplier)
    assert shown == [guest_lead]
    expect(rows.first).to_contain_text("Follow up")
    with supplier.expect_download() as download_info:
        supplier.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename == "leads.csv"
    with open(download.path(), encoding="utf-8", newline="") as exported:
        table = list(csv.DictReader(io.StringIO(exported.read())))
    assert [int(line["id"]) for line in table] == shown
    (line,) = table
    assert line["status"] == "won"
    assert line["product"] == PRODUCT
    assert line["buyer_name"] == "Karthik Subramanian"
    assert line["buyer_email"] == guest_email
    assert line["buyer_phone"].endswith(guest_phone)
    assert Decimal(line["quantity"]) == 500  # services.export_csv writes 500.000
    assert line["follow_up_on"] == follow_up

    # 5. The dashboard draws its charts, with nothing refused by the CSP.
    supplier.get_by_role("link", name="Dashboard").click()
    expect(supplier.get_by_role("heading", name="Lead dashboard")).to_be_visible()
    expect(supplier.locator("body[data-charts-drawn=true]")).to_have_count(1)
    for canvas in ("chart-weeks", "chart-funnel", "chart-sources", "chart-products"):
        points = supplier.locator(f"#{canvas}").get_attribute("data-points")
        assert points is not None and int(points) > 0, f"{canvas} drew nothing"
    assert supplier.locator("#chart-weeks").get_attribute("data-points") == "12"
    assert supplier.locator("#chart-sources").get_attribute("data-points") == "2"
    drawn = supplier.locator("canvas").evaluate_all(
        "canvases => canvases.map(c => c.width > 0 && c.height > 0)"
    )
    assert drawn == [True] * 4
    funnel = supplier.locator("#funnel-table tbody tr")
    expect(funnel.filter(has_text="New")).to_contain_text("2")
    expect(funnel.filter(has_text="Won")).to_contain_text("1")
    screenshot(supplier, "lead-dashboard")

    assert problems.seen == []


def test_the_lead_page_fits_a_phone(app, market, open_context, problems):
    from marketplace.db import commit
    from marketplace.extensions import db
    from marketplace.leads.enquiries import send_enquiry
    from marketplace.leads.inputs import EnquiryIn
    from marketplace.leads.models import LeadSource

    lead_id, _ = send_enquiry(
        market.buyer.id,
        EnquiryIn.model_validate(
            {
                "product_id": str(market.product_id),
                "quantity": "1250.5",
                "unit": "kg",
                "message": "Need a long-term supplier for annealed copper wire; "
                "please share your best price, payment terms and lead time for monthly orders.",
                "city": "Visakhapatnam",
            }
        ),
        source=LeadSource.PRODUCT_PAGE,
    )
    commit()
    db.session.remove()

    phone = open_context(375, 812)
    phone.goto(f"/enquiries/new?product_id={market.product_id}")  # a guest's form fits too
    expect(phone.get_by_role("button", name="Send code to my mobile")).to_be_visible()
    no_sideways_scroll(phone)
    sign_in(phone, market.supplier.email)
    phone.goto(f"/leads/{lead_id}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(PRODUCT)
    no_sideways_scroll(phone)
    phone.get_by_text("Send a quotation").click()  # the open quotation form fits too
    expect(phone.get_by_label("Price per unit (₹)")).to_be_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "lead-page-phone")
    phone.goto("/leads")
    expect(phone.locator(".lead-table tbody tr")).to_have_count(1)
    no_sideways_scroll(phone)
    assert problems.seen == []
