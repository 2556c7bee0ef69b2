"""Elasticsearch-specific behaviour, on the real node that scripts/elasticsearch starts:
the template and analyzers as the server applies them, versioned writes, the alias swap of a
rebuild, and an outage that loses no write. (The shared behaviour is the backend contract in
test_search_contract.py, which runs on this node too.)"""

from __future__ import annotations

import os
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.catalog.inputs import ProductChange, ProductIn
from marketplace.db import commit
from marketplace.extensions import db
from search.protocol import SearchRequest
from tests import factories
from tests.conftest import free_port, make_test_app
from tests.elastic_cluster import cluster_in_use
from tests.test_search_contract import _documents, elasticsearch_url, ids

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def engine():
    from search.elastic import ElasticsearchSearch

    with cluster_in_use():
        engine = ElasticsearchSearch(elasticsearch_url(), f"server-{uuid.uuid4().hex[:8]}")
        yield engine
        engine.drop()


def analyze(engine, analyzer: str, text: str) -> list[str]:
    engine.count()  # makes the index from the template
    answer = engine.client.indices.analyze(index=engine.alias, analyzer=analyzer, text=text)
    return [token["token"] for token in answer["tokens"]]


def concrete_indices(engine) -> list[str]:
    return sorted(engine.client.indices.get_alias(name=engine.alias))


def test_every_index_behind_the_alias_is_shaped_by_the_template(engine):
    engine.count()
    [concrete] = concrete_indices(engine)
    assert concrete.startswith(f"{engine.alias}-")
    mapping = engine.client.indices.get_mapping(index=concrete)[concrete]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["name"]["analyzer"] == "trade"
    assert mapping["properties"]["name"]["search_analyzer"] == "trade_search"
    assert mapping["properties"]["price"]["type"] == "double"


def test_the_analyzers_as_the_server_applies_them(engine):
    # Indexing: lower case, accents folded, English stems.
    assert analyze(engine, "trade", "Stainless Steel PIPES") == ["stainless", "steel", "pipe"]
    # Searching: the trade's synonyms expand inside the server too.
    assert {"ss", "stainless", "steel", "pipe"} <= set(analyze(engine, "trade_search", "SS pipes"))
    assert {"galvanis", "galvan"} & set(analyze(engine, "trade_search", "galvanized"))
    # The typo-tolerant sub-field keeps words as written: no stems.
    assert analyze(engine, "plain", "Pipes Crème") == ["pipes", "creme"]


def test_synonyms_and_typos_find_products_on_the_server(engine):
    engine.index(_documents())
    assert 1 in ids(engine.search(SearchRequest(text="stainless steel seamless")))
    assert 1 in ids(engine.search(SearchRequest(text="seamles")))  # a typo


def test_an_older_version_never_replaces_a_newer_one(engine):
    [pipe] = _documents()[:1]
    engine.index([{**pipe, "version": 3, "name": "Polished Seamless Pipe"}])
    engine.index([{**pipe, "version": 2, "name": "Brushed Seamless Pipe"}])  # late, refused
    assert ids(engine.search(SearchRequest(text="polished"))) == [1]
    assert ids(engine.search(SearchRequest(text="brushed"))) == []
    engine.index([{**pipe, "version": 3, "name": "Polished Seamless Pipe"}])  # a repeat drain
    assert engine.count() == 1


def test_a_rebuild_swaps_the_alias_with_no_moment_when_search_is_empty(engine):
    engine.index(_documents())
    [before] = concrete_indices(engine)
    old_total = engine.search(SearchRequest(text="pipe", per_page=1)).total
    template = _documents()[0]
    fresh = [{**template, "id": n, "name": f"Seamless Pipe {n}"} for n in range(1, 5001)]
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.append(engine.search(SearchRequest(text="pipe", per_page=1)).total)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert engine.rebuild(iter(fresh)) == 5000
    finally:
        done.set()
        watcher.join()
    [after] = concrete_indices(engine)
    assert after != before and not engine.client.indices.exists(index=before)
    assert len(seen) > 3 and set(seen) <= {old_total, 5000}  # the old catalogue, then the new one
    assert engine.search(SearchRequest(text="pipe")).total == 5000


@pytest.fixture()
def own_node():
    """A second node of our own, on a free port, that this test may stop and start: the
    node the other tests share stays up, whatever runs beside this test."""
    elasticsearch_url()  # skips (or fails in CI) where the suite has no Elasticsearch
    port = free_port()

    def node(command: str) -> None:
        run = subprocess.run(
            [str(ROOT / "scripts" / "elasticsearch"), command],
            env={**os.environ, "ES_PORT": str(port), "ES_HEAP": "256m"},
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr

    # Held shared: while the failover test has a cluster node down, this node could take the
    # transport port the killed node needs back (a single node takes the first free from 9300).
    with cluster_in_use():
        node("start")
        node.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
        try:
            yield node
        finally:
            node("stop")


def test_an_outage_loses_no_write(tmp_path, own_node):
    from marketplace.accounts.models import User
    from marketplace.catalog import indexing
    from marketplace.catalog.categories import load_categories
    from marketplace.catalog.models import SearchOutbox
    from marketplace.catalog.services import create_product, update_product

    app = make_test_app(
        f"sqlite:///{tmp_path / 'outage.db'}",
        tmp_path,
        ELASTICSEARCH_URL=own_node.url,
    )

    def write(user_id: int, name: str) -> int:
        product = create_product(
            db.session.get(User, user_id),
            ProductIn.model_validate(
                {"name": name, "category": "copper-wires", "price": "700.00", "unit": "kg"}
            ),
        )
        commit()  # drains after the commit, inline
        return product.id

    def found(text: str) -> list[int]:
        return ids(app.extensions["search"].search(SearchRequest(text=text, per_page=50)))

    with app.app_context():
        db.create_all()
        load_categories()
        commit()
        supplier = factories.supplier().id
        first = write(supplier, "Enamelled Copper Wire")
        assert found("enamelled") == [first]
        own_node("pause")  # the node goes away, its data kept
        try:
            during = [write(supplier, f"Copper Earthing Wire {n}") for n in range(3)]
            update_product(
                db.session.get(User, supplier),
                first,
                ProductChange.model_validate({"name": "Litz Copper Wire"}),
            )
            commit()  # the writes are kept, the index is behind
            assert db.session.scalar(select(func.count(SearchOutbox.id))) == 4
            health = app.test_client().get("/healthz").get_json()
            assert health["search"] == "unavailable" and health["status"] == "degraded"
        finally:
            own_node("resume")
        assert indexing.drain_outbox() == 4  # what beat's periodic drain does
        assert sorted(found("earthing")) == sorted(during)
        assert found("litz") == [first] and found("enamelled") == []
        assert db.session.scalar(select(func.count(SearchOutbox.id))) == 0
        db.engine.dispose()
