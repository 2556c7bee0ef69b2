"""The gaps the fuzzer found between the document and the code: each input the document calls
invalid is a 422 naming the field, and each input it calls valid is taken. (Every response here
is also checked against the document by the Api client.)"""

from __future__ import annotations

import pytest

from tests.conftest import served_document
from tests.test_grievances import COMPLAINT


def _request_body(path: str) -> dict:
    return served_document()["paths"][path]["post"]["requestBody"]


def _schema(path: str) -> dict:
    schema = _request_body(path)["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = served_document()["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
    return schema


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": 5}, "email"),
        ({"email": ["someone@example.in"]}, "email"),
        ({"email": None}, "email"),
        ({}, "email"),
        ([], "body"),
        ("someone@example.in", "body"),
    ],
)
def test_a_password_reset_takes_only_a_string_email(api, body, field):
    response = api.post("/auth/password-reset", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_a_password_reset_answers_alike_for_any_email(api, buyer):
    for email in (buyer.email, "nobody@example.in", "not an address"):
        assert api.post("/auth/password-reset", {"email": email}).status_code == 202
    assert _schema("/auth/password-reset")["required"] == ["email"]


def test_a_complaint_about_no_record_leaves_related_out(buyer_api, api):
    refused = buyer_api.post("/grievances", {**COMPLAINT, "related": None})
    assert refused.status_code == 422, refused.get_json()
    assert "leave it out" in refused.get_json()["errors"]["related"][0]
    guest = {**COMPLAINT, "name": "Ravi Kumar", "email": "ravi@example.in"}
    assert api.post("/grievances", {**guest, "related": None}).status_code == 422
    assert buyer_api.post("/grievances", COMPLAINT).status_code == 201
    assert _schema("/grievances")["properties"]["related"]["type"] == "object"


def test_a_key_from_no_body_is_documented(supplier_api):
    assert _request_body("/api-keys")["required"] is False
    made = supplier_api.post("/api-keys")  # no body at all: the defaults, as the document says
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["scopes"] == ["leads:read"]
    assert supplier_api.post("/api-keys", {"scopes": []}).status_code == 422
    refused = supplier_api.post("/api-keys", [])
    assert refused.status_code == 422 and "body" in refused.get_json()["errors"]


@pytest.mark.parametrize("body", [[], ["x"], "me@example.in", 5, True])
def test_a_non_object_sign_in_is_a_documented_422(api, body):
    response = api.post("/auth/tokens", body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"body": ["must be a JSON object"]}
