"""The leads journeys in Hindi: a buyer posts a requirement and sends an enquiry, a supplier
works the lead in the lead manager and on the lead page, and the API's lead endpoints answer
with Hindi detail texts, all chosen by Accept-Language (codes and field names stay English)."""

from __future__ import annotations

import html

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.services import create_product
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads import response_times, webhook_targets
from marketplace.leads.enquiries import send_enquiry
from marketplace.leads.inputs import EnquiryIn
from marketplace.leads.models import Lead, LeadSource, Webhook
from marketplace.leads.response_times import ResponseFigures
from tests import factories
from tests.conftest import Shop, enquire, sign_in_page

HINDI = {"Accept-Language": "hi"}


def _enquire_about_another_product(shop: Shop) -> None:
    owner = db.session.get(User, shop.supplier_id)
    product = create_product(
        owner,
        ProductIn.model_validate(
            {
                "name": "MS ERW Pipe",
                "category": "stainless-steel-pipes",
                "description": "ERW pipe for structures.",
                "price": "72",
                "unit": "kg",
                "moq": 1,
            }
        ),
    )
    commit()
    send_enquiry(
        shop.buyer_id,
        EnquiryIn.model_validate({"product_id": product.id, "message": "Rate for 2 tonnes?"}),
        source=LeadSource.API,
    )
    commit()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_buyer_posts_a_requirement_in_hindi_and_is_refused_in_hindi(ctx, client, shop, buyer):
    token = sign_in_page(client, buyer)
    form = client.get("/requirements/new", headers=HINDI)
    assert form.status_code == 200
    page = _text(form)
    assert "सप्लायरों को बताएं कि आपको क्या चाहिए" in page
    assert "आपको क्या चाहिए?" in page and "ज़रूरत बताएं" in page
    assert "Tell suppliers what you need" not in page

    wanted = {
        "csrf_token": token,
        "product_name": "SS 304 seamless pipe",
        "quantity": "500",
        "unit": "kg",
        "city": "Pune",
        "state": "Maharashtra",
    }
    refused = client.post(
        "/requirements/new", data={**wanted, "quantity": "lots", "state": "Atlantis"}, headers=HINDI
    )
    assert refused.status_code == 422
    assert "कोई संख्या होनी चाहिए, जैसे 500 या 2.5" in _text(refused)
    assert "Must be a number" not in _text(refused)

    posted = client.post("/requirements/new", data=wanted, headers=HINDI, follow_redirects=True)
    listing = _text(posted)
    assert "आपकी ज़रूरत पोस्ट हो गई है" in listing  # the flash
    assert "मेरी ज़रूरतें" in listing and "1 पोस्ट की गई" in listing and "खुली" in listing
    # English still reads as before.
    assert "1 posted" in _text(client.get("/requirements"))


def test_a_buyer_sends_an_enquiry_in_hindi(ctx, client, shop, buyer):
    token = sign_in_page(client, buyer)
    form = client.get(f"/enquiries/new?product_id={shop.product_id}", headers=HINDI)
    page = _text(form)
    assert "सबसे अच्छा दाम पाएं" in page and "पूछताछ भेजें" in page
    # The suggested message is written in the buyer's language too.
    assert "मुझे SS 304 Seamless Pipe में रुचि है। कृपया अपना सबसे अच्छा दाम भेजें।" in page

    base = {"csrf_token": token, "product_id": str(shop.product_id), "message": "500 kg चाहिए।"}
    refused = client.post("/enquiries/new", data={**base, "quantity": "0"}, headers=HINDI)
    assert refused.status_code == 422 and "शून्य से ज़्यादा होनी चाहिए" in _text(refused)

    sent = client.post(
        "/enquiries/new", data={**base, "quantity": "500"}, headers=HINDI, follow_redirects=True
    )
    page = _text(sent)
    assert "आपकी पूछताछ" in page and "को भेज दी गई है।" in page
    assert "मेरी पूछताछ" in page and "भेजा गया" in page  # its status badge

    mine = _text(client.get("/enquiries", headers=HINDI))
    assert "1 पूछताछ भेजी गई" in mine and "भेजी गईं" not in mine
    _enquire_about_another_product(shop)  # a second enquiry: the plural form
    assert "2 पूछताछ भेजी गईं" in _text(client.get("/enquiries", headers=HINDI))
    assert "2 enquiries sent" in _text(client.get("/enquiries"))


def test_a_supplier_works_a_lead_in_hindi(ctx, client, shop, supplier):
    lead_id = enquire(shop)
    token = sign_in_page(client, supplier)
    manager = _text(client.get("/leads", headers=HINDI))
    assert "लीड मैनेजर" in manager and "इनबॉक्स" in manager and "नई" in manager
    assert 'data-testid="lead-count">1 लीड<' in manager
    assert "Lead manager" not in manager
    assert "1 lead<" in _text(client.get("/leads"))

    lead = _text(client.get(f"/leads/{lead_id}", headers=HINDI))
    assert "जवाब" in lead and "कोटेशन भेजें" in lead and "स्थिति बदलें" in lead
    assert "पिछले 30 दिनों में 1 पूछताछ" in lead and "मोबाइल" in lead
    assert "इंटीग्रेशन से" in lead  # where it came from, in Hindi
    assert "Send message" not in lead

    replied = client.post(
        f"/leads/{lead_id}",
        data={"csrf_token": token, "form": "message", "m-text": "कल तक भेज देंगे।"},
        headers=HINDI,
        follow_redirects=True,
    )
    assert "भेज दिया गया।" in _text(replied)
    moved = client.post(
        f"/leads/{lead_id}/update",
        data={"csrf_token": token, "action": "status", "status": "contacted"},
        headers=HINDI,
        follow_redirects=True,
    )
    assert "स्थिति बदल दी गई।" in _text(moved) and "संपर्क हुआ" in _text(moved)
    refused = client.post(
        f"/leads/{lead_id}/update",
        data={"csrf_token": token, "action": "follow_up", "follow_up_on": "1999-01-01"},
        headers=HINDI,
        follow_redirects=True,
    )
    assert "सेव नहीं हुआ। फ़ॉलो-अप की तारीख:" in _text(refused)
    db.session.expire_all()
    assert db.session.scalar(select(Lead.status).where(Lead.id == lead_id)) == "contacted"

    # A second buyer (one buyer's repeat enquiry within a day is the same lead).
    enquire(shop, factories.buyer().id)
    assert 'data-testid="lead-count">2 लीड<' in _text(client.get("/leads", headers=HINDI))
    assert "2 leads" in _text(client.get("/leads"))


def test_the_api_answers_lead_endpoints_in_hindi(ctx, supplier_api, buyer_api, shop):
    missing = supplier_api.get("/leads/999999", headers=HINDI)
    assert missing.status_code == 404 and missing.get_json()["detail"] == "ऐसी कोई लीड नहीं है।"
    assert supplier_api.get("/leads/999999").get_json()["detail"] == "No such lead."

    lead_id = enquire(shop)
    refused = supplier_api.patch(f"/leads/{lead_id}", {"status": "sold"}, headers=HINDI)
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert list(errors) == ["status"]  # the field's name stays English
    assert errors["status"][0].startswith("इनमें से एक होना चाहिए: new, contacted")

    no_product = buyer_api.post(
        "/enquiries", {"product_id": 999999, "message": "दाम बताएं"}, headers=HINDI
    )
    assert no_product.get_json()["errors"]["product_id"] == ["ऐसा कोई प्रोडक्ट लिस्टेड नहीं है"]


def test_the_other_leads_pages_read_in_hindi(ctx, client, shop, supplier, monkeypatch):
    # crm.example.com resolves to a public address without asking DNS.
    monkeypatch.setattr(webhook_targets, "_resolve", lambda host, port: ["93.184.216.34"])
    enquire(shop)
    token = sign_in_page(client, supplier)
    pages = {
        "/buyleads": "अभी कोई BuyLead नहीं है",
        "/buyleads/preferences": "खरीदार को डिलीवरी कहां चाहिए",
        "/leads/rules/": "अभी कोई नियम नहीं: हर लीड बारी-बारी से जाती है।",
        "/leads/dashboard": "हर हफ़्ते की लीड",
        "/help/crm-integration": "पुल की जगह पुश",
        "/account/webhooks/": "अभी तक कोई वेबहुक नहीं।",
    }
    for path, words in pages.items():
        response = client.get(path, headers=HINDI)
        assert response.status_code == 200, path
        assert words in _text(response), path
    assert "से 1 लीड (0 स्पैम में)" in _text(client.get("/leads/dashboard", headers=HINDI))

    made = client.post(
        "/account/webhooks/",
        data={
            "csrf_token": token,
            "url": "https://crm.example.com/hook",
            "format": "native",
            "lead_created": "y",
        },
        headers=HINDI,
    )
    assert made.status_code == 201 and "वेबहुक जुड़ गया" in _text(made)
    assert "TradeSetu का फ़ॉर्मेट (हर इवेंट)" in _text(made)
    webhook_id = db.session.scalar(select(Webhook.id))
    page = _text(client.get(f"/account/webhooks/{webhook_id}", headers=HINDI))
    assert "आपके CRM को बताता है जब: नई पूछताछ या BuyLead आए।" in page
    assert "अभी तक कुछ नहीं भेजा गया।" in page
    stop = _text(client.get(f"/account/webhooks/{webhook_id}/stop", headers=HINDI))
    assert "दोनों में से कुछ भी करें, बाकी 0 डिलीवरी छोड़ दी जाएगी" in stop

    refused = client.post(
        "/account/webhooks/",
        data={"csrf_token": token, "url": "ftp://crm.example.com/hook", "format": "native"},
        headers=HINDI,
    )
    assert refused.status_code == 422
    assert "(या http://) से शुरू होना चाहिए।" in _text(refused)


def test_a_suppliers_reply_times_read_in_hindi(app):
    figures = ResponseFigures(10, 8, 5, 3 * 24 * 60)  # half within a day, typically 3 days
    with app.test_request_context("/", headers=HINDI):
        said = response_times.describe(figures)
    assert said == "50% पूछताछ का जवाब 24 घंटे में देते हैं · आम तौर पर 3 दिन में"
    with app.test_request_context("/"):
        assert response_times.describe(figures) == (
            "Replies to 50% of enquiries within 24 h · usually within 3 days"
        )
