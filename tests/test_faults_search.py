"""Fault: the search backend is down. Elasticsearch is configured at a port nothing listens on,
so every call goes through the real client and transport and fails as in an outage.

Writes are still accepted (and held in the search outbox: that they reach search once it is
back is `test_catalog.test_a_search_outage_never_loses_a_write` and, against a real node,
`test_elastic_server.test_an_outage_loses_no_write`). Every search answers a clear 503 with
Retry-After: problem+json on the API, a friendly page on the site; never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.catalog.models import SearchOutbox
from marketplace.extensions import db
from marketplace.leads.models import BuyRequirement
from marketplace.search_backend import Timed, settings_from
from search.backends import open_backend
from tests.conftest import Api, free_port
from tests.test_catalog import PIPE
from tests.test_requirements import REQUIREMENT


@pytest.fixture()
def search_down(app: Flask) -> Iterator[None]:
    settings = settings_from({**app.config, "ELASTICSEARCH_URL": f"http://127.0.0.1:{free_port()}"})
    working = app.extensions.get("search")
    app.extensions["search"] = Timed(open_backend(settings))
    try:
        yield
    finally:
        if working is None:
            app.extensions.pop("search", None)
        else:
            app.extensions["search"] = working


def _outbox_size() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox))


def _assert_api_503(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Search unavailable"
    assert int(response.headers["Retry-After"]) > 0


def _assert_page_503(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "Search is unavailable" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_searches_answer_503_with_retry_after_and_writes_are_kept(
    search_down, supplier_api: Api, supplier, categories, client
):
    created = supplier_api.post("/products", PIPE)
    assert created.status_code == 201, created.get_json()  # the write is accepted
    product_id = created.get_json()["id"]
    edited = supplier_api.patch(f"/products/{product_id}", {"price": "330.00"})
    assert edited.status_code == 200, edited.get_json()
    assert _outbox_size() >= 1  # held for search, to be sent when it returns

    _assert_api_503(supplier_api.get("/search?q=pipe"))
    _assert_api_503(supplier_api.get("/search?category=stainless-steel-pipes"))
    _assert_api_503(supplier_api.get("/search/suggest?q=pi"))
    _assert_api_503(supplier_api.get(f"/suppliers/{supplier.id}/products?q=pipe"))
    _assert_page_503(client.get("/search?q=pipe"))
    _assert_page_503(client.get(f"/suppliers/{supplier.id}?q=pipe", follow_redirects=True))
    product_page = client.get(f"/products/{product_id}", follow_redirects=True)
    assert product_page.status_code == 200  # a product page needs no search
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["search"] == "unavailable"


def test_a_requirement_posted_in_a_search_outage_is_refused_whole_with_503(
    search_down, buyer_api: Api, categories
):
    """Matching a requirement to suppliers needs search, so in an outage the post is refused
    cleanly (the buyer is told to retry) and nothing of it is stored."""
    posted = buyer_api.post("/requirements", REQUIREMENT)
    assert posted.status_code == 503, posted.get_data(as_text=True)
    assert posted.mimetype == "application/problem+json"
    assert int(posted.headers["Retry-After"]) > 0
    assert db.session.scalar(select(func.count()).select_from(BuyRequirement)) == 0
