"""The shape of every products index: analysis, mapping, and how many shards and copies."""

from __future__ import annotations

from typing import Any

from search.analysis import FIELD_BOOSTS, FUZZY_FIELDS, SYNONYM_GROUPS

SETTINGS = {
    "number_of_shards": 1,
    "refresh_interval": "1s",
    "analysis": {
        "filter": {
            # Snowball's English (Porter2), the stemmer the embedded engine uses too, so that
            # both engines find the same words ("english" would be the older Porter).
            "trade_stemmer": {"type": "stemmer", "language": "porter2"},
            # The trade's synonyms, also at search time inside Elasticsearch (the query plan
            # expands them too; a second expansion of the same words changes nothing). The
            # Devanagari spellings are left to the plan: the rules stay in one script.
            "trade_synonyms": {
                "type": "synonym_graph",
                "synonyms": [
                    ", ".join(phrase for phrase in group if phrase.isascii())
                    for group in SYNONYM_GROUPS
                    if sum(phrase.isascii() for phrase in group) > 1
                ],
            },
        },
        "analyzer": {
            "trade": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "trade_stemmer"],
            },
            "trade_search": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "trade_synonyms", "trade_stemmer"],
            },
            "plain": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding"],
            },
        },
    },
}

MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "version": {"type": "long"},
        **{
            field: {
                "type": "text",
                "analyzer": "trade",
                "search_analyzer": "trade_search",
                **(
                    {"fields": {"plain": {"type": "text", "analyzer": "plain"}}}
                    if field in FUZZY_FIELDS
                    else {}
                ),
            }
            for field in FIELD_BOOSTS
        },
        "category": {"type": "keyword"},
        "category_path": {"type": "keyword"},
        "state": {"type": "keyword"},
        "city": {"type": "keyword"},
        "city_key": {"type": "keyword"},
        "brand": {"type": "keyword"},
        "brand_key": {"type": "keyword"},
        "gst_rate": {"type": "keyword", "index": False},
        "price_includes_gst": {"type": "boolean", "index": False},
        "suggest": {"type": "keyword"},
        "supplier_id": {"type": "long"},
        "company_name": {"type": "keyword", "index": False},
        "price": {"type": "double"},
        "unit": {"type": "keyword", "index": False},
        "moq": {"type": "long", "index": False},
        "gst_verified": {"type": "boolean"},
        "created": {"type": "long"},
        "response_rank": {"type": "long"},
        "rating": {"type": "float", "index": False},
        "rating_count": {"type": "integer", "index": False},
        "rating_rank": {"type": "double"},
        "image": {"type": "keyword", "index": False},
    },
}


def index_settings(*, shards: int, replicas: int) -> dict[str, Any]:
    """The index template's settings for a cluster of this size (see the README on sizing)."""
    if shards < 1 or replicas < 0:
        raise ValueError("an index needs at least one shard and no negative replicas")
    return {**SETTINGS, "number_of_shards": shards, "number_of_replicas": replicas}
