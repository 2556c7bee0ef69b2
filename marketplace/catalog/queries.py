"""Searching the catalogue: untrusted parameters in, a page of results with labelled facets out.

The API and the search page both call `search_products`, so a filter means the same thing and
is refused the same way in both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, Field, model_validator

from marketplace.accounts.identity import check_state
from marketplace.accounts.india import STATES
from marketplace.catalog.categories import categories
from marketplace.fields import Choice, Flag, Money, Text, WholeNumber, checked
from marketplace.search_backend import backend
from marketplace.validation import Invalid, refuse_field
from search.analysis import WORD
from search.places import CITY_STATES, city_name
from search.protocol import MAX_RESULT_WINDOW, SORTS, SearchRequest, SearchResults

MAX_PER_PAGE = 100


@dataclass
class SearchPage:
    request: SearchRequest
    results: SearchResults
    typed: str = ""  # the words as the buyer typed them
    place: str | None = None  # a city or state taken from those words as a filter
    # The place named in the words when nothing was found there and the search went wider
    # (from the city to its state, then everywhere): a buyer still sees who can supply.
    widened_from: str | None = None

    @property
    def pages(self) -> int:
        shown = min(self.results.total, MAX_RESULT_WINDOW)
        return max(1, -(-shown // self.request.per_page))

    def labelled_facets(self) -> dict[str, list[dict[str, Any]]]:
        facets = {
            name: [
                {
                    "value": f.value,
                    "label": category_name(f.value) if name == "category" else f.value,
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


_PLACE_LEAD_INS = {"in", "at", "from", "near"}
_STATE_KEYS = {state.name.lower(): state.name for state in STATES}


def place_in(text: str) -> tuple[str, str | None, str | None]:
    """'gi pipe jalandhar' -> ('gi pipe', 'Jalandhar', 'Punjab'): a city or state named among
    the words becomes a filter rather than a word to find in listings (with a lead-in like
    'in' before it). Returns the text left, as typed but for the place, the city and the state."""
    spans = [match.span() for match in WORD.finditer(text)]
    tokens = [text[start:end].lower() for start, end in spans]
    for length in (3, 2, 1):
        for first in range(len(tokens) - length + 1):
            key = " ".join(tokens[first : first + length])
            city = state = None
            if key in CITY_STATES:
                city, state = city_name(key), CITY_STATES[key]
            elif key in _STATE_KEYS:
                state = _STATE_KEYS[key]
            if state is None:
                continue
            cut_from = first - 1 if first and tokens[first - 1] in _PLACE_LEAD_INS else first
            start, end = spans[cut_from][0], spans[first + length - 1][1]
            left = " ".join(f"{text[:start]} {text[end:]}".split())
            return left, city, state
    return text, None, None


def category_name(slug: str) -> str:
    """A category's English name, as search and the API give it (pages say it through
    categories.category_label)."""
    info = categories().get(slug)
    return info.name if info else slug


def _rupees(value: int | None) -> str | None:
    return None if value is None else f"{value}.00"


def _category(slug: str) -> str:
    if slug.lower() not in categories():
        raise Invalid("unknown category")
    return slug.lower()


class SearchQuery(BaseModel):
    """What a buyer may ask of the catalogue: the API's query string and the search page's."""

    q: Text(
        max_length=200, required=False, description="words; typos and trade synonyms are understood"
    ) = None
    category: Text(
        max_length=80,
        required=False,
        check=_category,
        description="a category slug; its sub-categories are included",
    ) = None
    state: Text(max_length=64, required=False, check=check_state) = None
    city: Text(max_length=100, required=False) = None
    price_min: Money(required=False) = None
    price_max: Money(required=False) = None
    verified: Flag = Field(False, description="GST-verified suppliers only")
    brand: Text(max_length=100, required=False, description="one brand, in any case") = None
    exact: Flag = Field(
        False,
        description="the words exactly as typed: no typo tolerance, and a city or state among "
        "them is a word, not a location filter",
    )
    sort: Choice(SORTS, required=False) = None
    page: WholeNumber(minimum=1, maximum=MAX_RESULT_WINDOW, required=False) = None
    per_page: WholeNumber(minimum=1, maximum=MAX_PER_PAGE, required=False) = None

    @model_validator(mode="after")
    def _within_bounds(self) -> SearchQuery:
        low, high = self.price_min, self.price_max
        if low is not None and high is not None and low > high:
            refuse_field("price_max", "must not be below price_min")
        if (self.page or 1) * (self.per_page or 20) > MAX_RESULT_WINDOW:
            refuse_field(
                "page",
                f"only the first {MAX_RESULT_WINDOW} results can be paged through; "
                "narrow the search instead",
            )
        return self

    def request(self) -> SearchRequest:
        return SearchRequest(
            text=self.q or "",
            category=self.category,
            state=self.state.name if self.state else None,
            city=self.city,
            price_min=self.price_min,
            price_max=self.price_max,
            verified_only=self.verified,
            brand=self.brand,
            fuzzy=not self.exact,
            sort=self.sort or "relevance",
            page=self.page or 1,
            per_page=self.per_page or 20,
        )


def search_products(query: SearchQuery, *, supplier_id: int | None = None) -> SearchPage:
    """Raises SearchUnavailable in an outage."""
    request = query.request()
    if supplier_id is not None:
        request = replace(request, supplier_id=supplier_id)
    typed = request.text
    # A place in the words filters the marketplace; a storefront is one supplier's, in one place.
    if supplier_id is None and request.fuzzy and not request.city and not request.state:
        text, city, state = place_in(request.text)
        if state is not None:
            return _search_near(replace(request, text=text), typed, city, state)
    return SearchPage(request, backend().search(request), typed)


def _search_near(request: SearchRequest, typed: str, city: str | None, state: str) -> SearchPage:
    """Search in the place named in the words; when nothing is there, in its state, then
    everywhere (an empty page for 'gi pipe jalandhar' helps nobody)."""
    named = f"{city}, {state}" if city else state
    places = [(city, state), (None, state), (None, None)] if city else [(None, state), (None, None)]
    for city_, state_ in places:
        narrowed = replace(request, city=city_, state=state_)
        results = backend().search(narrowed)
        place = f"{city_}, {state_}" if city_ else state_
        if results.total or state_ is None:
            widened = named if place != named else None
            return SearchPage(narrowed, results, typed, place, widened)
    raise AssertionError("the last place tried is everywhere")  # pragma: no cover


def _prefix(raw: Any) -> str:
    if not isinstance(raw, str) or len(raw) > 100:
        raise Invalid("must be text of at most 100 characters")
    return raw  # as typed: a trailing space says the word is finished


class SuggestQuery(BaseModel):
    q: checked(_prefix, {"type": "string", "maxLength": 100}, required=False) = None


def suggest(prefix: str | None, limit: int = 8) -> list[str]:
    """Completions for what is being typed, without near-duplicates ('tmt bar', 'tmt bars')."""
    if not prefix:
        return []
    seen: set[str] = set()
    suggestions = []
    for text in backend().suggest(prefix, limit * 2):
        key = text[:-1] if text.endswith("s") and not text.endswith("ss") else text
        if key not in seen:
            seen.add(key)
            suggestions.append(text)
    return suggestions[:limit]
