"""The Elasticsearch backend, for a catalogue that outgrows one machine.

Products live in a concrete index behind an alias. A rebuild fills a fresh index and then swaps
the alias in one atomic step, so searches never see a half-built catalogue. Writes carry the
product's version (external_gte), so a slow or repeated outbox drain never puts an older
document over a newer one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from elasticsearch import ApiError, TransportError, helpers

from search import results
from search.analysis import (
    FIELD_BOOSTS,
    FUZZY_FIELDS,
    PHRASE_FIELDS,
    Mode,
    QueryPlan,
    fuzziness,
    plan,
    words,
)
from search.documents import DISPLAY_FIELDS, display
from search.elastic_client import connect
from search.elastic_template import MAPPINGS, index_settings
from search.protocol import (
    MatchRequest,
    SearchHit,
    SearchRequest,
    SearchResults,
    SearchUnavailable,
    SupplierMatch,
)

_FUZZY_BOOST = 0.3
_COPY_SECONDS = 600


def _unavailable(error: Exception) -> SearchUnavailable:
    return SearchUnavailable(f"Elasticsearch did not answer: {error}")


class ElasticsearchSearch:
    name = "elasticsearch"

    def __init__(
        self, urls: str | Sequence[str], prefix: str, *, shards: int = 1, replicas: int = 1
    ):
        self.client = connect(urls)
        self.alias = f"{prefix}-products"
        # Shards shape the indices made from now on (a rebuild); replicas the live one too.
        self.settings = index_settings(shards=shards, replicas=replicas)
        self._ready = False

    # --- the index -------------------------------------------------------------------------

    def _ensure_index(self) -> None:
        if self._ready:
            return
        try:
            # Every versioned index behind the alias gets its settings and mapping from one
            # template, so an index made by a rebuild (or by hand) always has the same shape.
            self.client.indices.put_index_template(
                name=self.alias,
                index_patterns=[f"{self.alias}-*"],
                template={"settings": self.settings, "mappings": MAPPINGS},
                priority=100,
            )
            if not self.client.indices.exists_alias(name=self.alias):
                concrete = self._create_concrete()
                self.client.indices.put_alias(index=concrete, name=self.alias)
            else:  # an index made before a new field: fields are only ever added
                self.client.indices.put_mapping(index=self.alias, properties=MAPPINGS["properties"])
                replicas = self.settings["number_of_replicas"]
                self.client.indices.put_settings(
                    index=self.alias, settings={"number_of_replicas": replicas}
                )
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error
        self._ready = True

    def _create_concrete(self) -> str:
        name = f"{self.alias}-{time.time_ns()}"
        self.client.indices.create(index=name)  # shaped by the index template
        return name

    @staticmethod
    def _source(doc: dict[str, Any]) -> dict[str, Any]:
        source = {key: doc[key] for key in MAPPINGS["properties"] if key in doc}
        source["city_key"] = doc["city"].lower()
        source["brand_key"] = (doc.get("brand") or "").lower()
        return source

    def _actions(self, documents: Iterable[dict[str, Any]], index: str) -> Iterator[dict[str, Any]]:
        for doc in documents:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": doc["id"],
                "version": doc["version"],
                "version_type": "external_gte",
                "_source": self._source(doc),
            }

    # --- writing ---------------------------------------------------------------------------

    def index(self, documents: Sequence[dict[str, Any]]) -> None:
        if not documents:
            return
        self._ensure_index()
        try:
            _, errors = helpers.bulk(
                self.client,
                self._actions(documents, self.alias),
                raise_on_error=False,
                refresh="wait_for",
            )
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error
        # A version conflict means a newer version is already indexed: that is the goal.
        real = [e for e in errors if e.get("index", {}).get("status") != 409]
        if real:
            raise SearchUnavailable(f"Elasticsearch refused {len(real)} documents: {real[:3]}")

    def delete(self, product_ids: Sequence[int]) -> None:
        if not product_ids:
            return
        self._ensure_index()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": pid} for pid in product_ids)
        try:
            _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh="wait_for")
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error
        real = [e for e in errors if e.get("delete", {}).get("status") != 404]
        if real:
            raise SearchUnavailable(f"Elasticsearch refused {len(real)} deletions")

    def rebuild(
        self, documents: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None
    ) -> int:
        """Fill a fresh index, then point the alias at it in one atomic step."""
        count = 0
        self._ensure_index()
        try:
            concrete = self._create_concrete()
            # Filled with no copies: each document is written once, not once per copy.
            self.client.indices.put_settings(
                index=concrete, settings={"refresh_interval": "-1", "number_of_replicas": 0}
            )
            for ok, _ in helpers.streaming_bulk(
                self.client,
                self._actions(documents, concrete),
                chunk_size=2000,
                raise_on_error=True,
            ):
                count += ok
                if progress and count % 1000 == 0:
                    progress(1000)
            self.client.indices.refresh(index=concrete)
            self._copy(concrete)
            old = (
                list(self.client.indices.get_alias(name=self.alias).keys())
                if self.client.indices.exists_alias(name=self.alias)
                else []
            )
            self.client.indices.update_aliases(
                actions=[
                    *({"remove": {"index": name, "alias": self.alias}} for name in old),
                    {"add": {"index": concrete, "alias": self.alias}},
                ]
            )
            for name in old:
                self.client.indices.delete(index=name)
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error
        self._ready = True
        if progress:
            progress(count % 1000)
        return count

    def _copy(self, concrete: str) -> None:
        """Make a filled index's copies (from its finished segments, far faster than document by
        document) and wait for them: the alias moves to it only once it survives a lost node."""
        replicas = self.settings["number_of_replicas"]
        # A million products flush and copy for longer than a search may take.
        slow = self.client.options(request_timeout=_COPY_SECONDS)
        slow.indices.flush(index=concrete)  # copies take the files, no replay of a log
        self.client.indices.put_settings(
            index=concrete, settings={"refresh_interval": "1s", "number_of_replicas": replicas}
        )
        nodes = self.client.cluster.health()["number_of_data_nodes"]
        wanted = "green" if nodes > replicas else "yellow"  # a copy never shares a node
        slow.cluster.health(index=concrete, wait_for_status=wanted, timeout=f"{_COPY_SECONDS}s")

    def clear(self) -> None:
        self._ensure_index()
        try:
            self.client.delete_by_query(
                index=self.alias, query={"match_all": {}}, refresh=True, conflicts="proceed"
            )
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error

    def drop(self) -> None:
        """Delete the alias and every index behind it (tests)."""
        try:
            # By name: Elasticsearch 8 refuses wildcard deletes (action.destructive_requires_name).
            names = list(self.client.indices.get(index=f"{self.alias}-*"))
            if names:
                self.client.indices.delete(index=",".join(names))
            if self.client.indices.exists_index_template(name=self.alias):
                self.client.indices.delete_index_template(name=self.alias)
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error
        self._ready = False

    # --- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        self._ensure_index()
        try:
            return int(self.client.count(index=self.alias)["count"])
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error

    def healthy(self) -> bool:
        try:
            return bool(self.client.ping())
        except (ApiError, TransportError):
            return False

    @staticmethod
    def _fields() -> list[str]:
        return [f"{field}^{boost:g}" for field, boost in FIELD_BOOSTS.items()]

    @staticmethod
    def _phrase_fields() -> list[str]:
        return [f"{field}^{FIELD_BOOSTS[field]:g}" for field in PHRASE_FIELDS]

    @staticmethod
    def _fuzzy_fields() -> list[str]:
        """The unstemmed sub-fields: typos are judged against words as written."""
        return [f"{field}.plain^{FIELD_BOOSTS[field] * _FUZZY_BOOST:g}" for field in FUZZY_FIELDS]

    def _text(
        self, query_plan: QueryPlan, *, mode: Mode, fuzzy: bool = True, let_go: int = 0
    ) -> dict[str, Any] | None:
        musts, shoulds_of_plan = [], []
        required_clauses = query_plan.required(mode, let_go)
        for clause, required in zip(query_plan.clauses, required_clauses, strict=True):
            shoulds: list[dict[str, Any]] = []
            for phrase in clause.alternatives:
                text = " ".join(phrase)
                if len(phrase) > 1:
                    shoulds.append(
                        {
                            "multi_match": {
                                "query": text,
                                "type": "phrase",
                                "fields": self._phrase_fields(),
                            }
                        }
                    )
                    continue
                # Summed over the fields, as the embedded engine scores them (not the best one).
                shoulds.append(
                    {
                        "multi_match": {
                            "query": text,
                            "type": "most_fields",
                            "fields": self._fields(),
                        }
                    }
                )
                distance = 0 if any(c.isdigit() for c in text) else fuzziness(text)
                if distance and fuzzy and clause.fuzzy:
                    shoulds.append(
                        {
                            "multi_match": {
                                "query": text,
                                "fuzziness": distance,
                                "max_expansions": 50,
                                "fields": self._fuzzy_fields(),
                            }
                        }
                    )
            either = {"bool": {"should": shoulds, "minimum_should_match": 1}}
            (musts if required else shoulds_of_plan).append(either)
        if not musts and not shoulds_of_plan:
            return None
        if not musts:
            return {"bool": {"should": shoulds_of_plan, "minimum_should_match": 1}}
        return {"bool": {"must": musts, "should": shoulds_of_plan}}

    @staticmethod
    def _filters(request: SearchRequest) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = []
        if request.category:
            filters.append({"term": {"category_path": request.category}})
        if request.state:
            filters.append({"term": {"state": request.state}})
        if request.city:
            filters.append({"term": {"city_key": request.city.lower()}})
        if request.verified_only:
            filters.append({"term": {"gst_verified": True}})
        if request.supplier_id is not None:
            filters.append({"term": {"supplier_id": request.supplier_id}})
        if request.brand:
            filters.append({"term": {"brand_key": request.brand.lower()}})
        bounds = {}
        if request.price_min is not None:
            bounds["gte"] = float(request.price_min)
        if request.price_max is not None:
            bounds["lte"] = float(request.price_max)
        if bounds:
            filters.append({"range": {"price": bounds}})
        return filters

    def _query(
        self, request: SearchRequest, query_plan: QueryPlan, *, mode: Mode, let_go: int = 0
    ) -> tuple[dict[str, Any], bool]:
        text = self._text(query_plan, mode=mode, fuzzy=request.fuzzy, let_go=let_go)
        return {
            "bool": {
                "must": [text] if text else [{"match_all": {}}],
                "filter": self._filters(request),
            }
        }, text is not None

    _SORTS = {
        "price_asc": [{"price": "asc"}, "_score"],
        "price_desc": [{"price": "desc"}, "_score"],
        "newest": [{"created": "desc"}, "_score"],
        "response": [{"response_rank": "desc"}, "_score"],
        # Equally relevant results: the supplier who answers enquiries best first.
        "relevance": ["_score", {"response_rank": "desc"}],
        # An index made before ratings has no rating_rank in some documents: they sort last.
        "rating": [{"rating_rank": {"order": "desc", "missing": "_last"}}, "_score"],
    }

    def _search(
        self, request: SearchRequest, query: dict[str, Any], marks: dict[str, Any] | None
    ) -> Any:
        body: dict[str, Any] = {
            "query": query,
            "from_": (request.page - 1) * request.per_page,
            "size": request.per_page,
            "track_total_hits": True,
            "aggs": results.AGGREGATIONS,
            "source": list(DISPLAY_FIELDS),
        }
        if request.sort in self._SORTS:
            body["sort"] = self._SORTS[request.sort]
            body["track_scores"] = True
        if marks:
            body["highlight"] = {
                "highlight_query": marks,
                "encoder": "html",
                "pre_tags": ["<b>"],
                "post_tags": ["</b>"],
                "fields": {
                    "name": {"number_of_fragments": 0},
                    "description": {"fragment_size": 180, "number_of_fragments": 1},
                },
            }
        try:
            return self.client.search(index=self.alias, **body)
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error

    def search(self, request: SearchRequest) -> SearchResults:
        self._ensure_index()
        query_plan = plan(request.text)
        query, has_text = self._query(request, query_plan, mode="all")
        # The words as typed are marked, not typo matches (as on the embedded engine): a fuzzy
        # query in the highlighter costs ten times the search itself.
        marks = (
            self._text(query_plan, mode="any", fuzzy=False)
            if request.highlight and has_text
            else None
        )
        response = self._search(request, query, marks)
        relaxed = False
        if response["hits"]["total"]["value"] == 0 and has_text and query_plan.can_relax:
            for let_go in query_plan.relaxations(exact=not request.fuzzy):
                query, _ = self._query(request, query_plan, mode="relaxed", let_go=let_go)
                found = self._search(request, query, marks)
                if found["hits"]["total"]["value"]:
                    response, relaxed = found, True
                    break
        aggregations = response.get("aggregations", {})
        hits = [
            SearchHit(
                int(hit["_id"]),
                float(hit.get("_score") or 0.0),
                display(hit["_source"]),
                {field: " … ".join(parts) for field, parts in hit.get("highlight", {}).items()},
            )
            for hit in response["hits"]["hits"]
        ]
        return SearchResults(
            hits=hits,
            total=response["hits"]["total"]["value"],
            facets=results.facets(aggregations),
            price_facets=results.price_facets(aggregations),
            relaxed=relaxed,
            corrected=None if relaxed else results.corrected(request, query_plan, hits),
        )

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        typed = " ".join(words(prefix))
        if len(typed) < 2:
            return []
        self._ensure_index()
        try:
            response = self.client.search(
                index=self.alias,
                size=0,
                query={"prefix": {"suggest": typed}},
                aggs={
                    "suggestions": {
                        "terms": {
                            "field": "suggest",
                            "size": limit,
                            "include": re.escape(typed) + ".*",
                        }
                    }
                },
            )
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error
        buckets = response["aggregations"]["suggestions"]["buckets"]
        ranked = sorted(buckets, key=lambda b: (-b["doc_count"], len(b["key"]), b["key"]))
        return [bucket["key"] for bucket in ranked]

    def match_suppliers(self, request: MatchRequest) -> list[SupplierMatch]:
        self._ensure_index()
        search = SearchRequest(text=request.text, category=request.category)
        query, _ = self._query(search, plan(request.text), mode="any")
        try:
            response = self.client.search(
                index=self.alias,
                query=query,
                size=results.MATCH_CANDIDATES,
                source=["supplier_id", "state", "city", "gst_verified"],
            )
        except (ApiError, TransportError) as error:
            raise _unavailable(error) from error
        return results.rank_suppliers(
            ({"score": hit["_score"], **hit["_source"]} for hit in response["hits"]["hits"]),
            request,
        )
