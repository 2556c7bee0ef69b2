"""Searching the catalogue: untrusted parameters in, a page of results with labelled facets out.

The API and the search page both call `search_products`, so a filter means the same thing and
is refused the same way in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from marketplace.accounts.identity import check_state
from marketplace.catalog.services import categories
from marketplace.errors import ValidationFailed
from marketplace.validation import Input, Invalid
from search import backend
from search.protocol import MAX_RESULT_WINDOW, SORTS, SearchRequest, SearchResults

MAX_PER_PAGE = 100


@dataclass
class SearchPage:
    request: SearchRequest
    results: SearchResults

    @property
    def pages(self) -> int:
        shown = min(self.results.total, MAX_RESULT_WINDOW)
        return max(1, -(-shown // self.request.per_page))

    def labelled_facets(self) -> dict[str, list[dict[str, Any]]]:
        facets = {
            name: [
                {
                    "value": f.value,
                    "label": category_label(f.value) if name == "category" else f.value,
                    "count": f.count,
                }
                for f in values
            ]
            for name, values in self.results.facets.items()
        }
        facets["price"] = [
            {"from": _rupees(bucket.low), "to": _rupees(bucket.high), "count": bucket.count}
            for bucket in self.results.price_facets
        ]
        return facets


def category_label(slug: str) -> str:
    info = categories().get(slug)
    return info.name if info else slug


def _rupees(value: int | None) -> str | None:
    return None if value is None else f"{value}.00"


def _category(slug: str) -> str:
    if slug.lower() not in categories():
        raise Invalid("unknown category")
    return slug.lower()


def _sort(value: str) -> str:
    if value not in SORTS:
        raise Invalid(f"must be one of: {', '.join(SORTS)}")
    return value


def read_search(params: Mapping[str, Any]) -> SearchRequest:
    inp = Input(dict(params))
    text = inp.text("q", required=False, max_length=200) or ""
    category = inp.text("category", required=False, max_length=80, check=_category)
    state = inp.text("state", required=False, max_length=64, check=check_state)
    city = inp.text("city", required=False, max_length=100)
    price_min = inp.money("price_min", required=False)
    price_max = inp.money("price_max", required=False)
    if price_min is not None and price_max is not None and price_min > price_max:
        inp.fail("price_max", "must not be below price_min")
    verified = inp.boolean("verified")
    sort = inp.text("sort", required=False, check=_sort) or "relevance"
    page = inp.integer("page", required=False, minimum=1, maximum=MAX_RESULT_WINDOW) or 1
    per_page = inp.integer("per_page", required=False, minimum=1, maximum=MAX_PER_PAGE) or 20
    if page * per_page > MAX_RESULT_WINDOW and "page" not in inp.errors:
        inp.fail(
            "page",
            f"only the first {MAX_RESULT_WINDOW} results can be paged through; "
            "narrow the search instead",
        )
    inp.raise_if_invalid()
    return SearchRequest(
        text=text,
        category=category,
        state=state.name if state else None,
        city=city,
        price_min=price_min,
        price_max=price_max,
        verified_only=verified,
        sort=sort,
        page=page,
        per_page=per_page,
    )


def search_products(params: Mapping[str, Any], *, supplier_id: int | None = None) -> SearchPage:
    """Raises ValidationFailed for bad parameters and SearchUnavailable in an outage."""
    request = read_search(params)
    if supplier_id is not None:
        request = replace(request, supplier_id=supplier_id)
    return SearchPage(request, backend().search(request))


def suggest(prefix: Any, limit: int = 8) -> list[str]:
    """Completions for what is being typed, without near-duplicates ('tmt bar', 'tmt bars')."""
    if not isinstance(prefix, str) or len(prefix) > 100:
        raise ValidationFailed({"q": ["must be text of at most 100 characters"]})
    seen: set[str] = set()
    suggestions = []
    for text in backend().suggest(prefix, limit * 2):
        key = text[:-1] if text.endswith("s") and not text.endswith("ss") else text
        if key not in seen:
            seen.add(key)
            suggestions.append(text)
    return suggestions[:limit]
