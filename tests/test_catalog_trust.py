"""A catalogue buyers trust: trade details on listings, supplier profiles on storefronts, a
storefront's own search, and search that explains what it did (places, typos)."""

from __future__ import annotations

import re

import pytest

from marketplace.accounts.models import User
from marketplace.catalog import services
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.trade import GST_SLABS
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.conftest import csrf_token, sign_in_page
from tests.test_catalog import PIPE

TRADE = {
    "hsn_code": "73064000",
    "gst_rate": "18",
    "price_includes_gst": False,
    "price_slabs": [
        {"min_quantity": 100, "price": "325.50"},
        {"min_quantity": 1000, "price": "310"},
    ],
    "brand": "Jindal",
    "delivery_time": "7 days",
    "payment_terms": "50% advance, balance before dispatch",
}


@pytest.fixture()
def traded(supplier_api, categories) -> dict:
    created = supplier_api.post("/products", {**PIPE, **TRADE})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_trade_details_round_trip_through_the_api(api, traded):
    assert traded["hsn_code"] == "73064000" and traded["gst_rate"] == "18"
    assert traded["price_slabs"] == [
        {"min_quantity": 100, "price": "325.50"},
        {"min_quantity": 1000, "price": "310.00"},
    ]
    public = api.get(f"/products/{traded['id']}").get_json()
    assert public["brand"] == "Jindal" and public["price_includes_gst"] is False
    assert public["delivery_time"] == "7 days"


def test_trade_details_are_optional(supplier_api, categories):
    body = supplier_api.post("/products", PIPE).get_json()
    assert body["hsn_code"] is None and body["gst_rate"] is None and body["price_slabs"] == []


@pytest.mark.parametrize(
    "change, field",
    [
        ({"hsn_code": "73064"}, "hsn_code"),  # five digits
        ({"hsn_code": "7306400A"}, "hsn_code"),
        ({"hsn_code": "0012"}, "hsn_code"),
        ({"gst_rate": "12"}, "gst_rate"),  # folded into 5% and 18% in September 2025
        ({"gst_rate": "28"}, "gst_rate"),
        ({"gst_rate": "eighteen"}, "gst_rate"),
        ({"gst_rate": True}, "gst_rate"),
        ({"price_includes_gst": "perhaps"}, "price_includes_gst"),
        ({"price_slabs": "100:62"}, "price_slabs"),
        (
            {
                "price_slabs": [
                    {"min_quantity": 1000, "price": "58"},
                    {"min_quantity": 100, "price": "62"},
                ]
            },
            "price_slabs.1.min_quantity",
        ),
        ({"price_slabs": [{"min_quantity": 100, "price": "0"}]}, "price_slabs.0.price"),
        ({"price_slabs": [{"min_quantity": 100}]}, "price_slabs.0.price"),
        ({"price_slabs": [{"min_quantity": 100, "price": "5", "note": "x"}]}, "price_slabs.0.note"),
        ({"price_slabs": [{"min_quantity": 10, "price": "5"}]}, "price_slabs"),  # below the MOQ
        (
            {"price_slabs": [{"min_quantity": n + 100, "price": "5"} for n in range(9)]},
            "price_slabs",
        ),
        ({"brand": "x" * 101}, "brand"),
        ({"payment_terms": 30}, "payment_terms"),
    ],
)
def test_bad_trade_details_are_refused_by_name(supplier_api, categories, change, field):
    response = supplier_api.post("/products", {**PIPE, **change})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()


def test_a_change_of_moq_is_checked_against_the_slabs(supplier_api, traded):
    response = supplier_api.patch(f"/products/{traded['id']}", {"moq": 500})
    assert response.status_code == 422 and "price_slabs" in response.get_json()["errors"]
    ok = supplier_api.patch(f"/products/{traded['id']}", {"gst_rate": 5})
    assert ok.status_code == 200 and ok.get_json()["gst_rate"] == "5"


def test_gst_slabs_are_one_table():
    assert [str(rate) for rate in GST_SLABS] == ["0", "0.25", "1.5", "3", "5", "18", "40"]


def test_product_page_shows_trade_details_whole_rupees_and_the_gst_note(client, traded):
    page = client.get(traded["url"]).get_data(as_text=True)
    assert '₹325.50</span><span class="unit">/kg' in page
    assert "+ 18% GST" in page
    assert "100 \u2013 999" in page and "1,000+" in page and "₹310</span>/kg" in page
    assert "73064000" in page and "Jindal" in page and "50% advance" in page
    assert "GST</dt><dd>18% (extra, on the invoice)" in page


def test_a_listing_without_a_photo_shows_its_category_icon(client, traded):
    page = client.get(traded["url"]).get_data(as_text=True)
    assert "/static/icons/categories/cylinder.svg" in page  # metals and alloys
    results = client.get("/search?q=pipe").get_data(as_text=True)
    assert "/static/icons/categories/cylinder.svg" in results
    assert client.get("/static/icons/categories/cylinder.svg").status_code == 200


def test_search_filters_and_facets_by_brand_and_shows_the_gst_note(api, client, traded):
    found = api.get("/search?brand=jindal").get_json()
    assert [item["id"] for item in found["items"]] == [traded["id"]]
    assert (
        found["items"][0]["gst_rate"] == "18" and found["facets"]["brand"][0]["value"] == "Jindal"
    )
    assert api.get("/search?brand=tata").get_json()["total"] == 0
    page = client.get("/search?q=pipe").get_data(as_text=True)
    assert "+ 18% GST" in page


def test_the_supplier_fills_in_the_business_profile(supplier_api):
    changed = supplier_api.patch(
        "/me",
        {
            "business_type": "manufacturer",
            "year_established": 1998,
            "employees": "51-100",
            "turnover_band": "5cr-25cr",
            "about": "Seamless and welded stainless steel pipes since 1998.",
        },
    )
    assert changed.status_code == 200, changed.get_json()
    supplier = changed.get_json()["supplier"]
    assert supplier["business_type"] == "manufacturer" and supplier["year_established"] == 1998
    cleared = supplier_api.patch("/me", {"about": ""}).get_json()["supplier"]
    assert cleared["about"] is None and cleared["employees"] == "51-100"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"business_type": "reseller"}, "business_type"),
        ({"year_established": 1700}, "year_established"),
        ({"year_established": 3000}, "year_established"),
        ({"year_established": "old"}, "year_established"),
        ({"employees": "a lot"}, "employees"),
        ({"turnover_band": "100 crore"}, "turnover_band"),
        ({"about": "x" * 3001}, "about"),
    ],
)
def test_bad_profile_fields_are_refused_by_name(supplier_api, change, field):
    response = supplier_api.patch("/me", change)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_a_buyer_has_no_business_profile(buyer_api):
    response = buyer_api.patch("/me", {"business_type": "trader"})
    assert response.status_code == 422 and "business_type" in response.get_json()["errors"]


def test_the_profile_page_saves_the_business_profile(client, supplier):
    token = sign_in_page(client, supplier)
    page = client.get("/account/").get_data(as_text=True)
    assert "Nature of business" in page
    response = client.post(
        "/account/",
        data={
            "csrf_token": token,
            "name": "Asha Rao",
            "email": supplier.email,
            "phone": supplier.phone,
            "company_name": "Rao Steel Traders",
            "gstin": supplier.gstin,
            "address_line1": "Plot 12, MIDC Bhosari",
            "address_city": "Pune",
            "address_state": "Maharashtra",
            "address_pincode": "411026",
            "business_type": "trader",
            "year_established": "2004",
            "employees": "11-25",
            "turnover_band": "1.5cr-5cr",
            "about": "Pipes and fittings for dairies.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get("/account/").get_data(as_text=True)
    assert 'value="2004"' in page and "Pipes and fittings for dairies." in page


def test_storefront_shows_the_profile_gst_status_and_member_since(client, supplier_api, traded):
    supplier_api.patch(
        "/me", {"business_type": "manufacturer", "year_established": 1998, "about": "Since 1998."}
    )
    page = client.get(
        traded["supplier"] and f"/suppliers/{traded['supplier']['id']}", follow_redirects=True
    )
    text = page.get_data(as_text=True)
    assert "Nature of business</dt><dd>Manufacturer" in text and "Since 1998." in text
    assert "GST verification pending" in text  # a new supplier's GSTIN awaits the registry
    assert re.search(r"Member since \d{1,2} [A-Z][a-z]{2} 20\d\d<", text)  # one date style
    assert "Response rate" not in text  # no enquiries yet


def test_storefront_search_searches_only_that_suppliers_products(client, categories, traded):
    other = factories.supplier()  # listed through the service, as the other supplier
    services.create_product(
        db.session.get(User, other.id), ProductIn.model_validate({**PIPE, "name": "SS 316 Pipe"})
    )
    commit()
    everywhere = client.get("/search?q=pipe").get_data(as_text=True)
    assert "2 products" in everywhere
    store = client.get(f"/suppliers/{traded['supplier']['id']}?q=pipe", follow_redirects=True)
    text = store.get_data(as_text=True)
    assert "1 result for “pipe” from" in text and "SS 316 Pipe" not in text
    assert 'placeholder="Search Rao Steel Traders' in text


def test_a_place_in_the_query_filters_and_widens_when_nothing_is_there(api, client, traded):
    # The supplier is in Pune, Maharashtra.
    found = api.get("/search?q=ss+pipe+pune").get_json()
    assert found["total"] == 1 and found["place"] == "Pune, Maharashtra"
    assert found["place_widened_from"] is None
    # Nothing in Mumbai: the rest of Maharashtra. Nothing in Punjab at all: everywhere.
    nearby = api.get("/search?q=ss+pipe+mumbai").get_json()
    assert (nearby["total"], nearby["place"], nearby["place_widened_from"]) == (
        1,
        "Maharashtra",
        "Mumbai, Maharashtra",
    )
    anywhere = api.get("/search?q=ss+pipe+in+jalandhar").get_json()
    assert (anywhere["total"], anywhere["place"], anywhere["place_widened_from"]) == (
        1,
        None,
        "Jalandhar, Punjab",
    )
    assert api.get("/search?q=gloves+jalandhar").get_json()["total"] == 0  # wider finds none
    widened = client.get("/search?q=ss+pipe+in+jalandhar").get_data(as_text=True)
    assert "No match from suppliers in <strong>Jalandhar, Punjab</strong>" in widened
    assert "all of India" in widened
    assert api.get("/search?q=ss+pipe+maharashtra").get_json()["place"] == "Maharashtra"
    assert api.get("/search?q=ss+pipe+pune&exact=true").get_json()["place"] is None
    page = client.get("/search?q=ss+pipe+pune").get_data(as_text=True)
    assert "Suppliers in <strong>Pune, Maharashtra</strong>" in page


@pytest.mark.parametrize(
    "typed, left, place",
    [
        ("gi pipe jalandhar", "gi pipe", ("Jalandhar", "Punjab")),
        ("S.S. 304 pipe in Jalandhar", "S.S. 304 pipe", ("Jalandhar", "Punjab")),
        ("स्टील पाइप Delhi", "स्टील पाइप", (None, "Delhi")),  # vowel signs kept
        ('"gi pipe" near ludhiana', '"gi pipe"', ("Ludhiana", "Punjab")),
        ("İstanbul pipe pune", "İstanbul pipe", ("Pune", "Maharashtra")),
        ("ss pipe", "ss pipe", (None, None)),
    ],
)
def test_only_the_place_is_taken_out_of_the_words(typed, left, place):
    from marketplace.catalog.queries import place_in

    assert place_in(typed) == (left, *place)


def test_a_corrected_typo_is_shown_with_a_link_to_the_words_as_typed(api, client, traded):
    found = api.get("/search?q=stainles+pipe").get_json()
    assert found["corrected"] == "stainless pipe"
    page = client.get("/search?q=stainles+pipe").get_data(as_text=True)
    assert "Showing results for <strong><em>stainless pipe</em></strong>" in page
    assert "exact=true" in page


def test_hindi_trade_words_find_english_listings(api, traded):
    assert api.get("/search?q=naal").get_json()["total"] == 1  # pipe


def test_price_bands_show_rupees(client, traded):
    page = client.get("/search?q=pipe").get_data(as_text=True)
    assert "₹200 \u2013 ₹500" in page


def test_the_new_product_form_has_trade_details_a_category_finder_and_photos(
    client, supplier, categories
):
    sign_in_page(client, supplier)
    page = client.get("/dashboard/products/new").get_data(as_text=True)
    for label in ("HSN code", "GST rate", "Quantity price slabs", "Narrow the list", "Photos"):
        assert label in page
    assert 'enctype="multipart/form-data"' in page
    token = csrf_token(page)
    response = client.post(
        "/dashboard/products/new",
        data={
            "csrf_token": token,
            "name": "MS ERW Pipe",
            "category": "gi-pipes",
            "price": "62",
            "unit": "kg",
            "moq": "100",
            "gst_rate": "18",
            "hsn_code": "7306",
            "price_slabs": "100: 62\n1,000+: 58",
            "status": "active",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    bad = client.post(
        "/dashboard/products/new",
        data={
            **{
                "csrf_token": token,
                "name": "MS ERW Pipe",
                "category": "gi-pipes",
                "price": "62",
                "unit": "kg",
                "status": "active",
            },
            "hsn_code": "12345",
        },
    )
    assert bad.status_code == 422 and "HSN code has 4, 6 or 8 digits" in bad.get_data(as_text=True)
