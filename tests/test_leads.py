"""Enquiries become leads: deduplication (also under concurrency), guest enquiries with a
one-time code, isolation between suppliers, the pipeline, conversations, spam, the CRM pull,
CSV export, reminders, and notifications that survive a broker outage."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from marketplace import one_time_codes
from marketplace.accounts.models import User
from marketplace.audit import AuditEvent
from marketplace.catalog import services as catalog
from marketplace.catalog.inputs import ProductIn
from marketplace.db import commit, utcnow
from marketplace.extensions import db, limiter
from marketplace.leads import (
    conversations,
    enquiries,
    enquiry_notices,
    guest_enquiries,
    pipeline,
    queries,
)
from marketplace.leads.inputs import EnquiryIn, MessageIn
from marketplace.leads.models import (
    EnquiryGuard,
    GuestEnquiry,
    Lead,
    LeadSource,
    LeadStatus,
    Message,
)
from marketplace.spreadsheets import safe_cell
from tests import factories
from tests.conftest import (
    Api,
    conforms_to_openapi,
    csrf_token,
    free_port,
    make_test_app,
    outbox,
    sign_in_page,
)

PIPE = {
    "name": "SS 304 Seamless Pipe",
    "category": "stainless-steel-pipes",
    "description": "Seamless pipe for dairy plants.",
    "price": "325.50",
    "unit": "kg",
    "moq": 100,
}


def _product(supplier: factories.Registered, **changes) -> int:
    user = db.session.get(User, supplier.id)
    product = catalog.create_product(user, ProductIn.model_validate({**PIPE, **changes}))
    commit()
    return product.id


def _enquiry(product_id: int, **changes) -> dict:
    body = {
        "product_id": product_id,
        "quantity": "500",
        "message": "Please quote for 500 kg, delivery to Pune.",
        "city": "Pune",
    }
    return {**body, **changes}


def _sent(buyer: User, data: dict, *, source: LeadSource) -> Lead:
    lead_id, _ = enquiries.send_enquiry(buyer.id, EnquiryIn.model_validate(data), source=source)
    return db.session.get_one(Lead, lead_id)


@pytest.fixture()
def product_id(supplier, categories) -> int:
    return _product(supplier)


def _leads(supplier_api: Api, query: str = "") -> dict:
    response = supplier_api.get(f"/leads{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# --- enquiries -------------------------------------------------------------------------------


def test_an_enquiry_becomes_one_lead_for_the_supplier(
    app, buyer_api, supplier_api, buyer, product_id
):
    sent = buyer_api.post("/enquiries", _enquiry(product_id))
    assert sent.status_code == 201, sent.get_json()
    assert set(sent.get_json()) == {"id", "lead_id"}

    listed = _leads(supplier_api)
    assert listed["total"] == 1
    lead = listed["items"][0]
    assert lead["id"] == sent.get_json()["lead_id"]
    assert lead["type"] == "enquiry" and lead["status"] == "new" and lead["unread"] is True
    assert lead["product"] == {"id": product_id, "name": PIPE["name"]}
    assert (lead["quantity"], lead["unit"]) == ("500", "kg")  # the product's unit by default
    assert lead["buyer"]["email"] == buyer.email and lead["buyer"]["phone"] == buyer.phone
    assert lead["trust"] == {
        "mobile_verified": False,
        "email_verified": False,
        "gst_verified": False,
        "member_since": lead["trust"]["member_since"],
        "enquiries_last_30_days": 1,
    }
    mails = outbox(app)
    assert any("New enquiry: SS 304 Seamless Pipe" in mail for mail in mails)
    assert any("500 kg" in sms for sms in outbox(app, "sms"))


def test_the_same_enquiry_within_24_hours_is_the_same_lead(ctx, buyer_api, product_id):
    first = buyer_api.post("/enquiries", _enquiry(product_id)).get_json()
    again = buyer_api.post("/enquiries", _enquiry(product_id, message="Any update on price?"))
    assert again.status_code == 200
    assert again.get_json() == {**first, "duplicate": True}
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1

    # A day later the same question is a new lead.
    day_ago = utcnow() - timedelta(hours=25)
    db.session.execute(update(Lead).values(created_at=day_ago))
    db.session.execute(update(EnquiryGuard).values(lead_created_at=day_ago))
    commit()
    later = buyer_api.post("/enquiries", _enquiry(product_id))
    assert later.status_code == 201
    assert later.get_json()["lead_id"] != first["lead_id"]


def test_concurrent_double_submits_make_one_lead(app, ctx, buyer, product_id):
    limiter.enabled = False  # six at once is over a buyer's limit, which is not under test
    try:
        _double_submit(app, buyer, product_id)
    finally:
        limiter.enabled = True
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1


def _double_submit(app, buyer, product_id) -> None:
    token = Api(app.test_client()).sign_in(buyer.email).token
    answers: list[int] = []
    ids: list[int] = []
    barrier = threading.Barrier(6)

    def submit() -> None:
        client = Api(app.test_client(), token)
        barrier.wait()
        response = client.post("/enquiries", _enquiry(product_id))
        answers.append(response.status_code)
        ids.append(response.get_json().get("lead_id"))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] * 5 + [201], answers
    assert len(set(ids)) == 1


def test_a_storefront_enquiry_and_refusals(buyer_api, supplier, supplier_api, product_id):
    sent = buyer_api.post(
        "/enquiries", {"supplier_id": _supplier_id(supplier), "message": "Catalogue?"}
    )
    assert sent.status_code == 201, sent.get_json()
    assert _leads(supplier_api)["items"][0]["product"] is None

    own = supplier_api.post("/enquiries", _enquiry(product_id))
    assert own.status_code == 422
    assert own.get_json()["errors"] == {"product_id": ["this is your own business"]}


def _supplier_id(supplier: factories.Registered) -> int:
    return db.session.get(User, supplier.id).supplier.id


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"quantity": "abc"}, "quantity", "must be a number"),
        ({"quantity": "-4"}, "quantity", "more than zero"),
        ({"quantity": "1.2345"}, "quantity", "three decimal places"),
        ({"quantity": True}, "quantity", "must be a number"),
        ({"unit": "furlong"}, "unit", "must be a unit such as"),
        ({"message": None}, "message", "required"),
        ({"message": "hi"}, "message", "at least 4"),
        ({"message": "x" * 4001}, "message", "at most 4000"),
        ({"product_id": 999999}, "product_id", "no such product"),
        ({"product_id": "twelve"}, "product_id", "whole number"),
        ({"product_id": None}, "product_id", "name the product"),
        ({"supplier_id": 999999}, "supplier_id", "not the supplier of this product"),
        ({"supplier_id": "x"}, "supplier_id", "whole number"),
        ({"city": "\u202eevil"}, "city", "direction"),
    ],
)
def test_bad_enquiries_name_the_field(ctx, buyer_api, product_id, changes, field, message):
    response = buyer_api.post("/enquiries", {**_enquiry(product_id), **changes})
    assert response.status_code == 422, response.get_json()
    assert any(message in text for text in response.get_json()["errors"][field])
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_an_enquiry_may_name_the_products_supplier_too(ctx, buyer_api, supplier, product_id):
    supplier_id = db.session.get_one(User, supplier.id).supplier.id
    sent = buyer_api.post("/enquiries", {**_enquiry(product_id), "supplier_id": supplier_id})
    assert sent.status_code == 201, sent.get_json()


def test_enquiries_are_rate_limited_per_buyer(buyer_api, categories, supplier):
    products = [_product(supplier, name=f"SS Pipe grade {n}") for n in range(6)]
    codes = [buyer_api.post("/enquiries", _enquiry(p)).status_code for p in products]
    assert codes == [201] * 5 + [429]


# --- guests ----------------------------------------------------------------------------------

GUEST = {
    "name": "Ravi Kumar",
    "email": "ravi.kumar@example.in",
    "phone": "+919812345670",
    "age_confirmed": True,
    "accept_terms": True,
}


def _code(app) -> str:
    messages = outbox(app, "sms")
    match = re.search(r"\b(\d{6})\b", json.loads(messages[-1])["text"])
    assert match, messages[-1]
    return match.group(1)


def test_a_guest_confirms_the_mobile_and_the_enquiry_is_sent(
    app, ctx, api, supplier_api, product_id
):
    started = api.post("/enquiries/guest", {**GUEST, **_enquiry(product_id)})
    assert started.status_code == 202, started.get_json()
    verification = started.get_json()["verification_id"]
    assert _leads(supplier_api)["total"] == 0  # nothing reaches the supplier before the code
    stored = db.session.get(GuestEnquiry, verification)
    code = _code(app)
    assert code not in stored.code_digest  # only a keyed digest is kept

    wrong = "000000" if code != "000000" else "111111"
    refused = api.post(f"/enquiries/guest/{verification}/confirm", {"code": wrong})
    assert refused.status_code == 422
    assert "4 attempts left" in refused.get_json()["errors"]["code"][0]

    confirmed = api.post(f"/enquiries/guest/{verification}/confirm", {"code": code})
    assert confirmed.status_code == 201, confirmed.get_json()
    lead = _leads(supplier_api)["items"][0]
    assert lead["id"] == confirmed.get_json()["lead_id"] and lead["source"] == "guest"
    assert lead["buyer"]["name"] == "Ravi Kumar"
    assert lead["trust"]["mobile_verified"] is True

    again = api.post(f"/enquiries/guest/{verification}/confirm", {"code": code})
    assert again.status_code == 409  # single use
    assert any("choose a password" in mail for mail in outbox(app))
    buyer = db.session.scalar(select(User).where(User.email == GUEST["email"]))
    assert buyer is not None and buyer.phone_verified_at is not None
    db.session.expire_all()
    assert db.session.get(GuestEnquiry, verification).enquiry == {}


def test_guest_codes_are_limited_in_attempts_and_time(app, ctx, api, product_id):
    verification = api.post("/enquiries/guest", {**GUEST, **_enquiry(product_id)}).get_json()[
        "verification_id"
    ]
    code = _code(app)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(one_time_codes.ATTEMPTS):
        assert (
            api.post(f"/enquiries/guest/{verification}/confirm", {"code": wrong}).status_code == 422
        )
    locked = api.post(f"/enquiries/guest/{verification}/confirm", {"code": code})
    assert locked.status_code == 422
    assert "too many wrong codes" in locked.get_json()["errors"]["code"][0]

    second = api.post("/enquiries/guest", {**GUEST, **_enquiry(product_id)}).get_json()
    db.session.execute(
        update(GuestEnquiry)
        .where(GuestEnquiry.id == second["verification_id"])
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    commit()
    expired = api.post(
        f"/enquiries/guest/{second['verification_id']}/confirm", {"code": _code(app)}
    )
    assert expired.status_code == 422 and "expired" in expired.get_json()["errors"]["code"][0]
    assert api.post("/enquiries/guest/nope/confirm", {"code": "123456"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_guest_refusals(ctx, api, buyer, product_id):
    taken = api.post("/enquiries/guest", {**GUEST, "email": buyer.email, **_enquiry(product_id)})
    assert taken.status_code == 409  # the account's owner signs in instead
    bad = api.post("/enquiries/guest", {"name": "R", "phone": "12", **_enquiry(product_id)})
    assert bad.status_code == 422
    assert {"name", "email", "phone", "age_confirmed", "accept_terms"} <= set(
        bad.get_json()["errors"]
    )
    for _ in range(guest_enquiries.GUEST_CODES_PER_PHONE_PER_HOUR):
        assert api.post("/enquiries/guest", {**GUEST, **_enquiry(product_id)}).status_code == 202
    limited = api.post("/enquiries/guest", {**GUEST, **_enquiry(product_id)})
    assert limited.status_code == 429 and limited.headers["Retry-After"]


# --- isolation -------------------------------------------------------------------------------


def test_a_supplier_only_ever_sees_its_own_leads(app, ctx, api, buyer_api, product_id):
    lead_id = buyer_api.post("/enquiries", _enquiry(product_id)).get_json()["lead_id"]
    other = factories.supplier()
    other_api = api.sign_in(other.email)
    assert _leads(other_api)["total"] == 0
    for method, path, body in (
        ("GET", f"/leads/{lead_id}", None),
        ("PATCH", f"/leads/{lead_id}", {"status": "won"}),
        ("GET", f"/leads/{lead_id}/messages", None),
        ("POST", f"/leads/{lead_id}/messages", {"text": "hello"}),
        ("POST", f"/leads/{lead_id}/block", None),
    ):
        assert other_api.request(method, path, body).status_code == 404, (method, path)
    # The same in the pages.
    client = app.test_client()
    sign_in_page(client, other)
    assert client.get(f"/leads/{lead_id}").status_code == 404
    assert client.get("/leads/export.csv").text.count("\n") == 1  # the header only
    assert db.session.get(Lead, lead_id).status == LeadStatus.NEW


def test_buyers_cannot_open_the_lead_manager(buyer_api):
    assert buyer_api.get("/leads").status_code == 403


# --- the pipeline ----------------------------------------------------------------------------


def test_the_supplier_works_a_lead(ctx, buyer_api, supplier_api, product_id):
    lead_id = buyer_api.post("/enquiries", _enquiry(product_id)).get_json()["lead_id"]
    follow_up = (pipeline.today_in_india() + timedelta(days=2)).isoformat()
    changed = supplier_api.patch(
        f"/leads/{lead_id}",
        {"status": "contacted", "note": "Called; wants MTC.", "follow_up_on": follow_up},
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["status"] == "contacted" and body["follow_up_on"] == follow_up
    assert [note["text"] for note in body["notes"]] == ["Called; wants MTC."]
    assert (
        supplier_api.patch(f"/leads/{lead_id}", {"follow_up_on": None}).get_json()["follow_up_on"]
        is None
    )

    for bad, field in (
        ({"status": "closed"}, "status"),
        ({"follow_up_on": "2020-01-01"}, "follow_up_on"),
        ({"follow_up_on": "tomorrow"}, "follow_up_on"),
        ({"buyer_id": 5}, "buyer_id"),
        ({}, "body"),
        ({"note": 12}, "note"),
    ):
        refused = supplier_api.patch(f"/leads/{lead_id}", bad)
        assert refused.status_code == 422, (bad, refused.get_json())
        assert field in refused.get_json()["errors"], (bad, refused.get_json())
    assert db.session.get(Lead, lead_id).status == LeadStatus.CONTACTED  # nothing was lost


def test_a_conversation_with_a_quotation(app, ctx, buyer_api, supplier_api, product_id):
    lead_id = buyer_api.post("/enquiries", _enquiry(product_id)).get_json()["lead_id"]
    valid_until = (pipeline.today_in_india() + timedelta(days=15)).isoformat()
    quote = {"price": "318.00", "quantity": "500", "unit": "kg", "valid_until": valid_until}
    sent = supplier_api.post(
        f"/leads/{lead_id}/messages", {"text": "Ex-works Pune, 7 days.", "quotation": quote}
    )
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["quotation"] == quote and sent.get_json()["from"] == "supplier"
    assert supplier_api.get(f"/leads/{lead_id}").get_json()["status"] == "quoted"
    assert any("sent you a quotation" in mail for mail in outbox(app))

    mine = buyer_api.get("/enquiries").get_json()["items"][0]
    assert (mine["status"], mine["unread"]) == ("replied", True)
    assert queries.buyer_unread_count(db.session.get(Lead, lead_id).buyer_id) == 1
    thread = buyer_api.get(f"/enquiries/{lead_id}").get_json()
    assert [reply["text"] for reply in thread["replies"]] == ["Ex-works Pune, 7 days."]
    assert buyer_api.get("/enquiries").get_json()["items"][0]["unread"] is False  # read now

    reply = buyer_api.post(f"/leads/{lead_id}/messages", {"text": "Can you do 310?"})
    assert reply.status_code == 201
    assert _leads(supplier_api)["items"][0]["unread"] is True
    messages = supplier_api.get(f"/leads/{lead_id}/messages").get_json()
    assert [m["from"] for m in messages["items"]] == ["supplier", "buyer"]
    assert _leads(supplier_api)["items"][0]["unread"] is False

    buyer_quote = buyer_api.post(f"/leads/{lead_id}/messages", {"quotation": quote})
    assert buyer_quote.status_code == 422
    assert "only the supplier" in buyer_quote.get_json()["errors"]["quotation"][0]
    bad_quote = supplier_api.post(
        f"/leads/{lead_id}/messages",
        {"quotation": {"price": "0", "quantity": "x", "unit": "kg", "valid_until": "2020-01-01"}},
    )
    assert bad_quote.status_code == 422
    assert {"quotation.price", "quotation.quantity", "quotation.valid_until"} <= set(
        bad_quote.get_json()["errors"]
    )
    assert supplier_api.post(f"/leads/{lead_id}/messages", {}).status_code == 422


# --- spam ------------------------------------------------------------------------------------


def test_a_blocked_buyers_enquiries_go_to_spam(
    app, ctx, buyer_api, supplier_api, supplier, categories
):
    first, second = _product(supplier), _product(supplier, name="SS 316 pipe")
    lead_id = buyer_api.post("/enquiries", _enquiry(first)).get_json()["lead_id"]
    blocked = supplier_api.post(f"/leads/{lead_id}/block")
    assert blocked.status_code == 200 and blocked.get_json()["status"] == "spam"
    mails_before = len(outbox(app))

    later = buyer_api.post("/enquiries", _enquiry(second))
    assert later.status_code == 201  # the buyer is not told
    assert len(outbox(app)) == mails_before  # and the supplier is not disturbed,
    later_lead = db.session.get_one(Lead, later.get_json()["lead_id"])
    assert later_lead.supplier_notified_at is not None  # nor ever will be: settled at birth
    assert _leads(supplier_api)["total"] == 0  # spam is a folder of its own
    spam = _leads(supplier_api, "?status=spam")
    assert {item["id"] for item in spam["items"]} == {lead_id, later.get_json()["lead_id"]}
    assert "lead.buyer_blocked" in set(db.session.scalars(select(AuditEvent.action)))
    assert buyer_api.get("/enquiries").get_json()["items"][0]["status"] == "sent"


# --- the CRM pull ----------------------------------------------------------------------------


def test_the_crm_pull_pages_a_window_without_gaps_or_repeats(
    ctx, api, supplier, supplier_api, categories
):
    products = [_product(supplier, name=f"Pipe model {n}") for n in range(3)]
    buyers = [factories.buyer() for _ in range(8)]
    now = utcnow()
    for buyer in buyers:
        for product in products:
            enquiry = EnquiryIn.model_validate(_enquiry(product))
            enquiries.send_enquiry(buyer.id, enquiry, source=LeadSource.API)
    # Stamped in the past (as if polled later), most of them with one and the same timestamp.
    db.session.execute(update(Lead).values(created_at=now - timedelta(hours=1)))
    first_ids = db.session.scalars(select(Lead.id).order_by(Lead.id).limit(5)).all()
    db.session.execute(
        update(Lead).where(Lead.id.in_(first_ids)).values(created_at=now - timedelta(hours=2))
    )
    commit()
    key = supplier_api.post("/api-keys", {"name": "CRM", "scopes": ["leads:read"]}).get_json()[
        "key"
    ]
    crm = Api(api.client, key)
    start = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    seen: list[int] = []
    page = 1
    while True:
        body = crm.get(f"/leads?start_time={start}&per_page=7&page={page}").get_json()
        seen += [item["id"] for item in body["items"]]
        if page * 7 >= body["total"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == 24
    assert seen[:5] == sorted(first_ids)  # oldest first, ties by id
    assert body["window"]["start_time"] == start


@pytest.mark.parametrize(
    "query, field",
    [
        ("?start_time=2026-11-01T00:00:00Z&end_time=2026-11-09T00:00:00Z", "end_time"),
        ("?start_time=2026-11-10T00:00:00Z&end_time=2026-11-09T00:00:00Z", "end_time"),
        ("?start_time=2026-11-01T10:00:00", "start_time"),
        ("?start_time=yesterday", "start_time"),
        ("?start_time=9999-12-30&end_time=9999-12-31", "end_time"),  # the day after overflows
        ("?start_time=0001-01-01T00:00:00+05:30", "start_time"),  # before year 1 in UTC
        ("?status=open", "status"),
        ("?type=order", "type"),
        ("?per_page=500", "per_page"),
    ],
)
def test_the_crm_pull_refuses_bad_windows(supplier_api, query, field):
    response = supplier_api.get(f"/leads{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_the_pull_window_ends_a_little_in_the_past(supplier_api, monkeypatch):
    monkeypatch.setattr(queries, "PULL_SETTLE", timedelta(seconds=10))
    body = _leads(supplier_api)
    from marketplace.formatting import iso_utc

    assert body["window"]["end_time"] <= iso_utc(utcnow() - queries.PULL_SETTLE)


def test_integration_key_scopes(api, buyer_api, supplier_api, product_id):
    lead_id = buyer_api.post("/enquiries", _enquiry(product_id)).get_json()["lead_id"]
    reader = Api(
        api.client,
        supplier_api.post("/api-keys", {"name": "r", "scopes": ["leads:read"]}).get_json()["key"],
    )
    writer = Api(
        api.client,
        supplier_api.post(
            "/api-keys", {"name": "w", "scopes": ["leads:read", "leads:write"]}
        ).get_json()["key"],
    )
    catalogue = Api(
        api.client,
        supplier_api.post("/api-keys", {"name": "c", "scopes": ["catalog:write"]}).get_json()[
            "key"
        ],
    )
    assert reader.get(f"/leads/{lead_id}").status_code == 200
    assert reader.patch(f"/leads/{lead_id}", {"status": "won"}).status_code == 403
    assert writer.patch(f"/leads/{lead_id}", {"status": "won"}).status_code == 200
    assert catalogue.get("/leads").status_code == 403
    assert reader.post("/enquiries", _enquiry(product_id)).status_code == 403


# --- export and reminders --------------------------------------------------------------------


def test_csv_export_is_the_filtered_list_and_never_a_formula(app, ctx, supplier, product_id):
    tricky = factories.buyer(name="Asha Rao")
    user = db.session.get(User, tricky.id)
    lead = _sent(
        user,
        _enquiry(product_id, message='=HYPERLINK("http://evil")'),
        source=LeadSource.API,
    )
    other = _sent(
        db.session.get(User, factories.buyer().id),
        _enquiry(product_id),
        source=LeadSource.API,
    )
    other.status = LeadStatus.WON
    commit()
    client = app.test_client()
    sign_in_page(client, supplier)
    exported = client.get("/leads/export.csv?status=new")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["id"] for row in rows] == [str(lead.id)]
    assert rows[0]["message"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["buyer_phone"].startswith("'+91")
    assert safe_cell("-2+3") == "'-2+3" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Pune") == "Pune"
    assert client.get("/leads/export.csv?start_time=nope").status_code == 422


def test_follow_up_reminders_go_once_per_date(app, ctx, buyer, supplier, product_id):
    lead = _sent(db.session.get(User, buyer.id), _enquiry(product_id), source=LeadSource.API)
    lead.follow_up_on = pipeline.today_in_india()
    commit()
    before = len(outbox(app))
    assert pipeline.remind_follow_ups() == 1
    commit()
    assert pipeline.remind_follow_ups() == 0
    assert len(outbox(app)) == before + 1 and "Follow up today" in outbox(app)[-1]
    lead.follow_up_on = pipeline.today_in_india() - timedelta(days=1)  # moved: a new reminder
    commit()
    assert pipeline.remind_follow_ups() == 1


def test_the_storefront_shows_how_the_supplier_answers(ctx, client, supplier, categories):
    product = _product(supplier)
    owner = db.session.get(User, supplier.id)
    leads = [
        _sent(db.session.get(User, factories.buyer().id), _enquiry(product), source=LeadSource.API)
        for _ in range(3)
    ]
    commit()
    asked = utcnow() - timedelta(days=2)
    for lead in leads:
        lead.created_at = asked
    for lead, hours in ((leads[0], 2), (leads[1], 6)):  # the third is never answered
        message = MessageIn.model_validate({"text": "Our price is 62 per kg."})
        conversations.post_message(owner, lead.id, message)
        commit()
        last = db.session.scalar(select(Message).where(Message.lead_id == lead.id))
        last.created_at = asked + timedelta(hours=hours)
    commit()
    shown = queries.supplier_responsiveness(_supplier_id(supplier))
    assert (shown.enquiries, shown.rate, shown.median_hours) == (3, 67, 4.0)
    page = client.get(f"/suppliers/{_supplier_id(supplier)}", follow_redirects=True).text
    assert "67% of 3 enquiries" in page and "within 4 hours" in page


def test_the_dashboard_counts_the_pipeline(ctx, supplier, categories):
    product = _product(supplier)
    statuses = [
        LeadStatus.NEW,
        LeadStatus.CONTACTED,
        LeadStatus.QUOTED,
        LeadStatus.WON,
        LeadStatus.LOST,
        LeadStatus.SPAM,
    ]
    for status in statuses:
        lead = _sent(
            db.session.get(User, factories.buyer().id),
            _enquiry(product),
            source=LeadSource.API,
        )
        lead.status = status
    commit()
    stats = queries.dashboard(_supplier_id(supplier))
    assert stats["funnel"] == [
        {"stage": "new", "count": 5},
        {"stage": "contacted", "count": 3},
        {"stage": "quoted", "count": 2},
        {"stage": "won", "count": 1},
    ]
    assert (stats["lost"], stats["spam"], stats["total"]) == (1, 1, 6)
    assert sum(week["count"] for week in stats["weeks"]) == 6
    assert stats["by_product"] == [{"product": PIPE["name"], "count": 5}]


# --- notifications survive a broker outage ---------------------------------------------------


def test_a_broker_outage_loses_no_notification(database_url, tmp_path, supplier, product_id):
    from marketplace.leads.tasks import notify_new_enquiries
    from workers.outbox import QueuedTask

    dead_broker = f"redis://127.0.0.1:{free_port()}/0"
    app = make_test_app(database_url, tmp_path, CELERY_BROKER_URL=dead_broker)
    with app.app_context():
        buyer = factories.buyer()
        api = Api(app.test_client()).sign_in(buyer.email)
        before = set(db.session.scalars(select(QueuedTask.id)))  # the buyer's welcome mail
        sent = api.post("/enquiries", _enquiry(product_id))
        assert sent.status_code == 201, sent.get_json()
        lead_id = sent.get_json()["lead_id"]
        # The request queued nothing and never asked the broker: the untold lead is the notice.
        assert set(db.session.scalars(select(QueuedTask.id))) == before
        assert enquiry_notices.enquiries_to_notify() == [lead_id]
        # What beat's run does once a worker takes it: the mail and the SMS are queued
        # (durably again), the lead is told, and a second run sends nothing twice.
        assert notify_new_enquiries() == 1
        assert notify_new_enquiries() == 0
        assert enquiry_notices.enquiries_to_notify() == []
        queued = db.session.scalars(select(QueuedTask).where(QueuedTask.id.not_in(before))).all()
        assert sorted(row.task for row in queued) == [
            "marketplace.notifications.deliver_email",
            "marketplace.notifications.deliver_sms",
        ]
        supplier_email = next(
            row.kwargs["to"]
            for row in queued
            if row.kwargs.get("subject", "").startswith("New enquiry")
        )
        assert supplier_email == supplier.email
        db.session.remove()
        db.engine.dispose()


def test_health_says_when_notices_fall_behind_but_not_for_one_put_off(
    client, ctx, buyer, product_id, monkeypatch
):
    """Notices due for longer than BACKLOG_LATE mean beat or its worker is down; a notice put
    off after a failure waits on purpose and does not count."""
    from marketplace.leads.tasks import notify_new_enquiries

    lead = _sent(buyer, _enquiry(product_id), source=LeadSource.API)
    commit()
    assert client.get("/healthz").get_json()["backlog"]["notices"] == 0  # told inline
    made = utcnow() - timedelta(minutes=10)
    db.session.execute(update(Lead).values(supplier_notified_at=None, created_at=made))
    commit()
    late = client.get("/healthz")
    conforms_to_openapi("GET", "/healthz", late)
    body = late.get_json()
    assert body["status"] == "degraded" and body["backlog"]["notices"] >= 600, body

    def broken(lead_id: int) -> bool:
        raise RuntimeError("the mail template is broken")

    monkeypatch.setattr(enquiry_notices, "notify_supplier_of_enquiry", broken)
    notify_new_enquiries()
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["backlog"]["notices"] == 0, body
    assert enquiry_notices.enquiries_to_notify() == [lead.id]  # still owed
    # Once due again, it counts from its retry time, not from its lead's birth.
    retry_at = db.session.get_one(Lead, lead.id).notice_retry_at
    monkeypatch.setattr(enquiry_notices, "utcnow", lambda: retry_at + timedelta(seconds=30))
    assert enquiry_notices.notice_due_since() == retry_at


def test_each_untold_enquiry_is_told_once_and_a_failure_waits_longer_each_time(
    app, ctx, buyer, product_id, monkeypatch
):
    from marketplace.leads.tasks import notify_new_enquiries

    others = [_product(factories.supplier()) for _ in range(2)]
    first_id, second_id, third_id = (
        _sent(buyer, _enquiry(product), source=LeadSource.API).id
        for product in (product_id, *others)
    )
    commit()  # with tasks inline, each commit told its supplier
    told = {lead.id: lead.supplier_notified_at for lead in db.session.scalars(select(Lead))}
    assert None not in told.values() and set(told) == {first_id, second_id, third_id}
    assert len([m for m in outbox(app) if "Subject: New enquiry" in m]) == 3

    db.session.execute(update(Lead).values(supplier_notified_at=None))
    db.session.execute(update(Lead).where(Lead.id == third_id).values(status=LeadStatus.SPAM))
    commit()
    real = enquiry_notices.notify_supplier_of_enquiry

    tries: list[int] = []

    def fail_for_the_first(lead_id: int) -> bool:
        if lead_id == first_id:
            tries.append(lead_id)
            raise RuntimeError("the mail template is broken")
        return real(lead_id)

    monkeypatch.setattr(enquiry_notices, "notify_supplier_of_enquiry", fail_for_the_first)
    assert notify_new_enquiries() == 1  # the oldest failed: passed over, not in the way
    assert enquiry_notices.enquiries_to_notify() == [first_id]  # spam is not told
    # Nor once the supplier has worked it out of the spam folder: it has been seen.
    db.session.execute(update(Lead).where(Lead.id == third_id).values(status=LeadStatus.CONTACTED))
    commit()
    assert enquiry_notices.enquiries_to_notify() == [first_id]

    # The failed notice waits before its next try, longer after each failure, at most an hour.
    def retry_at() -> datetime:
        db.session.remove()
        return db.session.get_one(Lead, first_id).notice_retry_at

    waits = []
    for _ in range(3):
        first_try_at, tried = retry_at(), len(tries)
        assert notify_new_enquiries() == 0 and len(tries) == tried  # not due yet: not tried
        assert retry_at() == first_try_at
        monkeypatch.setattr(enquiry_notices, "utcnow", lambda moment=first_try_at: moment)
        age = first_try_at - db.session.get_one(Lead, first_id).created_at
        assert notify_new_enquiries() == 0 and len(tries) == tried + 1  # due: failed again
        waits.append(retry_at() - first_try_at)
        assert waits[-1] == min(age, enquiry_notices.NOTICE_RETRY_LIMIT)
    assert waits == sorted(waits) and waits[0] < waits[-1]

    # Mended: beat's run would wait for its time, a hand run sends it now.
    monkeypatch.setattr(enquiry_notices, "notify_supplier_of_enquiry", real)
    monkeypatch.setattr(enquiry_notices, "utcnow", utcnow)
    assert notify_new_enquiries() == 0 and enquiry_notices.enquiries_to_notify() == [first_id]
    run = app.test_cli_runner().invoke(args=["leads", "notify-enquiries"])
    assert run.exit_code == 0 and "1 supplier notice(s) sent; 0 untold." in run.output
    assert notify_new_enquiries() == 0


# --- the pages -------------------------------------------------------------------------------


def test_the_enquiry_form_says_what_is_wrong_and_drops_bots(app, ctx, client, buyer, product_id):
    token = sign_in_page(client, buyer)
    form = {"csrf_token": token, "product_id": str(product_id), "message": "Need 500 kg."}
    refused = client.post("/enquiries/new", data={**form, "quantity": "lots", "unit": "furlong"})
    assert refused.status_code == 422
    assert "Must be a number" in refused.text and "Must be a unit such as" in refused.text
    bot = client.post("/enquiries/new", data={**form, "website": "http://spam.example"})
    assert bot.status_code == 302  # looks sent
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
    sent = client.post("/enquiries/new", data={**form, "quantity": "500"})
    assert sent.status_code == 302 and "/enquiries/" in sent.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1
    assert client.post("/enquiries/new", data=form).status_code == 302  # the duplicate
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1
    assert client.get("/enquiries/new?product_id=999999").status_code == 404


def test_a_guest_enquires_through_the_pages(app, ctx, client, product_id):
    page = client.get(f"/enquiries/new?product_id={product_id}")
    assert page.status_code == 200 and "Send code to my mobile" in page.text
    token = csrf_token(page.text)
    started = client.post(
        "/enquiries/new",
        data={
            "csrf_token": token,
            "product_id": str(product_id),
            "message": "Need 2 tonnes.",
            "name": "Ravi Kumar",
            "email": "ravi@example.in",
            "phone": "98123 45678",
            "age_confirmed": "y",
            "accept_terms": "y",
        },
    )
    assert started.status_code == 302, started.text
    verify_url = started.headers["Location"]
    code = _code(app)
    wrong = client.post(verify_url, data={"csrf_token": token, "code": "12345"})
    assert wrong.status_code == 422 and "attempts left" in wrong.text
    assert db.session.scalar(select(GuestEnquiry.attempts)) == 1  # counted although refused
    confirmed = client.post(verify_url, data={"csrf_token": token, "code": code})
    assert confirmed.status_code == 302
    mine = client.get("/enquiries")
    assert mine.status_code == 200 and PIPE["name"] in mine.text  # signed in as the new buyer


def test_a_deactivated_buyers_enquiries_are_hidden_until_they_return(
    ctx, buyer, buyer_api, supplier_api, product_id
):
    lead_id = buyer_api.post("/enquiries", _enquiry(product_id)).get_json()["lead_id"]
    person = db.session.get(User, buyer.id)
    person.deactivated_at = utcnow()  # what a deactivation request does
    commit()
    assert _leads(supplier_api)["total"] == 0
    assert supplier_api.get(f"/leads/{lead_id}").status_code == 200  # kept, not deleted
    person.deactivated_at = None  # signing in again reactivates
    commit()
    assert [item["id"] for item in _leads(supplier_api)["items"]] == [lead_id]


def test_the_lead_page_refuses_an_unknown_action_and_changes_nothing(
    app, ctx, client, supplier, buyer_api, product_id
):
    lead_id = buyer_api.post("/enquiries", _enquiry(product_id)).get_json()["lead_id"]
    lead = db.session.get(Lead, lead_id)
    lead.follow_up_on = pipeline.today_in_india() + timedelta(days=3)
    commit()
    token = sign_in_page(client, supplier)
    base = {"csrf_token": token, "status": "won", "note": "", "follow_up_on": ""}
    refused = client.post(f"/leads/{lead_id}/update", data={**base, "action": "erase"})
    assert refused.status_code == 400
    bad_date = client.post(
        f"/leads/{lead_id}/update", data={**base, "action": "follow_up", "follow_up_on": "soon"}
    )
    assert bad_date.status_code == 302  # said on the page, as a flash
    assert "Follow up on: must be a date" in client.get(f"/leads/{lead_id}").text
    db.session.expire_all()
    kept = db.session.get(Lead, lead_id)
    assert kept.follow_up_on is not None and kept.status == LeadStatus.NEW
