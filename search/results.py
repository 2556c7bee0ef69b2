"""What both backends share about results: the facet aggregations they ask for (Tantivy and
Elasticsearch read the same aggregation JSON), how buckets become facets, and how matching
products rank the suppliers for a buy requirement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from search.protocol import (
    FACET_SIZE,
    PRICE_BANDS,
    FacetValue,
    MatchRequest,
    PriceBucket,
    SupplierMatch,
)

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
# A requirement prefers suppliers near the buyer: in the same state, and more so in the same city.
SAME_STATE_BONUS = 1.2
SAME_CITY_BONUS = 1.1
# Products read per requirement before the suppliers are ranked.
MATCH_CANDIDATES = 300


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


def rank_suppliers(hits: Iterable[dict[str, Any]], request: MatchRequest) -> list[SupplierMatch]:
    """Matching products (their score and stored fields) -> the best suppliers, each by its best
    product: GST-verified suppliers first, then by relevance with the bonus for the buyer's state
    and city; the buyer's own business is left out."""
    best: dict[int, tuple[bool, float]] = {}
    for hit in hits:
        supplier_id = int(hit["supplier_id"])
        if supplier_id == request.exclude_supplier_id:
            continue
        score = float(hit["score"])
        if request.state and hit.get("state") == request.state:
            score *= SAME_STATE_BONUS
            if request.city and str(hit.get("city", "")).lower() == request.city.lower():
                score *= SAME_CITY_BONUS
        verified = bool(hit.get("gst_verified"))
        held = best.get(supplier_id)
        best[supplier_id] = (verified, max(score, held[1] if held else 0.0))
    ranked = sorted(best.items(), key=lambda item: (not item[1][0], -item[1][1], item[0]))
    return [
        SupplierMatch(supplier_id, score, verified)
        for supplier_id, (verified, score) in ranked[: request.limit]
    ]
