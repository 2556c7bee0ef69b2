"""The embedded search engine: Tantivy (through its official Python bindings), on local disk.

Tantivy allows one writer per index across processes. Here only the outbox drain and a rebuild
write, each holding an exclusive `flock` on a lock file beside the index, so writers in several
web processes and workers take turns. Readers in every process notice a commit by the change of
the index's meta.json and reload before their next search.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from search.analysis import FIELD_BOOSTS, FUZZY_FIELDS, QueryPlan, fuzziness, plan, words
from search.documents import display
from search.protocol import (
    FACET_SIZE,
    PRICE_BANDS,
    FacetValue,
    PriceBucket,
    SearchHit,
    SearchRequest,
    SearchResults,
    SearchUnavailable,
    SupplierMatch,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = "4"  # bump when the schema changes; the index is then rebuilt from scratch
ANALYZER = "trade"
PLAIN = "plain"
_FUZZY_BOOST = 0.3  # a typo-tolerant match counts, but less than the word as typed


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in FIELD_BOOSTS:
        builder.add_text_field(
            name, stored=name in ("name", "description"), tokenizer_name=ANALYZER
        )
    for name in ("category", "state", "city"):  # exact values: filters and facets
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
    for plain in FUZZY_FIELDS.values():
        builder.add_text_field(plain, tokenizer_name=PLAIN)
    builder.add_text_field("category_path", tokenizer_name="raw")
    builder.add_text_field("city_key", tokenizer_name="raw")
    builder.add_text_field("suggest", tokenizer_name="raw")
    builder.add_unsigned_field("supplier_id", indexed=True, fast=True)
    builder.add_float_field("price", indexed=True, fast=True)
    builder.add_boolean_field("gst_verified", indexed=True, fast=True)
    builder.add_integer_field("created", indexed=True, fast=True)
    builder.add_bytes_field("payload", stored=True, indexed=False)
    return builder.build()


def _analyzer(*, stem: bool) -> tantivy.TextAnalyzer:
    """Lower-case, fold accents, and (for the main fields) stem English: 'Pipes' finds 'pipe'."""
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


class EmbeddedSearch:
    name = "embedded"

    def __init__(self, path: str):
        self.path = Path(path)
        self.schema = _schema()
        self.analyzer = _analyzer(stem=True)
        self.plain_analyzer = _analyzer(stem=False)
        self._seen_commit = -1
        self._reload_lock = threading.Lock()
        try:
            self._index = self._open()
        except (OSError, ValueError) as error:
            raise SearchUnavailable(f"cannot open the search index at {path}: {error}") from error

    # --- storage ---------------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        version_file = self.path / "schema-version"
        with self._exclusive():
            if self.path.exists() and (
                not version_file.exists() or version_file.read_text().strip() != SCHEMA_VERSION
            ):
                log.warning("search index at %s has an old schema: starting it empty", self.path)
                shutil.rmtree(self.path)
            self.path.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            version_file.write_text(SCHEMA_VERSION)
        index.register_tokenizer(ANALYZER, self.analyzer)
        index.register_tokenizer(PLAIN, self.plain_analyzer)
        return index

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """The cross-process writer lock (blocks until the other writer is done)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _writer(self, heap_size: int = 64_000_000, threads: int = 1) -> Iterator[Any]:
        with self._exclusive():
            writer = self._index.writer(heap_size=heap_size, num_threads=threads)
            try:
                yield writer
            except BaseException:
                writer.rollback()
                raise
            writer.commit()
            writer.wait_merging_threads()
        self._searcher()  # this process sees its own write at once

    def _searcher(self) -> tantivy.Searcher:
        try:
            commit = os.stat(self.path / "meta.json").st_mtime_ns
        except FileNotFoundError as error:
            raise SearchUnavailable("the search index has disappeared") from error
        if commit != self._seen_commit:
            with self._reload_lock:
                self._index.reload()
                self._seen_commit = commit
        return self._index.searcher()

    def _by_id(self, product_id: int) -> tantivy.Query:
        # Built from the schema so the id is typed unsigned, as indexed.
        return tantivy.Query.term_query(self.schema, "id", product_id)

    def _tantivy_document(self, doc: dict[str, Any]) -> tantivy.Document:
        fields = {
            "id": doc["id"],
            "name": doc["name"],
            "description": doc["description"],
            "specs": doc["specs"],
            "category_text": doc["category_text"],
            "name_plain": doc["name"],
            "category_plain": doc["category_text"],
            "category": doc["category"],
            "category_path": doc["category_path"],
            "state": doc["state"],
            "city": doc["city"],
            "city_key": doc["city"].lower(),
            "suggest": doc["suggest"],
            "supplier_id": doc["supplier_id"],
            "price": float(doc["price"]),
            "gst_verified": doc["gst_verified"],
            "created": doc["created"],
            "payload": json.dumps(display(doc), separators=(",", ":")).encode(),
        }
        return tantivy.Document.from_dict(fields, self.schema)

    # --- writing ---------------------------------------------------------------------------

    def index(self, documents: Sequence[dict[str, Any]]) -> None:
        if not documents:
            return
        with self._writer() as writer:
            for doc in documents:  # replace: the product id is the document's identity
                writer.delete_documents_by_query(self._by_id(doc["id"]))
                writer.add_document(self._tantivy_document(doc))

    def delete(self, product_ids: Sequence[int]) -> None:
        if not product_ids:
            return
        with self._writer() as writer:
            for product_id in product_ids:
                writer.delete_documents_by_query(self._by_id(product_id))

    def rebuild(
        self, documents: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None
    ) -> int:
        """Replace the whole index in one commit: searches see the old index until then."""
        count = 0
        with self._writer(heap_size=512_000_000, threads=2) as writer:
            writer.delete_all_documents()
            for doc in documents:
                writer.add_document(self._tantivy_document(doc))
                count += 1
                if progress and count % 1000 == 0:
                    progress(1000)
        if progress:
            progress(count % 1000)
        return count

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    # --- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        return self._searcher().num_docs

    def healthy(self) -> bool:
        try:
            self._searcher()
        except SearchUnavailable:
            return False
        return True

    def _tokens(self, phrase: tuple[str, ...]) -> list[str]:
        return [token for word in phrase for token in self.analyzer.analyze(word)]

    def _word(self, token: str, typed: str) -> tantivy.Query:
        Q = tantivy.Query
        parts = [
            Q.boost_query(Q.term_query(self.schema, field, token), boost)
            for field, boost in FIELD_BOOSTS.items()
        ]
        plain = self.plain_analyzer.analyze(typed)
        distance = 0 if any(char.isdigit() for char in typed) else fuzziness(typed)
        if distance and len(plain) == 1:
            parts += [
                Q.boost_query(
                    Q.fuzzy_term_query(self.schema, plain_field, plain[0], distance, True, False),
                    FIELD_BOOSTS[field] * _FUZZY_BOOST,
                )
                for field, plain_field in FUZZY_FIELDS.items()
            ]
        return Q.boolean_query([(tantivy.Occur.Should, part) for part in parts])

    def _phrase(self, tokens: list[str]) -> tantivy.Query:
        Q = tantivy.Query
        return Q.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    Q.boost_query(Q.phrase_query(self.schema, field, tokens), boost),
                )
                for field, boost in FIELD_BOOSTS.items()
            ]
        )

    def _text(self, query_plan: QueryPlan, *, relaxed: bool) -> tantivy.Query | None:
        clauses = []
        for clause in query_plan.clauses:
            alternatives = []
            for phrase in clause.alternatives:
                tokens = self._tokens(phrase)
                if len(tokens) == 1:
                    alternatives.append(self._word(tokens[0], phrase[0]))
                elif tokens:
                    alternatives.append(self._phrase(tokens))
            if alternatives:
                clauses.append(
                    tantivy.Query.boolean_query(
                        [(tantivy.Occur.Should, alternative) for alternative in alternatives]
                    )
                )
        if not clauses:
            return None
        occur = tantivy.Occur.Should if relaxed else tantivy.Occur.Must
        return tantivy.Query.boolean_query([(occur, clause) for clause in clauses])

    def _filters(self, request: SearchRequest) -> list[tantivy.Query]:
        Q, schema = tantivy.Query, self.schema
        filters = []
        if request.category:
            filters.append(Q.term_query(schema, "category_path", request.category))
        if request.state:
            filters.append(Q.term_query(schema, "state", request.state))
        if request.city:
            filters.append(Q.term_query(schema, "city_key", request.city.lower()))
        if request.verified_only:
            filters.append(Q.term_query(schema, "gst_verified", True))
        if request.supplier_id is not None:
            filters.append(Q.term_query(schema, "supplier_id", request.supplier_id))
        if request.price_min is not None or request.price_max is not None:
            filters.append(
                Q.range_query(
                    schema,
                    "price",
                    tantivy.FieldType.Float,
                    float(request.price_min) if request.price_min is not None else float("-inf"),
                    float(request.price_max) if request.price_max is not None else float("inf"),
                )
            )
        return filters

    def _query(self, request: SearchRequest, *, relaxed: bool) -> tuple[tantivy.Query, bool]:
        text = self._text(plan(request.text), relaxed=relaxed)
        musts = ([text] if text is not None else []) + self._filters(request)
        if not musts:
            return tantivy.Query.all_query(), False
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in musts])
        return query, text is not None

    _AGGREGATIONS = {
        "category": {"terms": {"field": "category", "size": FACET_SIZE}},
        "state": {"terms": {"field": "state", "size": 40}},
        "city": {"terms": {"field": "city", "size": FACET_SIZE}},
        "price": {
            "range": {
                "field": "price",
                "ranges": [
                    {
                        key: value
                        for key, value in (("from", low), ("to", high))
                        if value is not None
                    }
                    for low, high in PRICE_BANDS
                ],
            }
        },
    }

    def search(self, request: SearchRequest) -> SearchResults:
        searcher = self._searcher()
        query, has_text = self._query(request, relaxed=False)
        relaxed = False
        offset = (request.page - 1) * request.per_page
        result = self._run(searcher, query, request, offset)
        if result.count == 0 and has_text and len(plan(request.text).clauses) > 1:
            query, _ = self._query(request, relaxed=True)
            result = self._run(searcher, query, request, offset)
            relaxed = result.count > 0
        hits = self._hits(searcher, query, result.hits, request.highlight and has_text)
        aggregations = searcher.aggregate(query, self._AGGREGATIONS) if result.count else {}
        return SearchResults(
            hits=hits,
            total=result.count or 0,
            facets={
                name: [
                    FacetValue(bucket["key"], bucket["doc_count"])
                    for bucket in aggregations.get(name, {}).get("buckets", [])
                ]
                for name in ("category", "state", "city")
            },
            price_facets=[
                PriceBucket(low, high, bucket["doc_count"])
                for (low, high), bucket in zip(
                    PRICE_BANDS, aggregations.get("price", {}).get("buckets", []), strict=False
                )
            ]
            if aggregations
            else [PriceBucket(low, high, 0) for low, high in PRICE_BANDS],
            relaxed=relaxed,
        )

    def _run(self, searcher: Any, query: tantivy.Query, request: SearchRequest, offset: int) -> Any:
        order = {
            "price_asc": ("price", tantivy.Order.Asc),
            "price_desc": ("price", tantivy.Order.Desc),
            "newest": ("created", tantivy.Order.Desc),
        }.get(request.sort)
        if order is None:
            return searcher.search(query, request.per_page, count=True, offset=offset)
        return searcher.search(
            query,
            request.per_page,
            count=True,
            offset=offset,
            order_by_field=order[0],
            order=order[1],
        )

    def _hits(
        self, searcher: Any, query: tantivy.Query, raw: list[Any], highlight: bool
    ) -> list[SearchHit]:
        snippets = {}
        if highlight and raw:
            for field, length in (("name", 200), ("description", 180)):
                generator = tantivy.SnippetGenerator.create(searcher, query, self.schema, field)
                generator.set_max_num_chars(length)
                snippets[field] = generator
        hits = []
        for score, address in raw:
            doc = searcher.doc(address)
            payload = json.loads(doc["payload"][0])
            highlights = {}
            for field, generator in snippets.items():
                snippet = generator.snippet_from_doc(doc)
                if snippet.highlighted():
                    highlights[field] = snippet.to_html()
            hits.append(SearchHit(payload["id"], float(score), payload, highlights))
        return hits

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        typed = " ".join(words(prefix))
        if len(typed) < 2:
            return []
        terms = self._searcher().terms_with_prefix("suggest", typed, limit=500)
        ranked = sorted(terms, key=lambda term: (-term[1], len(term[0]), term[0]))
        return [term for term, _ in ranked[:limit]]

    def match_suppliers(
        self, text: str, *, category: str | None = None, state: str | None = None, limit: int = 10
    ) -> list[SupplierMatch]:
        """The suppliers whose products best match a buy requirement (any word may match);
        a supplier in the buyer's state is preferred."""
        searcher = self._searcher()
        request = SearchRequest(text=text, category=category)
        query, _ = self._query(request, relaxed=True)
        raw = searcher.search(query, 300, count=False).hits
        best: dict[int, float] = defaultdict(float)
        for score, address in raw:
            payload = json.loads(searcher.doc(address)["payload"][0])
            bonus = 1.2 if state and payload["state"] == state else 1.0
            best[payload["supplier_id"]] = max(best[payload["supplier_id"]], score * bonus)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [SupplierMatch(supplier_id, score) for supplier_id, score in ranked]
