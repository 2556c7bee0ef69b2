"""The Elasticsearch backend against the official client's real method signatures.

No Elasticsearch server runs here; the contract suite runs against a real one whenever
ELASTICSEARCH_URL is set. These tests catch what does not need a server: a call the client
would refuse (autospec checks every argument) and the shape of what is sent.
"""

from __future__ import annotations

from decimal import Decimal
from unittest.mock import create_autospec

import pytest
from elasticsearch import Elasticsearch

from search.elastic import MAPPINGS, SETTINGS, ElasticsearchSearch
from search.protocol import SearchRequest
from tests.test_search_contract import _documents

EMPTY_AGGREGATIONS = {name: {"buckets": []} for name in ("category", "state", "city")} | {
    "price": {"buckets": [{"doc_count": 0}] * 6}
}


@pytest.fixture()
def backend(monkeypatch):
    engine = ElasticsearchSearch("http://127.0.0.1:9", "test")
    engine.client = create_autospec(Elasticsearch, instance=True)
    # `indices` is set per instance by the client, so its class is specced separately.
    indices_class = type(Elasticsearch("http://127.0.0.1:9").indices)
    engine.client.indices = create_autospec(indices_class, instance=True)
    engine.client.indices.exists_alias.return_value = True
    engine.client.search.return_value = {
        "hits": {"total": {"value": 0}, "hits": []},
        "aggregations": EMPTY_AGGREGATIONS,
    }
    calls = []
    monkeypatch.setattr(
        "search.elastic.helpers.bulk",
        lambda client, actions, **kw: (calls.append((list(actions), kw)), (0, []))[1],
    )
    engine.bulk_calls = calls
    return engine


def test_the_index_is_shaped_by_a_template_with_synonyms(backend):
    backend.count()
    template = backend.client.indices.put_index_template.call_args.kwargs
    assert template["index_patterns"] == ["test-products-*"]
    analysis = template["template"]["settings"]["analysis"]
    assert "ss, stainless steel" in analysis["filter"]["trade_synonyms"]["synonyms"]
    assert MAPPINGS["properties"]["name"]["search_analyzer"] == "trade_search"
    assert SETTINGS["analysis"]["analyzer"]["trade_search"]["filter"][2] == "trade_synonyms"


def test_writes_carry_the_version(backend):
    backend.index(_documents()[:2])
    actions, options = backend.bulk_calls[0]
    assert actions[0]["version_type"] == "external_gte" and actions[0]["version"] == 1
    assert actions[0]["_source"]["city_key"] == "mumbai"
    assert set(actions[0]["_source"]) <= set(MAPPINGS["properties"])  # strict mapping
    assert options["refresh"] == "wait_for"


def test_search_sends_a_valid_request(backend):
    backend.search(
        SearchRequest(
            text="ss pipse",
            category="metals-and-alloys",
            state="Gujarat",
            city="Surat",
            price_min=Decimal("10"),
            verified_only=True,
            sort="price_asc",
            page=2,
            per_page=5,
        )
    )
    body = backend.client.search.call_args_list[0].kwargs
    assert body["from_"] == 5 and body["size"] == 5 and body["track_total_hits"] is True
    assert body["sort"][0] == {"price": "asc"}
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"category_path": "metals-and-alloys"}} in filters
    assert {"term": {"city_key": "surat"}} in filters
    assert {"range": {"price": {"gte": 10.0}}} in filters
    clauses = body["query"]["bool"]["must"][0]["bool"]["must"]
    synonym, typo = clauses
    assert any(s["multi_match"].get("type") == "phrase" for s in synonym["bool"]["should"])
    fuzzy = [s for s in typo["bool"]["should"] if "fuzziness" in s["multi_match"]]
    assert fuzzy and all(
        field.split("^")[0].endswith(".plain") for field in fuzzy[0]["multi_match"]["fields"]
    )
    assert body["highlight"]["encoder"] == "html"
    # Nothing matched every word, so the relaxed search was tried too.
    assert len(backend.client.search.call_args_list) == 2


def test_rebuild_swaps_the_alias_atomically(backend, monkeypatch):
    backend.client.indices.get_alias.return_value = {"test-products-1": {}}
    monkeypatch.setattr(
        "search.elastic.helpers.streaming_bulk",
        lambda client, actions, **kw: ((True, {}) for _ in actions),
    )
    assert backend.rebuild(iter(_documents())) == 8
    actions = backend.client.indices.update_aliases.call_args.kwargs["actions"]
    assert actions[0] == {"remove": {"index": "test-products-1", "alias": "test-products"}}
    assert actions[1]["add"]["alias"] == "test-products"
    backend.client.indices.delete.assert_called_with(index="test-products-1")


def test_suggest_and_match_use_valid_calls(backend):
    backend.client.search.return_value = {
        "hits": {
            "total": {"value": 1},
            "hits": [
                {"_id": "1", "_score": 2.0, "_source": {"supplier_id": 10, "state": "Gujarat"}}
            ],
        },
        "aggregations": {"suggestions": {"buckets": [{"key": "ss pipe", "doc_count": 3}]}},
    }
    assert backend.suggest("ss p") == ["ss pipe"]
    assert backend.match_suppliers("ss pipe", state="Gujarat")[0].supplier_id == 10
