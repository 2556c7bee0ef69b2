"""A node of the search cluster killed (kill -9) under a stream of searches and writes.

What is measured, precisely:
- The kill lasts from just before `scripts/elasticsearch cluster kill-node` is called until it
  returns, which it does once the node's process is gone.
- A search is *in flight at the kill* when it began before the kill ended and ended after the
  kill began. Only those may fail (raise, or answer other than the database says). Every other
  search of the stream, before the kill, during the outage, while the node rejoins and after,
  must answer exactly the products the database holds for its word.
- Every write (new products, and price changes of listed ones) made from before the kill until
  the cluster is green again is acknowledged by the database; once the cluster is green and the
  outbox drained, each is searchable and every answer matches the database, price included.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.catalog.inputs import ProductChange, ProductIn
from marketplace.db import commit
from marketplace.extensions import db
from search.protocol import SearchRequest
from tests import factories
from tests.conftest import make_test_app
from tests.elastic_cluster import cluster_in_use, cluster_script, cluster_urls

# Words of no synonym group and no typo of one another: each finds only its own products.
FAMILIES = ("gasket", "flange", "bearing", "nozzle", "pulley", "sprocket", "coupling", "impeller")
PER_FAMILY = 25
WRITTEN = "manifold"  # the word of the products written meanwhile
OUTAGE_SECONDS = 8


@dataclass(frozen=True)
class Search:
    began: float
    ended: float
    right: bool  # answered exactly what the database holds
    error: str | None = None

    def overlaps(self, start: float, end: float) -> bool:
        return self.began < end and self.ended > start


def _product(name: str, price: str) -> ProductIn:
    return ProductIn.model_validate(
        {"name": name, "category": "copper-wires", "price": price, "unit": "piece"}
    )


def _database_answer(word: str) -> dict[int, str]:
    from marketplace.catalog.models import Product

    rows = db.session.execute(
        select(Product.id, Product.price).where(Product.name.like(f"{word.title()} %"))
    )
    return {product_id: f"{price:.2f}" for product_id, price in rows}


def _search_answer(engine: Any, word: str) -> dict[int, str]:
    found = engine.search(SearchRequest(text=word, per_page=100))
    assert found.total == len(found.hits)  # one page holds every answer
    return {hit.id: hit.document["price"] for hit in found.hits}


class Load:
    """A stream of searches and one of writes, each in a thread of its own."""

    def __init__(self, app: Flask, supplier_id: int, expected: dict[str, set[int]]):
        self.app, self.supplier_id, self.expected = app, supplier_id, expected
        self.engine = app.extensions["search"]
        self.searches: list[Search] = []
        self.written: list[int] = []
        self.repriced: list[int] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._search), threading.Thread(target=self._write)]

    def _search(self) -> None:
        while not self.stop.is_set():
            for word, ids in self.expected.items():
                began = time.monotonic()
                try:
                    right, error = set(_search_answer(self.engine, word)) == ids, None
                except Exception as failure:  # every failure is counted, none stops the stream
                    right, error = False, f"{type(failure).__name__}: {failure}"
                self.searches.append(Search(began, time.monotonic(), right, error))

    def _write(self) -> None:
        from marketplace.accounts.models import User
        from marketplace.catalog.services import create_product, update_product

        listed = sorted(set().union(*self.expected.values()))
        with self.app.app_context():
            while not self.stop.is_set():
                n = len(self.written)
                user = db.session.get(User, self.supplier_id)
                product = create_product(user, _product(f"Manifold Block {n}", f"{500 + n}.00"))
                commit()  # acknowledged here; the inline drain may fail, the outbox keeps it
                self.written.append(product.id)
                target = listed[n % len(listed)]
                price = ProductChange.model_validate({"price": f"{1000 + n}.00"})
                update_product(db.session.get(User, self.supplier_id), target, price)
                commit()
                self.repriced.append(target)
            db.session.remove()

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def _victim(engine: Any, urls: list[str]) -> int:
    """A node other than the elected master: a cluster of two keeps its master then, and
    promotes the copies of the killed node's primaries (see docs on losing the master)."""
    master = engine.client.cat.master(format="json")[0]["node"]
    nodes = [n for n in range(1, len(urls) + 1) if f"node-{n}" != master]
    assert nodes, f"no node other than the master {master}"
    return nodes[-1]


@pytest.fixture()
def cluster_app(tmp_path: Path):
    urls = cluster_urls()
    with cluster_in_use(alone=True):
        app = make_test_app(
            f"sqlite:///{tmp_path / 'cluster.db'}",
            tmp_path,
            ELASTICSEARCH_URL=",".join(urls),
            ELASTICSEARCH_INDEX_PREFIX=f"cluster-{uuid.uuid4().hex[:8]}",
            ELASTICSEARCH_SHARDS=len(urls),  # a primary on every node: the killed one has one
            ELASTICSEARCH_REPLICAS=1,
        )
        with app.app_context():
            yield app, urls
            app.extensions["search"].drop()
            db.engine.dispose()


def test_a_node_killed_under_load_loses_no_answer_and_no_write(cluster_app):
    from marketplace.accounts.models import User
    from marketplace.catalog import indexing
    from marketplace.catalog.categories import load_categories
    from marketplace.catalog.services import create_product
    from marketplace.search_backend import backend

    app, urls = cluster_app
    db.create_all()
    load_categories()
    commit()
    supplier = factories.supplier()
    owner = db.session.get(User, supplier.id)
    for family in FAMILIES:
        for n in range(PER_FAMILY):
            create_product(owner, _product(f"{family.title()} Part {n}", f"{100 + n}.00"))
    commit()  # one drain indexes the catalogue
    engine = backend()
    engine.client.cluster.health(wait_for_status="green", timeout="60s")
    expected = {family: set(_database_answer(family)) for family in FAMILIES}
    for family, ids in expected.items():
        assert len(ids) == PER_FAMILY and set(_search_answer(engine, family)) == ids

    victim = _victim(engine, urls)
    killed = restarted = False
    try:
        with Load(app, supplier.id, expected) as load:
            time.sleep(2)
            kill_began = time.monotonic()
            cluster_script("kill-node", victim)
            kill_ended = time.monotonic()
            killed = True
            time.sleep(OUTAGE_SECONDS)  # the outage, under the same load
            rejoin_began = time.monotonic()
            cluster_script("start-node", victim)  # returns once the cluster is green
            restarted = True
            time.sleep(1)
    finally:
        if killed and not restarted:
            cluster_script("start-node", victim)

    searches = load.searches
    in_flight = [s for s in searches if s.overlaps(kill_began, kill_ended)]
    failed = [s for s in searches if not s.right]
    during_outage = [s for s in searches if kill_ended <= s.began and s.ended <= rejoin_began]
    summary = (
        f"{len(searches)} searches, {len(in_flight)} in flight at the kill, {len(failed)} failed"
        f" ({len(during_outage)} during the outage); {len(load.written)} products written;"
        f" failures: {sorted({s.error or 'a wrong answer' for s in failed})}"
    )
    print(summary)
    assert [s for s in failed if not s.overlaps(kill_began, kill_ended)] == [], summary
    assert len(during_outage) >= 20, summary  # the outage really was under load
    assert len(load.written) >= 3, summary

    # Green again: every write is acknowledged by the database and searchable once drained.
    engine.client.cluster.health(wait_for_status="green", timeout="60s")
    indexing.drain_outbox()
    db.session.expire_all()
    assert _search_answer(engine, WRITTEN) == _database_answer(WRITTEN)
    assert set(_database_answer(WRITTEN)) == set(load.written)
    for family in FAMILIES:
        assert _search_answer(engine, family) == _database_answer(family)
    repriced = {pid: price for f in FAMILIES for pid, price in _database_answer(f).items()}
    assert all(Decimal(repriced[pid]) >= 1000 for pid in load.repriced)  # the changes are kept
    assert engine.count() == indexing.searchable_count()
