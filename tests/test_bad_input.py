"""Every kind of bad input is a clear 4xx on every route that takes it, never a 500.

Each class is fixed where it enters (the id converter, the JSON reader, the page parsers, the
image check), so the tests walk the app's own URL map and OpenAPI document: a route added later
is covered without being listed here (a route that takes a photo is listed in `photo_url`).
"""

from __future__ import annotations

import io
import json
import re
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.models import BusinessPhoto, User
from marketplace.catalog.models import ProductImage
from marketplace.extensions import db
from marketplace.jsonio import MAX_DEPTH
from tests import factories
from tests.conftest import HTTP_METHODS, Api, csrf_token, served_document
from tests.test_catalog import PIPE

TOO_LARGE_IDS = [str(2**31), str(2**63), str(10**20), "9" * 400]


def _int_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(type(conv).__name__ == "IdConverter" for conv in rule._converters.values())
    ]


def _path(rule, ints: dict[str, str] | str) -> str:
    """The rule's URL with each int argument from `ints` (one value for all, or by name)."""

    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            return ints if isinstance(ints, str) else ints[name]
        return "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", value, rule.rule)


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _sign_in(client, person) -> None:
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": person.email, "password": person.password},
    )


# --- ids beyond what the columns hold -------------------------------------------------------


def test_every_id_route_is_walked(app):
    # the walk below would pass vacuously if it found no routes
    paths = {rule.rule for rule in _int_rules(app)}
    assert "/api/v1/products/<int:product_id>" in paths
    assert "/suppliers/<int:supplier_id>/<slug>" in paths
    assert "/dashboard/products/<int:product_id>/images/<int:image_id>/delete" in paths
    assert "/api/v1/me/photos/<int:photo_id>" in paths
    assert "/account/photos/<int:photo_id>/delete" in paths
    assert len(paths) >= 15


@pytest.mark.parametrize("value", TOO_LARGE_IDS)
def test_an_id_no_column_can_hold_is_not_found_on_every_route(app, supplier, value):
    """Signed in (a token for the API, a session for pages), so that no 401 or 403 answers
    before the id would reach the database."""
    token = Api(app.test_client()).sign_in(supplier.email).token
    browser = app.test_client()
    _sign_in(browser, supplier)
    anonymous = app.test_client()
    for rule in _int_rules(app):
        path = _path(rule, value)
        api = rule.rule.startswith("/api/")
        signed_in = (
            (app.test_client(), {"Authorization": f"Bearer {token}"}) if api else (browser, {})
        )
        for method in _methods(rule):
            for client, headers in ((anonymous, {}), signed_in):
                response = client.open(path, method=method, headers=headers)
                assert response.status_code == 404, (method, path, response.status_code)
                kind = "application/problem+json" if api else "text/html"
                assert response.mimetype == kind, (method, path)


@pytest.mark.parametrize("value", [*TOO_LARGE_IDS, "0", "-1", "+7", "١٢", "1_0"])
def test_an_id_in_a_query_or_a_form_that_no_row_can_have_is_refused(
    app, api, supplier, categories, value
):
    """Ids that come in query strings and forms, not paths: the enquiry form's product or
    storefront (404, never an overflow in the driver), the officer's audit filters (422 by
    API; on the page, ignored) and the archive's subject (422)."""
    buyer = factories.buyer()
    browser = app.test_client()
    _sign_in(browser, buyer)
    token = csrf_token(browser.get("/account/").get_data(as_text=True))
    for name in ("product_id", "supplier_id"):
        assert browser.get(f"/enquiries/new?{name}={value}").status_code == 404, name
        sent = browser.post("/enquiries/new", data={"csrf_token": token, name: value})
        assert sent.status_code == 404, name
    # A product that cannot be is not quietly taken for a storefront enquiry.
    supplier_id = db.session.get_one(User, supplier.id).supplier.id
    both = f"/enquiries/new?product_id={value}&supplier_id={supplier_id}"
    assert browser.get(both).status_code == 404
    officer = factories.staff()
    officer_api = api.sign_in(officer.email)
    for path, name in (
        ("/audit-events?actor_id=", "actor_id"),
        ("/privacy/archives?subject=", "subject"),
    ):
        response = officer_api.get(f"{path}{value}")
        assert response.status_code == 422 and name in response.get_json()["errors"], path
    desk = app.test_client()
    _sign_in(desk, officer)
    assert "account.registered" in desk.get(f"/account/audit?actor={value}").get_data(as_text=True)


def test_ids_in_range_still_reach_the_view_and_only_in_ascii_digits(api, supplier_api, categories):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    assert api.get(f"/products/{product_id}").status_code == 200
    missing = api.get(f"/products/{2**31 - 1}")  # the largest id: looked up, and not there
    assert (
        missing.status_code == 404 and missing.get_json()["detail"] == "This product is not listed."
    )
    arabic_indic = str(product_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert api.get(f"/products/{arabic_indic}").status_code == 404  # int() would read it


# --- JSON that Python reads and nothing else should -----------------------------------------

BAD_JSON = {
    "lone surrogate": b'{"name": "\\ud800"}',
    "lone surrogate in a key": b'{"\\udfff": 1}',
    "lone surrogate deep inside": b'{"address": {"lines": ["x", "\\ud83d"]}}',
    "NaN": b'{"price": NaN}',
    "Infinity": b'{"moq": Infinity}',
    "-Infinity": b"[-Infinity]",
    "overflows to infinity": b'{"price": 1e999}',
    "5000 deep": b"[" * 5000 + b"]" * 5000,
    "5000 deep objects": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "just past the limit": b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
}


def _json_operations() -> list[tuple[str, str]]:
    return [
        (path, method.upper())
        for path, operations in served_document()["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


@pytest.fixture()
def tokens(api, supplier, categories) -> dict[str, str]:
    admin = factories.staff("admin")
    return {"supplier": api.sign_in(supplier.email).token, "admin": api.sign_in(admin.email).token}


def test_every_json_operation_is_a_route(app):
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method)
        for rule in app.url_map.iter_rules()
        for method in _methods(rule)
    }
    operations = _json_operations()
    assert len(operations) >= 12
    assert set(operations) <= routes


@pytest.mark.parametrize("kind", list(BAD_JSON))
def test_json_that_is_not_standard_is_a_400_on_every_json_route(client, tokens, kind):
    # The body is read before the object is looked up: an id nothing has is enough.
    ids = {
        "product_id": str(_product_id(client, tokens["supplier"])),
        "key_id": "1",
        "lead_id": "1",
        "webhook_id": "1",
        "verification_id": "none",
        "requirement_id": "1",
        "request_id": "1",
        "purpose": "marketing",
        "grievance_id": "1",
        "breach_id": "1",
        "order_id": "1",
        "invoice_id": "1",
        "member_id": "1",
        "manager_id": "1",
        "review_id": "1",
        "supplier_id": "1",
        "report_id": "1",
    }
    for path, method in _json_operations():
        url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        role = "admin" if path.endswith("/visibility") else "supplier"
        response = client.open(
            url,
            method=method,
            data=BAD_JSON[kind],
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[role]}"},
        )
        assert response.status_code == 400, (method, path, response.get_json())
        assert response.mimetype == "application/problem+json"
        assert "not valid JSON" in response.get_json()["detail"], (method, path)


@pytest.mark.parametrize(
    "body, reason",
    [
        (b'{"price": NaN}', "numbers must be finite"),
        (b'{"name": "\\ud800"}', "lone surrogate"),
        (b"[" * 100 + b"]" * 100, f"nested more than {MAX_DEPTH} levels deep"),
        (b'{"name": ', "Expecting value"),
        (b"null", "it is null"),
    ],
)
def test_a_refused_body_says_why(supplier_api, body, reason):
    response = supplier_api.client.post(
        "/api/v1/products",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {supplier_api.token}"},
    )
    assert response.status_code == 400
    assert reason in response.get_json()["detail"]


def _product_id(client, token: str) -> int:
    created = client.post(
        "/api/v1/products", json=PIPE, headers={"Authorization": f"Bearer {token}"}
    )
    assert created.status_code == 201, created.get_json()
    return int(created.get_json()["id"])


@pytest.mark.parametrize(
    "document, reason",
    [
        ('{"a": NaN}', "numbers must be finite"),
        ("[1e400]", "numbers must be finite"),
        ('"\\ud800"', "lone surrogate"),
        ("[" * 5000 + "]" * 5000, "nested more than"),
    ],
)
def test_the_reader_says_what_is_wrong(app, document, reason):
    with pytest.raises(ValueError, match=reason):  # a ValueError: get_json(silent=True) -> None
        app.json.loads(document)


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    "document, expected",
    [
        ('{"name": "\\ud83d\\ude00 ok"}', {"name": "\U0001f600 ok"}),  # a pair is one character
        ('{"price": 1.5e3, "moq": -0}', {"price": 1500.0, "moq": 0}),
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, _nested(MAX_DEPTH)),
        (json.dumps({"हिंदी": "வணக்கம்"}), {"हिंदी": "வணக்கம்"}),  # escaped as \\u0939...
    ],
)
def test_standard_json_still_reads(app, document, expected):
    assert app.json.loads(document) == expected


# --- page numbers -----------------------------------------------------------------------------

BAD_PAGES = ["²", "١٢", "\uff11", "1_0", "0x1", "9" * 30]


@pytest.mark.parametrize("value", BAD_PAGES)
@pytest.mark.parametrize("name", ["page", "per_page"])
def test_a_page_number_that_is_not_ascii_digits_is_refused_by_every_api_list(
    app, api, supplier, categories, name, value
):
    officer = api.sign_in(factories.staff().email)
    owner = api.sign_in(supplier.email)
    supplier_id = owner.get("/me").get_json()["supplier"]["id"]
    for who, path in (
        (api, "/search?q=pipe&"),
        (api, f"/suppliers/{supplier_id}/products?"),
        (owner, "/me/products?"),
        (officer, "/audit-events?"),
    ):
        response = who.get(f"{path}{name}={value}")
        assert response.status_code == 422, (path, response.status_code)
        assert name in response.get_json()["errors"], path


@pytest.mark.parametrize("value", BAD_PAGES)
def test_a_page_number_that_is_not_ascii_digits_shows_page_one(app, api, categories, value):
    supplier = factories.supplier()
    owner = api.sign_in(supplier.email)
    owner.post("/products", PIPE)
    supplier_id = owner.get("/me").get_json()["supplier"]["id"]
    browser = app.test_client()
    _sign_in(browser, supplier)
    officer = app.test_client()
    _sign_in(officer, factories.staff())
    for client, path, shown in (
        (browser, f"/suppliers/{supplier_id}/x", PIPE["name"]),
        (browser, "/dashboard/products", PIPE["name"]),
        (officer, "/account/audit", "account.registered"),
    ):
        response = client.get(f"{path}?page={value}", follow_redirects=True)
        assert response.status_code == 200, path
        assert shown in response.get_data(as_text=True), path
    search = browser.get(f"/search?q=pipe&page={value}")
    assert search.status_code == 422  # the search form says which field is wrong


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "\u200b\u200b\u200b", "must contain visible characters"),
        ("name", "\u3164\u3164", "must contain visible characters"),  # Hangul fillers: "letters"
        ("name", "\u2800\u2800\u2800", "must contain visible characters"),
        ("name", "\u200d\u200c\u200d", "must contain visible characters"),
        ("name", "Asha \u202eoaR", "text-direction"),
        ("name", "\u2067Asha Rao\u2069", "text-direction"),
        ("company_name", "\u00a0\u2060\u180e\u200b", "must contain visible characters"),
        ("company_name", "Rao Steel \u202esredarT", "text-direction"),
    ],
)
def test_invisible_or_reordering_names_are_refused(api, field, value, message):
    response = api.post("/accounts", factories.registration("supplier", **{field: value}))
    assert response.status_code == 422, response.get_json()
    assert any(message in text for text in response.get_json()["errors"][field])


@pytest.mark.parametrize(
    "name",
    [
        "राजेश कुमार",  # Hindi
        "க்ஷேத்ரா சுப்ரமணியம்",  # Tamil
        "श्\u200dरीनिवास",  # a ZWJ inside Devanagari: asks for a particular conjunct
        "ശ്രീ\u200cകുമാർ",  # a ZWNJ inside Malayalam
        "Zoë O'Brien-Nair",
    ],
)
def test_indic_and_other_real_names_still_register(api, name):
    response = api.post("/accounts", factories.registration(name=name))
    assert response.status_code == 201, response.get_json()


# --- images ---------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, extra_before: bytes = b"", extra_after: bytes = b"") -> bytes:
    """An RGBA PNG of one colour, written row by row so that no test holds its pixels."""
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x10\x20\x30\xff" * width
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + extra_before
        + _chunk(b"IDAT", pixels)
        + extra_after
        + _chunk(b"IEND", b"")
    )


def _upload(client, token: str, url: str, data: bytes):
    return client.post(
        url,
        data={"image": (io.BytesIO(data), "photo.png")},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )


@pytest.fixture()
def product_id(client, supplier_api, categories) -> int:
    return _product_id(client, supplier_api.token)


@pytest.fixture(params=["a product photo", "a business photo"])
def photo_url(request, supplier_api) -> str:
    """Every API route that takes a photo (they share one check: marketplace.images)."""
    if request.param == "a business photo":
        return "/api/v1/me/photos"
    return f"/api/v1/products/{request.getfixturevalue('product_id')}/images"


def test_a_small_file_that_decodes_to_40_megapixels_is_refused_before_decoding(
    client, supplier_api, photo_url
):
    bomb = _png(6320, 6320)  # the finding: about 160 KB, 160 MB of pixels
    assert len(bomb) < 250_000
    response = _upload(client, supplier_api.token, photo_url, bomb)
    assert response.status_code == 422, response.get_json()
    assert "at most 24 megapixels" in response.get_json()["errors"]["image"][0]
    # a header alone is enough to refuse it: a file with no pixel data at all gets the same answer
    header_only = _png(6320, 6320)[:33] + _chunk(b"IEND", b"")
    refused = _upload(client, supplier_api.token, photo_url, header_only)
    assert "at most 24 megapixels" in refused.get_json()["errors"]["image"][0]
    huge = _png(1, 1)[:8] + _chunk(b"IHDR", struct.pack(">IIBBBBB", 10**5, 10**5, 8, 6, 0, 0, 0))
    refused = _upload(client, supplier_api.token, photo_url, huge + _chunk(b"IEND", b""))
    assert refused.status_code == 422  # past Pillow's own bomb limit: still ours, still a 422
    assert "at most 24 megapixels" in refused.get_json()["errors"]["image"][0]
    for stored in (ProductImage, BusinessPhoto):
        assert db.session.scalar(select(func.count()).select_from(stored)) == 0


def _text_bomb(kind: bytes) -> bytes:
    inflated = zlib.compress(b"A" * 8_000_000, 9)  # 8 MB of text in about 8 KB
    if kind == b"zTXt":
        return _chunk(b"zTXt", b"Comment\x00\x00" + inflated)
    return _chunk(b"iTXt", b"Comment\x00\x01\x00\x00\x00" + inflated)


@pytest.mark.parametrize("kind", [b"zTXt", b"iTXt"])
@pytest.mark.parametrize("where", ["before the pixels", "after the pixels"])
def test_a_png_text_chunk_that_inflates_past_the_limit_is_a_422(
    client, supplier_api, photo_url, kind, where
):
    chunk = _text_bomb(kind)
    png = _png(64, 48, chunk) if where == "before the pixels" else _png(64, 48, b"", chunk)
    response = _upload(client, supplier_api.token, photo_url, png)
    assert response.status_code == 422, response.get_json()
    assert "embedded text" in response.get_json()["errors"]["image"][0]


def test_a_large_photo_is_stored_at_the_stored_size(client, supplier_api, product_id):
    picture = Image.new("RGB", (4000, 3000), (200, 80, 40))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    url = f"/api/v1/products/{product_id}/images"
    response = _upload(client, supplier_api.token, url, buffer.getvalue())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["width"], body["height"]) == (1600, 1200)
