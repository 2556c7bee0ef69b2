"""What people read says things in words, never a query parameter or a field's raw value."""

from __future__ import annotations

import re

from marketplace import formatting
from marketplace.accounts.models import User
from marketplace.catalog.categories import load_categories
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.conftest import Api, outbox, sign_in_page
from tests.test_catalog import PIPE


def test_the_search_filters_read_as_words(client, supplier_api: Api, categories):
    assert supplier_api.post("/products", PIPE).status_code == 201
    page = client.get("/search?q=pipe&verified=1&price_min=100&city=Pune").text
    assert "GST verified only ✕" in page and "Price from ₹100 ✕" in page
    assert "City: Pune ✕" in page
    assert "verified: 1" not in page and "price min" not in page


# --- words, not codes, fields or paths (issue 24) ----------------------------------------------


def test_a_storefront_enquiry_without_a_unit_reads_without_none(app, client, shop):
    from marketplace.leads.enquiries import send_enquiry
    from marketplace.leads.inputs import EnquiryIn
    from marketplace.leads.models import LeadSource

    owner = db.session.get(User, shop.supplier_id)
    body = {"supplier_id": owner.supplier.id, "quantity": "200", "message": "Need a quote."}
    send_enquiry(shop.buyer_id, EnquiryIn.model_validate(body), source=LeadSource.STOREFRONT)
    commit()
    sign_in_page(client, factories.Registered(owner.id, owner.email, factories.PASSWORD))
    listing = client.get("/leads").text
    assert "Storefront enquiry" in listing and "None" not in listing
    [mail] = [m for m in outbox(app) if m.startswith(f"To: {owner.email}") and "Quantity" in m]
    assert "Quantity: 200" in mail and "None" not in mail
    lead_id = re.search(r'href="/leads/(\d+)"', listing)[1]
    lead_page = client.get(f"/leads/{lead_id}")
    assert "Enquiry · received" in lead_page.text and "via your storefront" in lead_page.text


def test_the_privacy_page_names_kinds_states_and_fields_in_words(client, buyer):
    token = sign_in_page(client, buyer)
    page = client.get("/privacy/").text
    assert '<option value="address_line1">Business address</option>' in page
    assert "address line1" not in page
    asked = {"csrf_token": token, "type": "access", "password": factories.PASSWORD}
    assert client.post("/privacy/requests", data=asked).status_code == 302
    table = client.get("/privacy/").text.split('id="requests"')[1]
    assert "Copy of your data" in table
    assert "<td>access</td>" not in table and ">complete<" not in table
    assert any(word in table for word in ("Done", "In progress", "Approved"))


def test_the_officers_desk_names_kinds_and_states_in_words(client, buyer):
    officer = factories.staff()
    token = sign_in_page(client, buyer)
    asked = {"csrf_token": token, "type": "correction", "field": "name", "value": "Asha R"}
    asked["password"] = factories.PASSWORD
    assert client.post("/privacy/requests", data=asked).status_code == 302
    desk_client = client.application.test_client()
    sign_in_page(desk_client, officer)
    desk = desk_client.get("/desk").text
    assert "<td>Privacy request</td>" in desk and "Waiting for the grievance officer" in desk
    assert "privacy request</td>" not in desk and "<td>pending</td>" not in desk
    assert '<option value="buylead_report"' not in desk or ">BuyLead report<" in desk
    queue = desk_client.get("/privacy/officer").text
    assert "<td>Correction</td>" in queue and "<td>correction</td>" not in queue


def test_a_sales_person_reads_their_role_in_words_and_sees_only_links_they_may_open(
    app, supplier, supplier_api, categories
):
    from tests.test_team import add_member

    member = add_member(app, supplier_api, "sales", name="Anil G")
    invitation = next(m for m in outbox(app) if m.startswith(f"To: {member.email}"))
    assert "as its sales person" in invitation and "as sales" not in invitation
    browser = app.test_client()
    sign_in_page(browser, factories.Registered(member.user_id, member.email, member.password))
    refused = browser.get("/leads/dashboard")
    assert refused.status_code == 403
    assert "as its sales person" in refused.text and "(sales)" not in refused.text
    manager = browser.get("/leads")
    assert manager.status_code == 200 and "/leads/dashboard" not in manager.text
    owners = app.test_client()
    sign_in_page(owners, supplier)
    assert "/leads/dashboard" in owners.get("/leads").text


def test_a_buylead_reads_in_rupees_days_and_grouped_numbers(app, ctx, api, buyer, buyer_api):
    from tests.test_requirements import REQUIREMENT, _credits, _supplier_with_pipe

    load_categories()
    commit()
    seller = _supplier_with_pipe()
    _credits(seller)
    posted = buyer_api.post("/requirements", {**REQUIREMENT, "budget": "600000"}).get_json()
    [mail] = [m for m in outbox(app) if "New BuyLead" in m]
    assert "(budget ₹6,00,000)" in mail and "Rs " not in mail and "600000.00" not in mail
    assert "500 kg of" in mail
    unlocked = api.sign_in(seller.email).post(f"/buyleads/{posted['id']}/unlock")
    assert unlocked.status_code in (200, 201), unlocked.get_json()
    browser = app.test_client()
    sign_in_page(browser, seller)
    page = browser.get("/buyleads").text
    phone = db.session.get(User, buyer.id).phone
    assert formatting.format_phone(phone) in page and re.search(r"\+91 \d{5} \d{5}", page)
    assert "budget ₹6,00,000" in page and "600000" not in page
    assert re.search(r"open until \d{1,2} [A-Z][a-z]{2} \d{4}", page)
    assert not re.search(r"open until \d{4}-", page)


def test_money_drops_needless_paise_and_groups_the_indian_way():
    assert formatting.money("600000.00") == "₹6,00,000"
    assert formatting.money("62.50") == "₹62.50"
    assert formatting.format_phone("+919700000001") == "+91 97000 00001"
    assert formatting.format_phone("+91 97XXXXXX01") == "+91 97XXXXXX01"  # masked stays masked
