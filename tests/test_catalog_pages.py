"""Catalogue pages through the test client: search, product, storefront, the dashboard."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from tests import factories
from tests.conftest import csrf_token, sign_in_page
from tests.test_catalog import PIPE


@pytest.fixture()
def listed(supplier_api, categories) -> int:
    return supplier_api.post("/products", PIPE).get_json()["id"]


def test_search_page_shows_results_facets_and_highlights(client, listed):
    page = client.get("/search?q=seamless+pipe").get_data(as_text=True)
    assert "1 product" in page
    assert "<b>Seamless</b>" in page and "<b>Pipe</b>" in page
    assert "Stainless Steel Pipes" in page  # the category facet, labelled
    assert 'href="/search?q=seamless+pipe&amp;state=Maharashtra"' in page


def test_search_page_keeps_other_filters_when_adding_one(client, listed):
    page = client.get("/search?q=pipe&verified=true").get_data(as_text=True)
    assert "0 products" in page
    assert "Search again without filters" in page  # the helpful empty page


def test_no_results_page_is_helpful(client, categories):
    response = client.get("/search?q=unobtainium")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No products found for “unobtainium”" in page
    assert "browse all categories" in page


def test_bad_search_parameters_explain_themselves(client, categories):
    response = client.get("/search?q=pipe&price_min=lots")
    assert response.status_code == 422
    assert "price_min" in response.get_data(as_text=True)


def test_relaxed_results_say_so(client, listed):
    page = client.get("/search?q=seamless+pipe+99+mm").get_data(as_text=True)
    assert "No product matched every word" in page


def test_product_page_redirects_to_its_canonical_address(client, listed):
    moved = client.get(f"/products/{listed}")
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"/products/{listed}/ss-304-seamless-pipe"
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert "₹325.50" in page and "Grade" in page and "Rao Steel Traders" in page
    assert "Mill test certificate" in page


def test_storefront_lists_the_suppliers_products(client, listed, supplier):
    product = db.session.get(Product, listed)
    response = client.get(f"/suppliers/{product.supplier_id}", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "SS 304 Seamless Pipe" in page and supplier.gstin in page


def test_unlisted_things_are_404(client, categories):
    assert client.get("/products/999999").status_code == 404
    assert client.get("/suppliers/999999").status_code == 404
    assert client.get("/media/products/nothing.webp").status_code == 404


def test_supplier_lists_a_product_through_the_dashboard(app, supplier, categories):
    client = app.test_client()
    sign_in_page(client, supplier)
    page = client.get("/dashboard/products/new").get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(page),
        "name": "Brass Hex Rod",
        "category": "brass-rods",
        "price": "0",
        "unit": "kg",
        "moq": "50",
        "status": "active",
        "description": "",
        "specifications": "Grade: CW614N\nno colon here",
    }
    refused = client.post("/dashboard/products/new", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Must be more than zero." in text
    assert "No colon here: a value has 1 to 200 characters." in text
    form.update(price="512.00", specifications="Grade: CW614N\nDiameter: 12 mm")
    created = client.post("/dashboard/products/new", data=form)
    assert created.status_code == 302
    found = client.get("/search?q=brass+rod").get_data(as_text=True)
    assert "Brass Hex Rod" in found
    edit = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "Diameter: 12 mm" in edit


def test_dashboard_photo_upload_and_delete(app, supplier, listed):
    client = app.test_client()
    sign_in_page(client, supplier)
    page = client.get(f"/dashboard/products/{listed}").get_data(as_text=True)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(buffer, "PNG")
    added = client.post(
        f"/dashboard/products/{listed}/images",
        data={"csrf_token": csrf_token(page), "image": (io.BytesIO(buffer.getvalue()), "rod.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Photo added." in added.get_data(as_text=True)
    bad = client.post(
        f"/dashboard/products/{listed}/images",
        data={"csrf_token": csrf_token(page), "image": (io.BytesIO(b"not an image"), "x.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Photo not added: must be a JPEG, PNG or WebP image." in bad.get_data(as_text=True)
    edit = client.get(f"/dashboard/products/{listed}").get_data(as_text=True)
    action = re.search(r'action="(/dashboard/products/\d+/images/\d+/delete)"', edit).group(1)
    removed = client.post(action, data={"csrf_token": csrf_token(edit)}, follow_redirects=True)
    assert "Photo removed." in removed.get_data(as_text=True)


def test_dashboard_belongs_to_suppliers(app, ctx, categories):
    buyer = factories.buyer()
    client = app.test_client()
    sign_in_page(client, buyer)
    assert client.get("/dashboard/products").status_code == 403
    assert client.get("/dashboard/products/new").status_code == 403


def test_another_suppliers_product_cannot_be_edited(app, ctx, listed):
    rival = factories.supplier()
    client = app.test_client()
    sign_in_page(client, rival)
    assert client.get(f"/dashboard/products/{listed}").status_code == 404


def test_admin_hides_from_the_product_page(app, ctx, listed):
    admin = factories.staff("admin")
    client = app.test_client()
    token = sign_in_page(client, admin)
    page = client.get(f"/products/{listed}/ss-304-seamless-pipe").get_data(as_text=True)
    assert "Hide listing" in page
    client.post(
        f"/products/{listed}/visibility",
        data={"csrf_token": csrf_token(page), "hidden": "true", "reason": "Spam"},
        follow_redirects=True,
    )
    assert client.get(f"/products/{listed}/ss-304-seamless-pipe").status_code == 200  # short reason
    client.post(
        f"/products/{listed}/visibility",
        data={"csrf_token": token, "hidden": "true", "reason": "Duplicate listing"},
    )
    assert client.get(f"/products/{listed}/ss-304-seamless-pipe").status_code == 404


def test_delete_from_the_dashboard(app, supplier, listed):
    client = app.test_client()
    token = sign_in_page(client, supplier)
    client.post(f"/dashboard/products/{listed}/delete", data={"csrf_token": token})
    assert client.get(f"/products/{listed}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Product)) == 1  # kept, as deleted


def test_home_page_shows_industries_and_new_listings(client, listed):
    page = client.get("/").get_data(as_text=True)
    assert "Browse by industry" in page and "Metals and Alloys" in page
    assert "SS 304 Seamless Pipe" in page


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999"])
def test_a_page_that_is_not_a_page_number_shows_page_one(client, listed, page):
    product = db.session.get(Product, listed)
    response = client.get(f"/suppliers/{product.supplier_id}/x?page={page}", follow_redirects=True)
    assert response.status_code == 200
    assert "SS 304 Seamless Pipe" in response.get_data(as_text=True)


def test_hiding_without_a_reason_says_why_on_the_page(app, ctx, listed):
    admin = factories.staff("admin")
    client = app.test_client()
    sign_in_page(client, admin)
    page = client.get(f"/products/{listed}/ss-304-seamless-pipe").get_data(as_text=True)
    refused = client.post(
        f"/products/{listed}/visibility",
        data={"csrf_token": csrf_token(page), "hidden": "true", "reason": ""},
        follow_redirects=True,
    )
    assert "The listing was not hidden. Reason: this field is required." in refused.get_data(
        as_text=True
    )
