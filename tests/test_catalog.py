"""Products through the API, kept in step with search; ownership; images; outages."""

from __future__ import annotations

import contextlib
import io
import re
import threading

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.identity import check_gstin, check_pincode_in_state
from marketplace.accounts.india import find_state
from marketplace.accounts.models import SupplierProfile, User
from marketplace.audit import AuditEvent
from marketplace.catalog import indexing
from marketplace.catalog.models import Product, SearchOutbox
from marketplace.crypto import blind_index
from marketplace.db import commit
from marketplace.demo import DEMO_DOMAIN, DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.formatting import mask_pan
from search import SearchUnavailable
from tests import factories
from tests.conftest import Api

PIPE = {
    "name": "SS 304 Seamless Pipe",
    "category": "stainless-steel-pipes",
    "description": "Seamless pipe for dairy plants.\nMill test certificate with every lot.",
    "price": "325.50",
    "unit": "kg",
    "moq": 100,
    "specifications": {"Grade": "304", "Size": "2 inch"},
}


def _search(api, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = api.get(f"/search?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_categories_tree(api, categories):
    tree = api.get("/categories").get_json()
    assert len(tree) >= 12
    leaves = [leaf for root in tree for leaf in root["children"]]
    assert len(leaves) >= 150
    metals = next(root for root in tree if root["slug"] == "metals-and-alloys")
    assert {
        "slug": "stainless-steel-pipes",
        "name": "Stainless Steel Pipes",
        "children": [],
    } in metals["children"]


def test_a_new_product_is_found_in_search_at_once(supplier_api, categories):
    created = supplier_api.post("/products", PIPE)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["price"] == "325.50" and body["status"] == "active"
    assert body["specifications"] == {"Grade": "304", "Size": "2 inch"}
    found = _search(supplier_api, q="seamles+pipe")  # with a typo
    assert [item["id"] for item in found["items"]] == [body["id"]]
    item = found["items"][0]
    assert item["supplier"]["company_name"].startswith("Rao Steel Traders")
    assert item["supplier"]["state"] == "Maharashtra" and item["supplier"]["gst_verified"] is False
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 0


def test_public_product_page_data(api, supplier_api, categories):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    public = api.get(f"/products/{product_id}").get_json()
    assert public["name"] == PIPE["name"] and "status" not in public
    assert public["url"] == f"/products/{product_id}/ss-304-seamless-pipe"


def test_updates_and_pauses_reach_search(supplier_api, categories):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    changed = supplier_api.patch(
        f"/products/{product_id}", {"name": "SS 316L Seamless Tube", "price": "410"}
    )
    assert changed.status_code == 200
    assert changed.get_json()["version"] == 2 and changed.get_json()["price"] == "410.00"
    found = _search(supplier_api, q="tube")
    assert found["total"] == 1 and found["items"][0]["price"] == "410.00"
    supplier_api.patch(f"/products/{product_id}", {"status": "paused"})
    assert _search(supplier_api, q="tube")["total"] == 0
    assert supplier_api.get(f"/products/{product_id}").status_code == 404
    supplier_api.patch(f"/products/{product_id}", {"status": "active"})
    assert _search(supplier_api, q="tube")["total"] == 1


def test_delete_takes_the_product_out_of_search(supplier_api, categories):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    assert supplier_api.delete(f"/products/{product_id}").status_code == 204
    assert _search(supplier_api, q="seamless")["total"] == 0
    assert supplier_api.get(f"/products/{product_id}").status_code == 404
    assert supplier_api.patch(f"/products/{product_id}", {"price": "1"}).status_code == 404


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"name": "ab"}, "name", "at least 3"),
        ({"category": "unicorns"}, "category", "unknown category"),
        ({"category": "metals-and-alloys"}, "category", "is an industry"),
        ({"price": "0"}, "price", "more than zero"),
        ({"price": "12.345"}, "price", "two decimal places"),
        ({"price": "abc"}, "price", "amount in rupees"),
        ({"price": -5}, "price", "zero or more"),
        ({"price": "1e400"}, "price", "at most"),
        ({"unit": "bucket"}, "unit", "must be a unit such as"),
        ({"moq": 0}, "moq", "between 1 and"),
        ({"moq": "many"}, "moq", "whole number"),
        ({"specifications": "Grade 304"}, "specifications", "object of names"),
        ({"specifications": {"Grade": ""}}, "specifications.Grade", "1 to 200"),
        ({"specifications": {"x" * 61: "1"}}, "specifications." + "x" * 61, "1 to 60"),
        ({"specifications": [{"name": ["a"], "value": "x"}]}, "specifications", "must be text"),
        ({"specifications": [{"name": {"a": 1}, "value": "x"}]}, "specifications", "must be text"),
        (
            {
                "specifications": [
                    {"name": "Grade", "value": "304"},
                    {"name": "Grade", "value": "316"},
                ]
            },
            "specifications",
            "each name once",
        ),
        (
            {"specifications": [{"name": "Grade", "value": str(n)} for n in range(31)]},
            "specifications",
            "at most 30",
        ),
        ({"specifications": {str(n): "v" for n in range(31)}}, "specifications", "at most 30"),
        ({"description": "x" * 5001}, "description", "at most 5000"),
        ({"owner": 3}, "owner", "cannot be set"),
    ],
)
def test_product_validation_names_the_field(supplier_api, categories, change, field, message):
    response = supplier_api.post("/products", {**PIPE, **change})
    assert response.status_code == 422, response.get_json()
    assert message in " ".join(response.get_json()["errors"][field])
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_a_refused_change_keeps_what_was_stored(supplier_api, categories):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    refused = supplier_api.patch(f"/products/{product_id}", {"name": "Better Pipe", "price": "x"})
    assert refused.status_code == 422
    stored = db.session.get(Product, product_id)
    assert stored.name == PIPE["name"] and stored.version == 1


def test_only_the_owner_changes_a_product(api, supplier_api, categories, ctx):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    rival = api.sign_in(factories.supplier().email)
    assert rival.patch(f"/products/{product_id}", {"price": "1"}).status_code == 404
    assert rival.delete(f"/products/{product_id}").status_code == 404
    buyer = api.sign_in(factories.buyer().email)
    assert buyer.post("/products", PIPE).status_code == 403
    assert api.post("/products", PIPE).status_code == 401
    assert db.session.get(Product, product_id).price == 325.5


def test_my_products_lists_only_mine_including_paused(api, supplier_api, categories, ctx):
    mine = supplier_api.post("/products", PIPE).get_json()["id"]
    supplier_api.patch(f"/products/{mine}", {"status": "paused"})
    api.sign_in(factories.supplier().email).post("/products", PIPE)
    listed = supplier_api.get("/me/products").get_json()
    assert [item["id"] for item in listed["items"]] == [mine]
    assert listed["items"][0]["status"] == "paused"


def test_admin_hides_and_shows_a_listing(api, supplier_api, categories, ctx):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    admin = api.sign_in(factories.staff("admin").email)
    no_reason = admin.post(f"/products/{product_id}/visibility", {"hidden": True})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    hidden = admin.post(
        f"/products/{product_id}/visibility", {"hidden": True, "reason": "Counterfeit brand name"}
    )
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    assert _search(api, q="seamless")["total"] == 0
    assert api.get(f"/products/{product_id}").status_code == 404
    mine = supplier_api.get("/me/products").get_json()["items"][0]
    assert mine["hidden_reason"] == "Counterfeit brand name"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "product.hidden"))
    assert event.details["reason"] == "Counterfeit brand name"
    admin.post(f"/products/{product_id}/visibility", {"hidden": False})
    assert _search(api, q="seamless")["total"] == 1
    assert (
        supplier_api.post(f"/products/{product_id}/visibility", {"hidden": False}).status_code
        == 403
    )


def _image(format_: str = "PNG", size=(640, 480), exif: bool = False) -> bytes:
    picture = Image.new("RGB", size, (200, 80, 40))
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x8825] = {2: (18.0, 31.0, 12.0)}  # GPS latitude: where the photo was taken
        data[0x010F] = "PhoneMaker"
        picture.save(buffer, format_, exif=data)
    else:
        picture.save(buffer, format_)
    return buffer.getvalue()


def _upload(api, product_id, data: bytes, name="photo.png"):
    return api.client.post(
        f"/api/v1/products/{product_id}/images",
        data={"image": (io.BytesIO(data), name)},
        headers={"Authorization": f"Bearer {api.token}"},
        content_type="multipart/form-data",
    )


def test_images_are_checked_reencoded_and_stripped(supplier_api, categories, app):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    added = _upload(supplier_api, product_id, _image("JPEG", (2400, 1800), exif=True), "a.jpg")
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert (body["width"], body["height"]) == (1600, 1200)
    served = supplier_api.client.get(body["url"])
    assert served.status_code == 200 and served.mimetype == "image/webp"
    stored = Image.open(io.BytesIO(served.data))
    assert stored.format == "WEBP" and not stored.getexif()
    item = _search(supplier_api, q="seamless")["items"][0]
    assert item["image"] == body["url"]


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"GIF89a" + b"\x00" * 100, "x.gif", "JPEG, PNG or WebP"),
        (b"<?php echo 1; ?>", "x.png", "JPEG, PNG or WebP"),
        (_image()[:60], "cut.png", "JPEG, PNG or WebP"),
        (b"", "empty.png", "JPEG, PNG or WebP"),
    ],
)
def test_bad_images_are_refused(supplier_api, categories, data, name, message):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    refused = _upload(supplier_api, product_id, data, name)
    assert refused.status_code == 422
    assert message in refused.get_json()["errors"]["image"][0]


def test_image_size_limits(supplier_api, categories, app, monkeypatch):
    from marketplace import images

    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 1000)
    too_big = _upload(supplier_api, product_id, _image(size=(800, 800)))
    assert too_big.status_code == 422 and "5 MB" in too_big.get_json()["errors"]["image"][0]
    missing = supplier_api.client.post(
        f"/api/v1/products/{product_id}/images",
        data={},
        headers={"Authorization": f"Bearer {supplier_api.token}"},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422


def test_a_photo_added_after_a_removal_comes_last(supplier_api, categories):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    added = [_upload(supplier_api, product_id, _image()).get_json() for _ in range(3)]
    for image in added[:2]:
        removed = supplier_api.delete(f"/products/{product_id}/images/{image['id']}")
        assert removed.status_code == 204
    added.append(_upload(supplier_api, product_id, _image()).get_json())
    product = supplier_api.get(f"/products/{product_id}").get_json()
    assert product["images"] == [image["url"] for image in added[2:]]


def test_images_of_another_suppliers_product_are_refused(api, supplier_api, categories, ctx):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    rival = api.sign_in(factories.supplier().email)
    assert _upload(rival, product_id, _image()).status_code == 404


@pytest.mark.parametrize(
    "query, field",
    [
        ("category=unicorns", "category"),
        ("state=Atlantis", "state"),
        ("price_min=abc", "price_min"),
        ("price_min=500&price_max=100", "price_max"),
        ("sort=cheapest", "sort"),
        ("page=0", "page"),
        ("per_page=101", "per_page"),
        ("page=600&per_page=20", "page"),
        ("verified=perhaps", "verified"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_search_parameters_are_422(api, categories, query, field):
    response = api.get(f"/search?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_search_filters_through_the_api(api, ctx, categories):
    gujarat = factories.supplier(
        gstin=factories.make_gstin("24"),
        address={
            "line1": "Plot 7, GIDC Vatva",
            "city": "Ahmedabad",
            "state": "Gujarat",
            "pincode": "382445",
        },
    )
    maharashtra = factories.supplier()
    api.sign_in(gujarat.email).post("/products", {**PIPE, "price": "200"})
    api.sign_in(maharashtra.email).post("/products", {**PIPE, "price": "400"})
    assert _search(api, q="pipe", state="GJ")["total"] == 1
    assert _search(api, q="pipe", city="ahmedabad")["items"][0]["price"] == "200.00"
    assert _search(api, q="pipe", price_min="300")["total"] == 1
    cheapest = _search(api, q="pipe", sort="price_asc")["items"]
    assert [item["price"] for item in cheapest] == ["200.00", "400.00"]
    facets = _search(api, q="pipe")["facets"]
    assert {f["value"] for f in facets["state"]} == {"Gujarat", "Maharashtra"}
    assert facets["category"] == [
        {"value": "stainless-steel-pipes", "label": "Stainless Steel Pipes", "count": 2}
    ]
    assert _search(api, q="pipe", category="metals-and-alloys")["total"] == 2


def test_gst_verification_reaches_search(api, supplier, supplier_api, categories, app):
    supplier_api.post("/products", PIPE)
    assert _search(api, q="pipe", verified="true")["total"] == 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "set-gst-verification", supplier.gstin, "verified"])
    assert result.exit_code == 0, result.output
    found = _search(api, q="pipe", verified="true")
    assert found["total"] == 1 and found["items"][0]["supplier"]["gst_verified"] is True


def test_supplier_rename_reaches_search(api, supplier_api, categories):
    supplier_api.post("/products", PIPE)
    supplier_api.patch("/me", {"company_name": "Rao Tubes and Pipes"})
    assert _search(api, q="pipe")["items"][0]["supplier"]["company_name"] == "Rao Tubes and Pipes"


def test_suggest(api, supplier_api, categories):
    supplier_api.post("/products", PIPE)
    assert "ss 304 seamless pipe" in api.get("/search/suggest?q=ss").get_json()["suggestions"]
    assert "seamless pipe" in api.get("/search/suggest?q=Seam").get_json()["suggestions"]
    assert api.get("/search/suggest?q=" + "x" * 101).status_code == 422


class _Outage:
    name = "down"

    def __getattr__(self, item):
        def fail(*args, **kwargs):
            raise SearchUnavailable("connection refused")

        return fail


def test_a_search_outage_never_loses_a_write(app, supplier_api, categories, client):
    working = app.extensions.get("search")
    app.extensions["search"] = _Outage()
    try:
        created = supplier_api.post("/products", PIPE)
        assert created.status_code == 201  # the write is kept
        assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 1
        api_down = supplier_api.get("/search?q=pipe")
        assert api_down.status_code == 503 and api_down.headers["Retry-After"] == "30"
        page_down = client.get("/search?q=pipe")
        assert page_down.status_code == 503
        assert "Search is unavailable" in page_down.get_data(as_text=True)
        health = client.get("/healthz").get_json()
        assert health["status"] == "degraded" and health["search"] == "unavailable"
    finally:
        app.extensions["search"] = working
    # Back up: the outbox catches up and nothing was lost.
    assert indexing.drain_outbox() == 1
    commit()
    assert _search(supplier_api, q="seamless")["total"] == 1


def test_reindex_rebuilds_from_the_database(app, supplier_api, categories):
    supplier_api.post("/products", PIPE)
    app.extensions["search"].clear()
    assert _search(supplier_api, q="pipe")["total"] == 0
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 1 products" in result.output
    assert _search(supplier_api, q="pipe")["total"] == 1
    status = app.test_cli_runner().invoke(args=["search", "status"])
    assert "documents indexed:  1" in status.output and "outbox waiting:     0" in status.output


def test_demo_seed(app, ctx, api):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--products", "120", "--buyers", "2"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Product)) == 120
    from marketplace.search_backend import backend

    assert backend().count() == 120
    again = runner.invoke(args=["demo", "seed", "--products", "10", "--if-empty"])
    assert "no demo data added" in again.output
    for profile in db.session.scalars(select(SupplierProfile)):
        state = find_state(profile.state)
        assert check_gstin(profile.gstin) == profile.gstin
        assert profile.gstin[:2] in state.gst_codes
        check_pincode_in_state(profile.pincode, state)
        # the columns encrypt: a value encrypted before insert would read back as ciphertext
        assert profile.pan == profile.gstin[2:12]
        assert re.fullmatch(r"\+91[6-9][0-9]{9}", profile.user.phone or "")
        assert profile.user.phone_digest == blind_index(profile.user.phone)
    me = api.sign_in(f"supplier1@{DEMO_DOMAIN}", DEMO_PASSWORD).get("/me").get_json()
    seeded = db.session.scalar(select(User).where(User.email == f"supplier1@{DEMO_DOMAIN}"))
    assert me["phone"] == seeded.phone and me["phone"].startswith("+919")
    assert me["supplier"]["pan"] == mask_pan(me["supplier"]["gstin"][2:12])


def test_rebuild_reader_passes_rows_through_and_raises_its_errors():
    from marketplace.catalog.indexing import _read_ahead

    class Result:
        def __init__(self, batches):
            self.batches = list(batches)

        def fetchmany(self, size):
            batch = self.batches.pop(0)
            if isinstance(batch, Exception):
                raise batch
            return batch

    assert list(_read_ahead(Result([[1, 2], [3], []]))) == [1, 2, 3]
    rows = _read_ahead(Result([[1], OSError("disk gone")]))
    assert next(rows) == 1
    with pytest.raises(OSError, match="disk gone"):
        list(rows)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"hidden": "perhaps", "reason": "Counterfeit"}, "hidden"),
        ({"reason": "Counterfeit brand"}, "hidden"),
        ({"hidden": None, "reason": "Counterfeit brand"}, "hidden"),  # null is not "show it"
        ({"hidden": True, "reason": "no"}, "reason"),
        ([True], "body"),
    ],
)
def test_visibility_refusals_name_the_field(api, supplier_api, categories, ctx, body, field):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    admin = api.sign_in(factories.staff("admin").email)
    response = admin.post(f"/products/{product_id}/visibility", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert api.get(f"/products/{product_id}").status_code == 200  # still listed


def test_storefront_search_of_an_unknown_supplier_is_404(api, categories):
    assert api.get("/suppliers/999999/products").status_code == 404


def test_my_products_is_for_suppliers(buyer_api, categories):
    assert buyer_api.get("/me/products").status_code == 403


def test_a_body_over_the_upload_limit_is_a_413_problem(supplier_api, categories, app, monkeypatch):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = _upload(supplier_api, product_id, _image(size=(600, 600)))
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_two_uploads_at_once_never_make_a_ninth_image(
    app, supplier_api, categories, database_url, monkeypatch
):
    if database_url.startswith("sqlite"):
        pytest.skip("row locks are PostgreSQL's; SQLite has a single writer")
    from marketplace.catalog import services

    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    for _ in range(7):
        assert _upload(supplier_api, product_id, _image()).status_code == 201
    # Each upload waits here, after counting, for the other to count too (for at most 2 s):
    # without the product's row lock both would count seven and both would add one.
    both_counted = threading.Barrier(2)
    real = services._store_image

    def store_slowly(product, picture):
        # Broken after 2 s when the other upload waits on the lock, before counting.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_counted.wait(timeout=2)
        return real(product, picture)

    monkeypatch.setattr(services, "_store_image", store_slowly)
    statuses: list[int] = []

    def upload() -> None:
        own = Api(app.test_client(), supplier_api.token)  # a client per thread
        statuses.append(_upload(own, product_id, _image()).status_code)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 422]
    assert len(supplier_api.get(f"/products/{product_id}").get_json()["images"]) == 8
