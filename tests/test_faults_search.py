"""Fault: the search backend is down. Elasticsearch is configured at a port nothing listens on,
so every call goes through the real client and transport and fails as in an outage.

Writes are still accepted (and held in the search outbox: that they reach search once it is
back is `test_catalog.test_a_search_outage_never_loses_a_write` and, against a real node,
`test_elastic_server.test_an_outage_loses_no_write`). Every search answers a clear 503 with
Retry-After: problem+json on the API, a friendly page on the site; never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from marketplace.catalog.models import SearchOutbox
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.leads import matching
from marketplace.leads.models import BuyRequirement, RequirementMatch
from marketplace.search_backend import Timed, settings_from
from search.backends import open_backend
from tests import factories
from tests.conftest import Api, free_port, outbox, sign_in_page
from tests.test_catalog import PIPE
from tests.test_requirements import REQUIREMENT, _supplier_with_pipe


@contextmanager
def search_outage(app: Flask) -> Iterator[None]:
    """Search is down inside the block and back after it."""
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


@pytest.fixture()
def search_down(app: Flask) -> Iterator[None]:
    with search_outage(app):
        yield


@pytest.fixture()
def pipe_makers(ctx, categories) -> list[factories.Registered]:
    """Three suppliers of the pipe that REQUIREMENT asks for, indexed while search is up."""
    return [_supplier_with_pipe() for _ in range(3)]


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


def test_a_requirement_posted_in_an_outage_is_kept_and_matched_when_search_returns(
    app: Flask, client, buyer, buyer_api: Api, pipe_makers
):
    """Matching needs search, but the buyer's requirement does not wait for it: it is stored,
    said to be waiting, and matched (its suppliers told) by the first run after search is
    back; a run while search is still down leaves it waiting, and a second run after it does
    nothing more."""
    with search_outage(app):
        posted = buyer_api.post("/requirements", REQUIREMENT)
        assert posted.status_code == 201, posted.get_json()
        assert posted.get_json()["matching"] == "waiting"
        assert posted.get_json()["matched_suppliers"] == 0
        assert matching.match_waiting_requirements() == 0  # still down: it keeps waiting
        db.session.execute(
            update(BuyRequirement).values(created_at=utcnow() - timedelta(minutes=2))
        )
        commit()
        assert 120 <= client.get("/healthz").get_json()["backlog"]["requirements"] < 180
    requirement_id = posted.get_json()["id"]
    assert not _told_of_buyleads(app)
    assert buyer_api.get("/requirements").get_json()["items"][0]["matching"] == "waiting"

    assert matching.match_waiting_requirements() == 1
    assert matching.match_waiting_requirements() == 0  # matched once
    mine = buyer_api.get("/requirements").get_json()["items"][0]
    assert (mine["id"], mine["matching"], mine["matched_suppliers"]) == (requirement_id, "done", 3)
    assert sorted(_told_of_buyleads(app)) == sorted(f"To: {p.email}" for p in pipe_makers)
    assert client.get("/healthz").get_json()["backlog"]["requirements"] == 0


def test_the_buyer_is_told_on_the_page_that_matching_waits(app: Flask, client, buyer, categories):
    token = sign_in_page(client, buyer)
    with search_outage(app):
        posted = client.post(
            "/requirements/new",
            data={**REQUIREMENT, "csrf_token": token},
            follow_redirects=True,
        )
    page = posted.get_data(as_text=True)
    assert posted.status_code == 200, page
    assert "we will send it to matching suppliers as soon as it is back" in page
    assert "waiting to be matched" in page
    assert db.session.scalar(select(func.count()).select_from(BuyRequirement)) == 1


def test_closed_and_expired_requirements_are_not_matched_later(
    app: Flask, api: Api, buyer_api: Api, pipe_makers
):
    with search_outage(app):
        kept, closed, expired = (
            buyer_api.post("/requirements", REQUIREMENT).get_json()["id"] for _ in range(3)
        )
    assert buyer_api.post(f"/requirements/{closed}/close").status_code == 200
    db.session.execute(
        update(BuyRequirement)
        .where(BuyRequirement.id == expired)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    commit()
    assert matching.waiting_requirements() == [kept]
    assert matching.match_waiting_requirements() == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(RequirementMatch)
            .where(RequirementMatch.requirement_id.in_([closed, expired]))
        )
        == 0
    )


def test_the_command_line_matches_the_waiting_requirements(app: Flask, buyer_api, pipe_makers):
    with search_outage(app):
        buyer_api.post("/requirements", REQUIREMENT)
        down = app.test_cli_runner().invoke(args=["leads", "match-requirements"])
    assert "0 requirement(s) matched; 1 still waiting for search." in down.output
    back = app.test_cli_runner().invoke(args=["leads", "match-requirements"])
    assert "1 requirement(s) matched; 0 still waiting for search." in back.output, back.output


def _told_of_buyleads(app: Flask) -> list[str]:
    return [mail.split("\n")[0] for mail in outbox(app) if "New BuyLead:" in mail]
