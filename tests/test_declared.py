"""The declared API's building blocks: the portal's field types, pydantic's refusals in the
portal's words, answers shaped by their declared type, and the document written from them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Blueprint, Flask
from flask_babel import Babel
from pydantic import BaseModel
from typing_extensions import TypedDict

from marketplace.accounts.fields import Gstin, IndianMobile, IndianState
from marketplace.error_handlers import register_error_handlers
from marketplace.errors import ValidationFailed
from marketplace.fields import (
    REQUIRED,
    Choice,
    Flag,
    IstTimestamp,
    Money,
    Page,
    PageQuery,
    RecordId,
    Rupees,
    Text,
    Timestamp,
    WholeNumber,
)
from marketplace.openapi import Access, Reply, document, operation
from marketplace.validation import MAX_ID, validated


class Order(BaseModel):
    item: RecordId
    quantity: WholeNumber(minimum=1, maximum=500)
    note: Text(max_length=20, required=False) = None
    price: Money(above_zero=True)
    urgent: Flag = False
    size: Choice(("small", "large"), required=False) = None


def refusals(data: object, model: type[BaseModel] = Order) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        validated(model, data)
    return refused.value.errors


def test_the_types_read_input_as_the_portal_always_has():
    order = validated(
        Order, {"item": "12", "quantity": 3, "note": "  two   words ", "price": "1,250.5"}
    )
    assert (order.item, order.quantity, order.note) == (12, 3, "two words")
    assert order.price == Decimal("1250.50") and order.urgent is False and order.size is None
    assert validated(Order, {**order.model_dump(), "urgent": "on"}).urgent is True


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"item": MAX_ID + 1}, "item", f"between 1 and {MAX_ID}"),
        ({"item": "١٢"}, "item", "must be a whole number"),
        ({"item": True}, "item", "must be a whole number"),
        ({"item": 1.0}, "item", "must be a whole number"),
        ({"quantity": ""}, "quantity", REQUIRED),
        ({"note": "x\u202e"}, "note", "text-direction"),
        ({"note": "a\x00b"}, "note", "control characters"),
        ({"note": "x" * 21}, "note", "at most 20 characters"),
        ({"note": 5}, "note", "must be a string"),
        ({"price": "0"}, "price", "more than zero"),
        ({"price": "1.234"}, "price", "two decimal places"),
        ({"price": "NaN"}, "price", "zero or more"),
        ({"price": [1]}, "price", "amount in rupees"),
        ({"urgent": "maybe"}, "urgent", "true or false"),
        ({"size": "huge"}, "size", "must be one of: small, large"),
    ],
)
def test_each_refusal_names_its_field_in_the_portals_words(change, field, message):
    good = {"item": 1, "quantity": 1, "price": "10"}
    errors = refusals({**good, **change})
    assert list(errors) == [field] and message in errors[field][0]


def test_every_bad_field_is_named_at_once_and_a_body_must_be_an_object():
    assert set(refusals({"item": 0, "note": "\x07"})) == {"item", "quantity", "note", "price"}
    assert refusals(["not", "an", "object"]) == {"body": ["must be a JSON object"]}


def test_nested_fields_are_named_with_dots_and_indian_identifiers_are_checked():
    class Address(BaseModel):
        state: IndianState()

    class Supplier(BaseModel):
        gstin: Gstin()
        phone: IndianMobile()
        addresses: list[Address]

    errors = refusals(
        {"gstin": "27AAPFU0939F1ZX", "phone": "12345", "addresses": [{"state": "Atlantis"}]},
        Supplier,
    )
    assert "check character" in errors["gstin"][0]
    assert "10-digit Indian mobile" in errors["phone"][0]
    assert errors["addresses.0.state"] == ["not an Indian state or union territory"]
    read = validated(
        Supplier,
        {"gstin": "27aapfu0939f1zv", "phone": "09876543210", "addresses": [{"state": "27"}]},
    )
    assert read.gstin == "27AAPFU0939F1ZV" and read.phone == "+919876543210"
    assert read.addresses[0].state.name == "Maharashtra"


def test_pages_are_bounded():
    assert validated(PageQuery, {}).per_page == 20
    assert refusals({"per_page": "101"}, PageQuery) == {
        "per_page": ["must be a whole number from 1 to 100"]
    }


class Answer(TypedDict):
    id: int
    at: Timestamp
    local: IstTimestamp
    total: Rupees


def _app() -> Flask:
    app = Flask(__name__)
    app.testing = True
    Babel(app)  # as in every app of the portal, messages are read through Babel (English here)
    register_error_handlers(app)
    bp = Blueprint("api", __name__, url_prefix="/api/v1")

    def signed_in(view):  # what @authenticated marks for the document
        view.access = Access(roles=("supplier",), scope="leads:read")
        return view

    @bp.post("/things/<int:thing_id>")
    @signed_in
    @operation("Change a thing", tag="things", body=Order, responses={200: Answer}, problems=(404,))
    def change(thing_id: int, body: Order):
        moment = datetime(2026, 12, 6, 4, 45, 30, 123, tzinfo=UTC)
        return {"id": thing_id, "at": moment, "local": moment, "total": body.price, "secret": 1}

    @bp.get("/pages/answers")
    @operation("Answers", tag="things", responses={200: Page[Answer]})
    def answers():
        return {"items": [], "total": 0, "page": 1, "per_page": 20}

    @bp.get("/pages/orders")
    @operation("Orders", tag="things", responses={200: Page[Order]})
    def orders():
        return {"items": [], "total": 0, "page": 1, "per_page": 20}

    @bp.get("/plain")
    @operation("Nothing to say", tag="things", responses={204: Reply(None, "Nothing")})
    def plain():
        return None, 204

    app.register_blueprint(bp)
    return app


def test_an_answer_is_shaped_by_its_declared_type():
    client = _app().test_client()
    body = {"item": 1, "quantity": 2, "price": "99.5"}
    answer = client.post("/api/v1/things/7", json=body)
    assert answer.status_code == 200
    assert answer.get_json() == {
        "id": 7,
        "at": "2026-12-06T04:45:30Z",
        "local": "2026-12-06T10:15:30+05:30",
        "total": "99.50",  # never a float; and "secret", which Answer does not name, stays home
    }
    refused = client.post("/api/v1/things/7", json={**body, "quantity": 0})
    assert refused.status_code == 422 and "quantity" in refused.get_json()["errors"]
    assert (
        client.post("/api/v1/things/7", data="{", content_type="application/json").status_code
        == 400
    )
    assert client.get("/api/v1/plain").status_code == 204


def test_the_document_comes_from_the_declarations():
    app = _app()
    served = document(app, {"title": "t", "version": "1"})
    operation_ = served["paths"]["/things/{thing_id}"]["post"]
    assert operation_["parameters"][0]["schema"]["maximum"] == MAX_ID
    assert operation_["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Order"
    }
    assert set(operation_["responses"]) == {"200", "400", "401", "403", "404", "422", "429", "503"}
    assert "leads:read" in operation_["description"] and operation_["security"] == [{"bearer": []}]
    order = served["components"]["schemas"]["Order"]
    assert set(order["required"]) == {"item", "quantity", "price"}
    assert order["properties"]["size"]["type"] == ["string", "null"]
    answer = served["components"]["schemas"]["Answer"]["properties"]
    assert (answer["at"]["type"], answer["at"]["format"]) == ("string", "date-time")
    assert served["paths"]["/plain"]["get"]["security"] == []
    pages = {name for name in served["components"]["schemas"] if name.startswith("Page")}
    assert pages == {"PageOfAnswer", "PageOfOrder"}  # each page named for what it holds
