"""GET /api/v1/suppliers/{supplier_id}: a supplier's public profile; and search's verified
filter and response sort over the API."""

from __future__ import annotations

from datetime import timedelta

from marketplace.accounts.gst_verification import set_gst_verification
from marketplace.accounts.models import User
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadSource
from tests.conftest import Shop


def _profile_id(user_id: int) -> int:
    return db.session.get(User, user_id).supplier.id


def _enquiries(supplier_id: int, buyer_id: int, answered_after: list[timedelta | None]) -> None:
    asked = utcnow() - timedelta(days=2)
    for wait in answered_after:
        db.session.add(
            Lead(
                supplier_id=supplier_id,
                buyer_id=buyer_id,
                source=LeadSource.API,
                created_at=asked,
                first_response_at=None if wait is None else asked + wait,
            )
        )
    commit()


def test_the_public_profile(shop: Shop, api):
    supplier_id = _profile_id(shop.supplier_id)
    response = api.get(f"/suppliers/{supplier_id}")  # checked against the served document
    assert response.status_code == 200
    profile = response.get_json()
    assert profile["id"] == supplier_id and profile["products"] == 1
    assert profile["address"]["city"] == "Pune" and profile["gstin"]
    assert profile["url"].startswith(f"/suppliers/{supplier_id}/")
    assert profile["verification"]["gst"] == {
        "status": "pending",
        "checked_at": None,
        "source": None,
        "matches": {},
        "badge": None,
        "receipt_url": f"/suppliers/{supplier_id}/gst-receipt",
    }
    # Too few enquiries to say anything yet, and no ratings.
    assert profile["response_rate_30d"] is None
    assert profile["median_first_response_minutes"] is None
    assert profile["rating"] is None
    assert "pan" not in profile and "email" not in profile and "phone" not in profile


def test_the_profile_carries_the_response_figures_and_the_gst_check(shop: Shop, api):
    supplier_id = _profile_id(shop.supplier_id)
    hour = timedelta(hours=1)
    _enquiries(supplier_id, shop.buyer_id, [hour, 3 * hour, 30 * hour, None])
    set_gst_verification(supplier_id, "verified")
    commit()
    profile = api.get(f"/suppliers/{supplier_id}").get_json()
    assert profile["response_rate_30d"] == 0.5
    assert profile["median_first_response_minutes"] == 990  # halfway from 3 h to 30 h
    assert profile["verification"]["gst"]["status"] == "verified"
    assert profile["verification"]["gst"]["checked_at"].endswith("Z")
    assert profile["verification"]["gst"]["source"] == "an administrator"  # no receipt


def test_an_unknown_or_closed_supplier_is_not_found(shop: Shop, api):
    assert api.get("/suppliers/999999").status_code == 404
    owner = db.session.get(User, shop.supplier_id)
    owner.is_active_account = False
    commit()
    assert api.get(f"/suppliers/{_profile_id(shop.supplier_id)}").status_code == 404


def test_search_filters_to_verified_suppliers_and_sorts_by_response(shop: Shop, api):
    supplier_id = _profile_id(shop.supplier_id)
    assert api.get("/search?q=pipe&verified=1").get_json()["total"] == 0
    set_gst_verification(supplier_id, "verified")
    commit()
    found = api.get("/search?q=pipe&verified=1&sort=response").get_json()
    assert [item["id"] for item in found["items"]] == [shop.product_id]
    assert found["items"][0]["supplier"]["gst_verified"] is True
    refused = api.get("/search?sort=fastest")
    assert refused.status_code == 422 and "sort" in refused.get_json()["errors"]
