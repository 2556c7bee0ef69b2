"""The contract every search backend keeps (the contract suite in tests/ checks it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

# "response": the suppliers who answer enquiries best first (search.documents' response_rank),
# which also orders equally relevant results; "rating": the best-rated suppliers first.
Sort = Literal["relevance", "price_asc", "price_desc", "newest", "response", "rating"]
SORTS: tuple[str, ...] = ("relevance", "price_asc", "price_desc", "newest", "response", "rating")

# Price steps in rupees (1, 2, 5, 10, 20, 50 ... 50 crore): both backends count the result set's
# prices between them, and search.results joins neighbouring steps into a few bands that each
# hold a fair share of the results, so the bands follow the result set's own prices.
PRICE_STEPS: tuple[int, ...] = tuple(
    mantissa * 10**power for power in range(0, 9) for mantissa in (1, 2, 5)
)
PRICE_BANDS: tuple[tuple[int | None, int | None], ...] = tuple(
    zip((None, *PRICE_STEPS), (*PRICE_STEPS, None), strict=True)
)
MAX_PRICE_FACETS = 5
FACET_SIZE = 20
MAX_RESULT_WINDOW = 10_000  # deep pages cost more than they are worth, as in Elasticsearch


class SearchUnavailable(RuntimeError):
    """The search backend cannot answer now. Writes are safe: the outbox keeps them."""


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    category: str | None = None  # a category slug; its descendants match too
    state: str | None = None
    city: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    verified_only: bool = False
    supplier_id: int | None = None
    brand: str | None = None  # exact, any case
    fuzzy: bool = True  # False: the words exactly as typed (after "showing results for")
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    highlight: bool = True


@dataclass
class SearchHit:
    id: int
    score: float
    document: dict[str, Any]  # the stored display fields (see search.documents.DISPLAY_FIELDS)
    highlights: dict[str, str] = field(default_factory=dict)  # field -> safe HTML with <b>


@dataclass
class FacetValue:
    value: str
    count: int


@dataclass
class PriceBucket:
    low: int | None
    high: int | None
    count: int


@dataclass
class SearchResults:
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[FacetValue]]
    price_facets: list[PriceBucket]
    relaxed: bool = False  # no product matched every word, so these match some of them
    corrected: str | None = None  # the words searched for, when typo tolerance changed them


@dataclass(frozen=True)
class MatchRequest:
    """A buy requirement, to be matched to the suppliers whose products fit it best."""

    text: str
    category: str | None = None  # a category slug; its descendants match too
    state: str | None = None  # the buyer's: suppliers there are preferred
    city: str | None = None  # and within it, suppliers in the buyer's city
    exclude_supplier_id: int | None = None  # the buyer's own business
    limit: int = 10


@dataclass(frozen=True)
class SupplierMatch:
    supplier_id: int
    score: float
    gst_verified: bool = False


class SearchBackend(Protocol):
    name: str

    def index(self, documents: Sequence[dict[str, Any]]) -> None: ...

    def delete(self, product_ids: Sequence[int]) -> None: ...

    def rebuild(
        self, documents: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None
    ) -> int: ...

    def search(self, request: SearchRequest) -> SearchResults: ...

    def suggest(self, prefix: str, limit: int = 8) -> list[str]: ...

    def match_suppliers(self, request: MatchRequest) -> list[SupplierMatch]: ...

    def count(self) -> int: ...

    def healthy(self) -> bool: ...

    def clear(self) -> None: ...
