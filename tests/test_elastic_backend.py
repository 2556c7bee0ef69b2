"""The Elasticsearch backend's queries against the official client's method signatures.

The behaviour is tested on a real node (test_search_contract.py and test_elastic_server.py,
always in CI). What these add, on any machine without a node: every search call's arguments
checked by autospec, and the shape of the query plan as sent (synonym phrases, typos judged on
the unstemmed sub-fields, the relaxed second search).
"""

from __future__ import annotations

from decimal import Decimal
from unittest.mock import create_autospec

import pytest
from elasticsearch import Elasticsearch

from search.elastic import ElasticsearchSearch
from search.protocol import MatchRequest, SearchRequest

EMPTY_AGGREGATIONS = {name: {"buckets": []} for name in ("category", "state", "city")} | {
    "price": {"buckets": [{"doc_count": 0}] * 6}
}


@pytest.fixture()
def backend():
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
    return engine


def test_search_sends_a_valid_request(backend):
    backend.search(
        SearchRequest(
            text="ss pipse 2 inch",
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
    synonym, typo, measure = clauses
    assert measure["bool"]["should"][0]["multi_match"]["query"] == "2inch"
    assert any(s["multi_match"].get("type") == "phrase" for s in synonym["bool"]["should"])
    fuzzy = [s for s in typo["bool"]["should"] if "fuzziness" in s["multi_match"]]
    assert fuzzy and all(
        field.split("^")[0].endswith(".plain") for field in fuzzy[0]["multi_match"]["fields"]
    )
    assert body["highlight"]["encoder"] == "html"
    # Nothing matched every word, so the relaxed search was tried too.
    assert len(backend.client.search.call_args_list) == 2


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
    assert backend.match_suppliers(MatchRequest("ss pipe", state="Gujarat"))[0].supplier_id == 10
