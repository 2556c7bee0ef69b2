"""The embedded engine's order of results: a page by a sort field, or by relevance with equally
relevant results ordered by their supplier's response rank (as Elasticsearch sorts on _score,
then response_rank). Tantivy's bindings sort by one thing, so a page by relevance reads past
its end until the score drops below the page's last one."""

from __future__ import annotations

from typing import Any

import tantivy

from search.protocol import SearchRequest

# How far past a page a tie is followed: a longer run of equal scores (a one-word query over a
# large catalogue) stays in index order beyond it, which keeps a page's cost bounded.
TIE_WINDOW = 500

# Without words every result is as relevant as the next: the response rank decides.
SORT_FIELDS: dict[str, tuple[str, Any]] = {
    "price_asc": ("price", tantivy.Order.Asc),
    "price_desc": ("price", tantivy.Order.Desc),
    "newest": ("created", tantivy.Order.Desc),
    "response": ("response_rank", tantivy.Order.Desc),
    "rating": ("rating_rank", tantivy.Order.Desc),
    "relevance": ("response_rank", tantivy.Order.Desc),
}


def page_hits(
    searcher: Any, query: tantivy.Query, request: SearchRequest, offset: int, has_text: bool
) -> list[tuple[Any, Any]]:
    """The (score, address) hits of the requested page, in the requested order."""
    if request.sort == "relevance" and has_text:
        return _most_relevant(searcher, query, request, offset)
    field, order = SORT_FIELDS[request.sort]
    return searcher.search(
        query, request.per_page, count=False, offset=offset, order_by_field=field, order=order
    ).hits


def _most_relevant(
    searcher: Any, query: tantivy.Query, request: SearchRequest, offset: int
) -> list[tuple[Any, Any]]:
    wanted = offset + request.per_page
    limit = wanted
    while True:
        raw = searcher.search(query, limit, count=False).hits
        if len(raw) < limit or raw[-1][0] < raw[wanted - 1][0] or limit >= TIE_WINDOW + wanted:
            break
        limit = min(limit * 4, TIE_WINDOW + wanted)
    page_scores = {score for score, _ in raw[offset:wanted]}

    def rank(hit: tuple[Any, Any]) -> int:
        if hit[0] not in page_scores:  # a whole group of its score lies off the page
            return 0
        values = searcher.doc(hit[1]).to_dict().get("response_rank") or [0]
        return int(values[0])

    ordered = sorted(raw, key=lambda hit: (-hit[0], -rank(hit)))
    return ordered[offset:wanted]
