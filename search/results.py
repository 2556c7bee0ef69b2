"""What both backends share about results: the facet aggregations they ask for (Tantivy and
Elasticsearch read the same aggregation JSON), how buckets become facets, and how matching
products rank the suppliers for a buy requirement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from search.analysis import QueryPlan, corrected_text
from search.protocol import (
    FACET_SIZE,
    MAX_PRICE_FACETS,
    PRICE_BANDS,
    FacetValue,
    MatchRequest,
    PriceBucket,
    SearchHit,
    SearchRequest,
    SupplierMatch,
)

AGGREGATIONS: dict[str, Any] = {
    "category": {"terms": {"field": "category", "size": FACET_SIZE}},
    "state": {"terms": {"field": "state", "size": 40}},
    "city": {"terms": {"field": "city", "size": FACET_SIZE}},
    "brand": {"terms": {"field": "brand", "size": FACET_SIZE}},
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
            if bucket["key"] != ""  # a product without a brand
        ]
        for name in ("category", "state", "city", "brand")
    }


def _steps(aggregations: dict[str, Any]) -> list[PriceBucket]:
    # Matched by bounds, not position: an empty index may answer with no buckets at all.
    counts = {
        (bucket.get("from"), bucket.get("to")): bucket["doc_count"]
        for bucket in aggregations.get("price", {}).get("buckets", [])
    }
    return [
        PriceBucket(low, high, counts.get((low and float(low), high and float(high)), 0))
        for low, high in PRICE_BANDS
    ]


def price_facets(aggregations: dict[str, Any]) -> list[PriceBucket]:
    """A few price bands that follow the result set: the counted steps, joined from the
    cheapest up until a band holds its share of the results (a fifth of them, at most five
    bands), at the 1-2-5 rupee steps. Empty bands are left out; every result is in one band."""
    steps = [step for step in _steps(aggregations) if step.count]
    count = sum(step.count for step in steps)
    if not steps:
        return []
    share = count / MAX_PRICE_FACETS
    bands: list[PriceBucket] = []
    for step in steps:
        last = bands[-1] if bands else None
        if last and (last.count < share or len(bands) == MAX_PRICE_FACETS):
            bands[-1] = PriceBucket(last.low, step.high, last.count + step.count)
        else:
            bands.append(PriceBucket(step.low, step.high, step.count))
    if len(bands) > 1:  # open at the ends: "under ₹100", "₹50,000 and above"
        bands[0] = PriceBucket(None, bands[0].high, bands[0].count)
        bands[-1] = PriceBucket(bands[-1].low, None, bands[-1].count)
    return bands


def total(aggregations: dict[str, Any]) -> int:
    """Every price falls in one step, so the steps' counts add up to the result set."""
    return sum(step.count for step in _steps(aggregations))


def corrected(request: SearchRequest, query_plan: QueryPlan, hits: list[SearchHit]) -> str | None:
    """What the results were found for, when typo tolerance changed the words (see
    search.analysis.corrected_text); read from the hits' names and categories."""
    if not (request.fuzzy and hits and query_plan.clauses):
        return None
    return corrected_text(
        query_plan, [f"{hit.document['name']} {hit.document['category']}" for hit in hits]
    )


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
