"""The API under generated input: every operation of the served OpenAPI document, valid and
invalid requests alike, must never answer with a 5xx, nor with a status, a media type or a body
the document does not give for it.

Bounded and derandomized (the same examples every run) so it stays quick and a failure is
reproducible. Whether invalid input is refused is left to the contract tests: schemathesis
counts an unknown query parameter as invalid, which the API ignores by design.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from marketplace.extensions import limiter
from tests import factories
from tests.conftest import HTTP_METHODS, Api, served_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12  # per operation and mode (about 75 operations): some 1,800 requests a database

# Operations only an admin (or officer) may call: fuzzed as an admin, so that their input is
# read rather than refused at the door. Everything else is fuzzed as a supplier.
AS_ADMIN = {"/audit-events", "/products/{product_id}/visibility"}


@pytest.fixture()
def api_schema(app: Flask) -> Iterator[Any]:
    # Registration allows 3 a minute: limits would answer most examples before they are read.
    limiter.enabled = False
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    finally:
        limiter.enabled = True


@pytest.fixture()
def tokens(app: Flask) -> dict[str, str]:
    # Made in an app context of their own: the fuzzed requests must each get a fresh one, as in
    # production, and Flask would reuse an active one.
    with app.app_context():
        supplier, admin = factories.supplier(), factories.staff("admin")
    api = Api(app.test_client())
    return {"supplier": api.sign_in(supplier.email).token, "admin": api.sign_in(admin.email).token}


# schemathesis.pytest.from_fixture does not run on pytest 9 (it reads Function._nodeid, which is
# gone), so each operation is its own test, and hypothesis is driven directly.
# Negative examples (invalid by the document) only where there is input to make invalid.
# Paths outside /api/v1 (the IndiaMART pull, the health probes) name their own server, which
# schemathesis does not follow: their bad input is tested in their own modules.
OPERATIONS = [
    (method.upper(), path, mode)
    for path, operations in served_document()["paths"].items()
    if "servers" not in operations
    for method, operation in operations.items()
    if method in HTTP_METHODS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or operation.get("parameters") or "requestBody" in operation
]


@pytest.mark.parametrize(
    "method, path, mode", OPERATIONS, ids=[f"{m} {p} {mode.value}" for m, p, mode in OPERATIONS]
)
def test_no_generated_request_is_a_server_error(
    api_schema: Any, tokens: dict[str, str], method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    role = "admin" if path in AS_ADMIN else "supplier"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        if "authorization" in {key.lower() for key in case.headers or {}}:
            headers = {}  # a generated Authorization header is itself the input under test
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
