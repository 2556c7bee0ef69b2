"""What both backends share about results: the facet aggregations they ask for (Tantivy and
Elasticsearch read the same aggregation JSON), how buckets become facets, and how matching
products rank the suppliers for a buy requirement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from search.protocol import FACET_SIZE, PRICE_BANDS, FacetValue, PriceBucket, SupplierMatch

AGGREGATIONS: dict[str, Any] = {
    "category": {"terms": {"field": "category", "size": FACET_SIZE}},
    "state": {"terms": {"field": "state", "size": 40}},
    "city": {"terms": {"field": "city", "size": FACET_SIZE}},
    "price": {
        "range": {
            "field": "price",
            "ranges": [
                {key: value for key, value in (("from", low), ("to", high)) if value is not None}
                for low, high in PRICE_BANDS
            ],
        }
    },
}
SAME_STATE_BONUS = 1.2  # a supplier in the buyer's state is preferred for a requirement


def facets(aggregations: dict[str, Any]) -> dict[str, list[FacetValue]]:
    return {
        name: [
            FacetValue(bucket["key"], bucket["doc_count"])
            for bucket in aggregations.get(name, {}).get("buckets", [])
        ]
        for name in ("category", "state", "city")
    }


def price_facets(aggregations: dict[str, Any]) -> list[PriceBucket]:
    # Matched by bounds, not position: an empty index may answer with no buckets at all.
    counts = {
        (bucket.get("from"), bucket.get("to")): bucket["doc_count"]
        for bucket in aggregations.get("price", {}).get("buckets", [])
    }
    return [
        PriceBucket(low, high, counts.get((low and float(low), high and float(high)), 0))
        for low, high in PRICE_BANDS
    ]


def total(aggregations: dict[str, Any]) -> int:
    """Every price falls in one band, so the bands' counts add up to the result set."""
    return sum(bucket.count for bucket in price_facets(aggregations))


def rank_suppliers(
    hits: Iterable[tuple[float, int, str]], *, state: str | None, limit: int
) -> list[SupplierMatch]:
    """(score, supplier id, supplier state) of matching products -> the best suppliers, each
    by its best product."""
    best: dict[int, float] = {}
    for score, supplier_id, supplier_state in hits:
        score *= SAME_STATE_BONUS if state and supplier_state == state else 1.0
        best[supplier_id] = max(best.get(supplier_id, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [SupplierMatch(supplier_id, score) for supplier_id, score in ranked]
