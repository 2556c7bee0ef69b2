"""BuyLead preferences: categories, states and cities each included or excluded, a minimum
order value (the budget; requirements without one as the supplier says), GST-registered buyers
only; saved through the API and the settings page; the BuyLead list says why each was shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import Category
from marketplace.extensions import db
from marketplace.leads import preferences
from marketplace.leads.models import BuyRequirement
from marketplace.leads.preferences import Preferences, accepts, why_shown
from tests import factories
from tests.conftest import Api, outbox, sign_in_page
from tests.test_requirements import _credits, _post, _supplier_with_pipe

PUNE_PIPES = {"categories_included": ["stainless-steel-pipes"], "cities_included": ["Pune"]}


def _put(api: Api, body: object) -> Any:
    return api.request("PUT", "/buyleads/preferences", body)


def _category(slug: str) -> Category:
    return db.session.scalar(select(Category).where(Category.slug == slug))


def _requirement(
    *,
    category: str | None = "stainless-steel-pipes",
    city: str = "Pune",
    state: str = "Maharashtra",
    budget: str | None = "160000",
    buyer: User | None = None,
) -> BuyRequirement:
    return BuyRequirement(
        product_name="SS 304 seamless pipe",
        category=_category(category) if category else None,
        quantity=Decimal("500"),
        unit="kg",
        budget=Decimal(budget) if budget else None,
        city=city,
        state=state,
        buyer=buyer,
    )


# --- the rules, one dimension at a time ---------------------------------------------------------


@pytest.mark.parametrize(
    "prefs, changes, wanted",
    [
        ({}, {}, True),
        # categories: a parent category takes its children; no category fails an include list
        ({"categories_included": ["stainless-steel-pipes"]}, {}, True),
        ({"categories_included": ["metals-and-alloys"]}, {}, True),
        ({"categories_included": ["cnc-machines"]}, {}, False),
        ({"categories_included": ["stainless-steel-pipes"]}, {"category": None}, False),
        ({"categories_excluded": ["stainless-steel-pipes"]}, {}, False),
        ({"categories_excluded": ["metals-and-alloys"]}, {}, False),
        ({"categories_excluded": ["cnc-machines"]}, {"category": None}, True),
        # states
        ({"states_included": ["Maharashtra"]}, {}, True),
        ({"states_included": ["Gujarat"]}, {}, False),
        ({"states_excluded": ["Maharashtra"]}, {}, False),
        ({"states_excluded": ["Gujarat"]}, {}, True),
        # cities, whatever their case
        ({"cities_included": ["pune"]}, {}, True),
        ({"cities_included": ["Nashik"]}, {}, False),
        ({"cities_excluded": ["PUNE"]}, {}, False),
        ({"cities_excluded": ["Nashik"]}, {}, True),
        # the minimum order value is the budget; no budget as the supplier says
        ({"min_order_value": Decimal("160000")}, {}, True),
        ({"min_order_value": Decimal("160000.01")}, {}, False),
        ({"min_order_value": Decimal("50000")}, {"budget": None}, True),
        (
            {"min_order_value": Decimal("50000"), "include_without_budget": False},
            {"budget": None},
            False,
        ),
        ({"include_without_budget": False}, {"budget": None}, True),  # no minimum: no question
    ],
)
def test_each_preference_includes_or_excludes(ctx, categories, prefs, changes, wanted):
    assert accepts(Preferences(**prefs), _requirement(**changes)) is wanted


def test_gst_registered_only_takes_buyers_with_a_gstin(ctx, categories):
    plain = db.session.get(User, factories.buyer().id)
    trader = db.session.get(User, factories.supplier().id)  # a business that buys as well
    only_gst = Preferences(buyer_kind="gst_registered")
    assert not accepts(only_gst, _requirement(buyer=plain))
    assert accepts(only_gst, _requirement(buyer=trader))
    assert accepts(Preferences(), _requirement(buyer=plain))


def test_why_a_buylead_was_shown(ctx, categories):
    prefs = Preferences(min_order_value=Decimal("50000"), **PUNE_PIPES)
    assert why_shown(prefs, _requirement()) == "Pune, Stainless Steel Pipes, above ₹50,000"
    assert why_shown(prefs, _requirement(budget=None)) == (
        "Pune, Stainless Steel Pipes, budget not stated"
    )
    gst = Preferences(buyer_kind="gst_registered", min_order_value=Decimal("1250.50"))
    assert why_shown(gst, _requirement(category=None, city="Nashik")) == (
        "Nashik, above ₹1,250.50, GST-registered buyer"
    )
    assert why_shown(Preferences(), _requirement()) == "Pune, Stainless Steel Pipes"


# --- the API ------------------------------------------------------------------------------------


def test_preferences_are_saved_and_read_back(supplier_api, categories):
    assert supplier_api.get("/buyleads/preferences").get_json() == {
        "categories_included": [],
        "categories_excluded": [],
        "states_included": [],
        "states_excluded": [],
        "cities_included": [],
        "cities_excluded": [],
        "min_order_value": None,
        "include_without_budget": True,
        "buyer_kind": "any",
    }
    saved = _put(
        supplier_api,
        {
            "categories_included": ["stainless-steel-pipes", "stainless-steel-pipes"],
            "states_included": ["MH", "27"],  # an ISO code and a GST code: one state
            "cities_excluded": ["Nashik", "nashik", " "],
            "min_order_value": "50000",
            "include_without_budget": False,
            "buyer_kind": "gst_registered",
        },
    )
    assert saved.status_code == 200, saved.get_json()
    body = supplier_api.get("/buyleads/preferences").get_json()
    assert body["categories_included"] == ["stainless-steel-pipes"]
    assert body["states_included"] == ["Maharashtra"]
    assert body["cities_excluded"] == ["Nashik"]
    assert body["min_order_value"] == "50000.00" and body["include_without_budget"] is False
    assert body["buyer_kind"] == "gst_registered"
    cleared = _put(supplier_api, {"cities_included": "Pune, Nashik"})
    assert (
        cleared.get_json()["states_included"] == []
        and cleared.get_json()["min_order_value"] is None
    )
    assert cleared.get_json()["cities_included"] == ["Pune", "Nashik"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"categories_included": ["no-such-thing"]}, "categories_included"),
        ({"categories_excluded": "no-such-thing"}, "categories_excluded"),
        ({"states_included": ["Atlantis"]}, "states_included"),
        ({"states_excluded": 27}, "states_excluded"),
        ({"cities_included": ["P"]}, "cities_included"),
        ({"cities_excluded": [12]}, "cities_excluded"),
        ({"min_order_value": "-5"}, "min_order_value"),
        ({"min_order_value": "lots"}, "min_order_value"),
        ({"buyer_kind": "vip"}, "buyer_kind"),
        ({"include_without_budget": "maybe"}, "include_without_budget"),
        ({"states_included": ["Goa"], "states_excluded": ["GA"]}, "states_excluded"),
        ({"cities_included": ["Pune"], "cities_excluded": ["PUNE"]}, "cities_excluded"),
        ({"cities_included": [f"City {n}" for n in range(51)]}, "cities_included"),
    ],
)
def test_bad_preferences_name_the_field(supplier_api, categories, body, field):
    refused = _put(supplier_api, body)
    assert refused.status_code == 422, refused.get_json()
    assert list(refused.get_json()["errors"]) == [field]


def test_a_bad_item_is_named_in_the_message(supplier_api, categories):
    refused = _put(supplier_api, {"states_included": ["Goa", "Atlantis"]})
    assert refused.get_json()["errors"]["states_included"][0].startswith("Atlantis")


def test_the_buylead_list_says_why_each_was_shown(api, buyer_api, categories, ctx):
    maker = _supplier_with_pipe()
    maker_api = api.sign_in(maker.email)
    _put(maker_api, {"min_order_value": "50000", **PUNE_PIPES})
    _post(buyer_api)
    items = maker_api.get("/buyleads").get_json()["items"]
    assert [item["why_shown"] for item in items] == ["Pune, Stainless Steel Pipes, above ₹50,000"]


# --- the settings page --------------------------------------------------------------------------


def test_the_settings_page_saves_with_csrf_and_names_bad_fields(app, client, categories, ctx):
    maker = _supplier_with_pipe()
    token = sign_in_page(client, maker)
    page = client.get("/buyleads/preferences")
    assert page.status_code == 200 and "Only these categories" in page.get_data(as_text=True)
    assert client.post("/buyleads/preferences", data={"cities_included": "Pune"}).status_code == 400
    bad = client.post(
        "/buyleads/preferences", data={"csrf_token": token, "min_order_value": "lots"}
    )
    assert bad.status_code == 422 and "amount in rupees" in bad.get_data(as_text=True)
    saved = client.post(
        "/buyleads/preferences",
        data={
            "csrf_token": token,
            "categories_included": ["stainless-steel-pipes"],
            "states_excluded": ["Gujarat", "Goa"],
            "cities_included": "Pune, Nashik",
            "min_order_value": "50000",
            "buyer_kind": "gst_registered",
        },
    )
    assert saved.status_code == 302
    kept = preferences.own_preferences(db.session.get(User, maker.id))
    assert kept.states_excluded == ["Gujarat", "Goa"] and kept.cities_included == ["Pune", "Nashik"]
    assert kept.include_without_budget is False  # an unticked box
    shown = client.get("/buyleads/preferences").get_data(as_text=True)
    assert 'value="Pune, Nashik"' in shown and 'value="50000"' in shown
    _credits(maker)  # the list links to the page
    assert "Preferences" in client.get("/buyleads").get_data(as_text=True)


def test_only_a_supplier_has_preferences(buyer_api: Api, categories):
    assert buyer_api.get("/buyleads/preferences").status_code == 403
    assert _put(buyer_api, {}).status_code == 403


# --- matching and the "New BuyLead" notices -----------------------------------------------------


def _told(app, email: str) -> int:
    return sum(1 for mail in outbox(app) if f"To: {email}" in mail and "New BuyLead" in mail)


@pytest.mark.parametrize(
    "prefs",
    [
        {"categories_excluded": ["metals-and-alloys"]},
        {"categories_included": ["cnc-machines"]},
        {"states_included": ["Gujarat"]},
        {"states_excluded": ["Maharashtra"]},
        {"cities_included": ["Nashik"]},
        {"cities_excluded": ["pune"]},
        {"min_order_value": "200000"},
        {"buyer_kind": "gst_registered"},
    ],
)
def test_matching_and_notices_honour_the_preferences(app, api, buyer_api, categories, ctx, prefs):
    picky, open_minded = _supplier_with_pipe(), _supplier_with_pipe()
    assert _put(api.sign_in(picky.email), prefs).status_code == 200
    assert _put(api.sign_in(open_minded.email), PUNE_PIPES).status_code == 200
    posted = _post(buyer_api)  # Pune, Maharashtra, stainless steel pipes, ₹1,60,000
    assert posted["matched_suppliers"] == 1
    assert (_told(app, picky.email), _told(app, open_minded.email)) == (0, 1)
    assert api.sign_in(picky.email).get("/buyleads").get_json()["items"] == []
    assert len(api.sign_in(open_minded.email).get("/buyleads").get_json()["items"]) == 1


def test_a_requirement_without_a_budget_follows_the_suppliers_choice(
    app, api, buyer_api, categories, ctx
):
    keeps, skips = _supplier_with_pipe(), _supplier_with_pipe()
    _put(api.sign_in(keeps.email), {"min_order_value": "50000"})
    _put(api.sign_in(skips.email), {"min_order_value": "50000", "include_without_budget": False})
    _post(buyer_api, budget=None)
    assert (_told(app, keeps.email), _told(app, skips.email)) == (1, 0)
    items = api.sign_in(keeps.email).get("/buyleads").get_json()["items"]
    assert items[0]["why_shown"] == "Pune, Stainless Steel Pipes, budget not stated"
