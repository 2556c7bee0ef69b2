"""The IndiaMART-compatible lead API, driven the way IndiaMART connectors drive it, and the
IndiaMART push format of webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import update

from marketplace.accounts.models import User
from marketplace.db import IST, commit, utcnow
from marketplace.extensions import db
from marketplace.leads import indiamart
from marketplace.leads.models import Lead, LeadStatus
from tests import factories
from tests.conftest import Api, Shop, conforms_to_openapi, enquire

PULL = "/wservce/crm/crmListing/v2/"


@pytest.fixture(autouse=True)
def _no_interval(app):
    """Connectors are told to call every 5 minutes; tests call at once unless they test that."""
    app.config["CRM_PULL_INTERVAL_SECONDS"] = 0
    yield
    app.config["CRM_PULL_INTERVAL_SECONDS"] = 300


def _key(supplier_api: Api, scopes: tuple[str, ...] = ("leads:read",)) -> str:
    created = supplier_api.post("/api-keys", {"name": "ERPNext", "scopes": list(scopes)})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["key"]


def _pull(client, key: str | None, **times: str) -> dict:
    query = {"glusr_crm_key": key, **times} if key is not None else times
    response = client.get(f"{PULL}?{urlencode(query)}")
    assert response.status_code == 200  # always, as IndiaMART answers
    conforms_to_openapi("GET", PULL, response)
    body = response.get_json()
    assert list(body) == ["CODE", "STATUS", "MESSAGE", "TOTAL_RECORDS", "RESPONSE"]
    assert body["TOTAL_RECORDS"] == len(body["RESPONSE"])
    return body


def _stamp(lead_id: int, when_ist: datetime) -> None:
    db.session.execute(
        update(Lead).where(Lead.id == lead_id).values(created_at=when_ist.astimezone(UTC))
    )
    commit()


def test_a_suppliers_leads_arrive_with_every_field(client, supplier_api, shop: Shop):
    business_buyer = factories.supplier(name="Ravi Kumar")  # a buyer with a registered business
    lead_id = enquire(shop, business_buyer.id)
    now_ist = utcnow().astimezone(IST).replace(microsecond=0)
    _stamp(lead_id, now_ist - timedelta(hours=1))
    body = _pull(client, _key(supplier_api))
    assert (body["CODE"], body["STATUS"]) == (200, "SUCCESS")
    [record] = body["RESPONSE"]
    buyer = db.session.get(User, business_buyer.id)
    assert set(record) == set(indiamart.FIELDS)
    assert all(isinstance(value, str) for value in record.values())
    assert record == {
        "UNIQUE_QUERY_ID": str(lead_id),
        "QUERY_TYPE": "W",
        "QUERY_TIME": (now_ist - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
        "SENDER_NAME": "Ravi Kumar",
        "SENDER_MOBILE": "+91-" + buyer.phone[3:],
        "SENDER_EMAIL": buyer.email,
        "SUBJECT": "Requirement for SS 304 Seamless Pipe",
        "SENDER_COMPANY": buyer.supplier.company_name,
        "SENDER_ADDRESS": "Plot 12, MIDC Bhosari",
        "SENDER_CITY": "Pune",
        "SENDER_STATE": "Maharashtra",
        "SENDER_PINCODE": "411026",
        "SENDER_COUNTRY_ISO": "IN",
        "SENDER_MOBILE_ALT": "",
        "SENDER_PHONE": "",
        "SENDER_PHONE_ALT": "",
        "SENDER_EMAIL_ALT": "",
        "QUERY_PRODUCT_NAME": "SS 304 Seamless Pipe",
        "QUERY_MESSAGE": "Please quote for 10 kg.\n\nQuantity: 10 kg",
        "QUERY_MCAT_NAME": "Stainless Steel Pipes",
        "CALL_DURATION": "",
        "RECEIVER_MOBILE": "",
    }


@pytest.mark.parametrize(
    "start, end, case",
    [
        ("{d:%d-%b-%Y}", "{d:%d-%b-%Y}", str),
        ("{d:%d-%b-%Y} 00:00:00", "{d:%d-%b-%Y} 23:59:59", str),
        ("{d:%d-%b-%Y}", "{d:%d-%b-%Y}", str.upper),  # month names in any case
        ("{d:%d-%b-%Y}", "{d:%d-%b-%Y}", str.lower),
        ("{d:%d-%b-%Y}00:00:00", "{d:%d-%b-%Y}23:59:59", str),  # no space before the time
        ("{d:%d-%m-%Y} 00:00:00", "{d:%d-%m-%Y} 23:59:59", str),
        ("{d:%d-%m-%Y}00:00:00", "{d:%d-%m-%Y}23:59:59", str),
        ("{d:%Y-%m-%d} 00:00:00", "{d:%Y-%m-%d} 23:59:59", str),
        ("{d:%Y-%m-%d}00:00:00", "{d:%Y-%m-%d}23:59:59", str),
    ],
)
def test_every_date_format_connectors_send(client, supplier_api, shop: Shop, start, end, case):
    yesterday = (utcnow().astimezone(IST) - timedelta(days=1)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    inside = enquire(shop)
    _stamp(inside, yesterday)
    before = enquire(shop, factories.buyer().id)
    _stamp(before, yesterday - timedelta(days=1))  # the day before: outside the window
    body = _pull(
        client,
        _key(supplier_api),
        start_time=case(start.format(d=yesterday)),
        end_time=case(end.format(d=yesterday)),
    )
    assert body["CODE"] == 200, body
    assert [record["UNIQUE_QUERY_ID"] for record in body["RESPONSE"]] == [str(inside)]


def test_the_end_of_a_window_is_inclusive_to_the_second():
    start = indiamart.read_time("22-Nov-2026 10:00:00", end=False)
    end = indiamart.read_time("2026-11-22 10:00:00", end=True)
    assert start == datetime(2026, 11, 22, 4, 30, tzinfo=UTC)  # IST is UTC+5:30
    assert end - start == timedelta(seconds=1)


def test_a_window_ends_a_little_in_the_past_as_the_native_pull_does(
    client, supplier_api, shop: Shop, monkeypatch
):
    from marketplace.leads import queries

    monkeypatch.setattr(queries, "PULL_SETTLE", timedelta(seconds=10))
    enquire(shop)  # stamped now: it may still be committing, so it waits for a later window
    assert _pull(client, _key(supplier_api))["CODE"] == 204
    monkeypatch.setattr(queries, "PULL_SETTLE", timedelta(0))
    assert _pull(client, _key(supplier_api))["TOTAL_RECORDS"] == 1


def test_with_no_times_the_last_24_hours(client, supplier_api, shop: Shop):
    recent, old = enquire(shop), enquire(shop, factories.buyer().id)
    _stamp(old, utcnow() - timedelta(hours=25))
    body = _pull(client, _key(supplier_api))
    assert [record["UNIQUE_QUERY_ID"] for record in body["RESPONSE"]] == [str(recent)]


def test_an_empty_window_is_code_204(client, supplier_api, shop: Shop):
    body = _pull(client, _key(supplier_api), start_time="01-Nov-2026", end_time="02-Nov-2026")
    assert (body["CODE"], body["TOTAL_RECORDS"], body["RESPONSE"]) == (204, 0, [])
    assert "no leads" in body["MESSAGE"]


def test_spam_never_leaves(client, supplier_api, shop: Shop):
    lead_id = enquire(shop)
    db.session.execute(update(Lead).where(Lead.id == lead_id).values(status=LeadStatus.SPAM))
    commit()
    assert _pull(client, _key(supplier_api))["CODE"] == 204


def test_bad_keys_are_code_401(client, api, supplier_api, buyer_api, shop: Shop):
    revoked = supplier_api.post("/api-keys", {"name": "old", "scopes": ["leads:read"]}).get_json()
    supplier_api.delete(f"/api-keys/{revoked['id']}")
    for key in (None, "", "mkk_made_up", revoked["key"], supplier_api.token):
        body = _pull(client, key)
        assert (body["CODE"], body["STATUS"], body["RESPONSE"]) == (401, "FAILURE", []), key
    unscoped = _pull(client, _key(supplier_api, ("catalog:write",)))
    assert unscoped["CODE"] == 401 and "leads:read" in unscoped["MESSAGE"]


@pytest.mark.parametrize(
    "times, words",
    [
        ({"start_time": "01-Nov-2026", "end_time": "09-Nov-2026"}, "at most 7 days"),
        ({"start_time": "09-Nov-2026", "end_time": "01-Nov-2026"}, "later than"),
        ({"start_time": "01-Nov-2024", "end_time": "02-Nov-2024"}, "365 days"),
        ({"start_time": "yesterday"}, "DD-Mon-YYYY"),
        ({"start_time": "31-Feb-2026"}, "not a date that exists"),
        ({"start_time": "01-Foo-2026"}, "not a date that exists"),
        ({"start_time": "01-Jan-0001"}, "out of range"),
        ({"start_time": "30-Dec-9999", "end_time": "31-Dec-9999"}, "out of range"),
        ({"end_time": "2026/11/01 10:00:00"}, "DD-Mon-YYYY"),
    ],
)
def test_bad_or_too_wide_dates_are_code_400(client, supplier_api, shop: Shop, times, words):
    body = _pull(client, _key(supplier_api), **times)
    assert (body["CODE"], body["STATUS"]) == (400, "FAILURE"), body
    assert words in body["MESSAGE"]


def test_a_second_call_within_the_interval_is_code_429(app, client, supplier_api, shop: Shop):
    app.config["CRM_PULL_INTERVAL_SECONDS"] = 300
    key = _key(supplier_api)
    assert _pull(client, key)["CODE"] == 204
    again = _pull(client, key)
    assert again["CODE"] == 429 and "5 minutes" in again["MESSAGE"]
    seconds = int(again["MESSAGE"].split("after ")[1].split(" ")[0])
    assert 290 <= seconds <= 301
    assert _pull(client, _key(supplier_api))["CODE"] == 204  # the interval is per key


def test_the_push_format_reaches_a_receiver(supplier_api, shop: Shop, receiver, private_ok):
    created = supplier_api.post(
        "/webhooks", {"url": receiver.url, "events": ["lead.created"], "format": "indiamart"}
    )
    assert created.status_code == 201, created.get_json()
    lead_id = enquire(shop)
    assert receiver.arrived.wait(10)
    [got] = receiver.received
    body = json.loads(got.body)
    assert (body["CODE"], body["STATUS"]) == (200, "SUCCESS")
    assert body["RESPONSE"]["UNIQUE_QUERY_ID"] == str(lead_id)
    assert set(body["RESPONSE"]) == set(indiamart.FIELDS)
    timestamp = got.headers["x-marketplace-timestamp"]
    expected = hmac.new(
        created.get_json()["secret"].encode(), timestamp.encode() + b"." + got.body, hashlib.sha256
    ).hexdigest()
    assert got.headers["x-marketplace-signature"] == f"sha256={expected}"


def test_the_push_format_carries_new_leads_only(supplier_api, shop: Shop, receiver, private_ok):
    refused = supplier_api.post(
        "/webhooks",
        {"url": receiver.url, "events": ["lead.created", "message.created"], "format": "indiamart"},
    )
    assert refused.status_code == 422 and "events" in refused.get_json()["errors"]
    bad = supplier_api.post(
        "/webhooks", {"url": receiver.url, "events": ["lead.created"], "format": "xml"}
    )
    assert bad.status_code == 422 and "format" in bad.get_json()["errors"]


def test_the_sellers_page_shows_the_host_and_the_mapping(client):
    page = client.get("/help/crm-integration")
    assert page.status_code == 200
    assert "http://localhost/wservce/crm/crmListing/v2/?glusr_crm_key=" in page.text
    assert all(f"<code>{field}</code>" in page.text for field in indiamart.FIELDS)
