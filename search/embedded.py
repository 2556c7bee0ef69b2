"""The embedded search engine: Tantivy (through its official Python bindings), on local disk.

Tantivy allows one writer per index across processes. Here only the outbox drain and a rebuild
write, each holding an exclusive `flock` on a lock file beside the index, so writers in several
web processes and workers take turns. Readers in every process notice a commit by the change of
the index's meta.json and reload before their next search.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import tantivy

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
from search.documents import display
from search.embedded_order import page_hits
from search.protocol import (
    MatchRequest,
    SearchHit,
    SearchRequest,
    SearchResults,
    SearchUnavailable,
    SupplierMatch,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = "10"  # bump when the schema changes; the index is then rebuilt from scratch
ANALYZER = "trade"
PLAIN = "plain"
_FUZZY_BOOST = 0.3  # a typo-tolerant match counts, but less than the word as typed


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in FIELD_BOOSTS:  # the words buyers search, stemmed
        builder.add_text_field(
            name,
            stored=name in ("name", "description"),
            tokenizer_name=ANALYZER,
            # Phrases (synonyms like "stainless steel") are matched in the short fields only;
            # positions for every description would double the index for little gain.
            index_option="position" if name in PHRASE_FIELDS else "freq",
        )
    for plain in FUZZY_FIELDS.values():  # the same words unstemmed, for typo tolerance
        builder.add_text_field(plain, tokenizer_name=PLAIN, index_option="basic")
    for name in ("category", "state", "city", "brand"):  # exact values: filters and facets
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    for name in ("category_path", "city_key", "brand_key", "suggest"):
        builder.add_text_field(name, tokenizer_name="raw")
    for name in ("unit", "company_name", "image", "gst_rate"):  # shown with a result
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    builder.add_unsigned_field("supplier_id", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("moq", stored=True)
    builder.add_float_field("price", stored=True, indexed=True, fast=True)
    builder.add_boolean_field("gst_verified", stored=True, indexed=True, fast=True)
    builder.add_boolean_field("price_includes_gst", stored=True)
    builder.add_integer_field("created", stored=True, indexed=True, fast=True)
    builder.add_integer_field("response_rank", stored=True, indexed=True, fast=True)
    builder.add_float_field("rating", stored=True)
    builder.add_unsigned_field("rating_count", stored=True)
    builder.add_float_field("rating_rank", fast=True)
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


def _boosted(query: tantivy.Query, boost: float) -> tantivy.Query:
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


class FacetCache:
    """A small per-process LRU of facet counts, keyed by the index commit and the request."""

    def __init__(self, entries: int):
        self.entries = entries
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        if self.entries <= 0:
            return
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


class EmbeddedSearch:
    name = "embedded"

    def __init__(self, path: str, facet_cache_entries: int = 1024):
        self.path = Path(path)
        self._facet_cache = FacetCache(facet_cache_entries)
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
        fields = {key: value for key, value in doc.items() if key != "version"}
        fields["name_plain"] = doc["name"]
        fields["category_plain"] = doc["category_text"]
        fields["city_key"] = doc["city"].lower()
        fields["brand_key"] = (doc.get("brand") or "").lower()
        return tantivy.Document.from_dict(fields, self.schema)

    @staticmethod
    def _stored(document: tantivy.Document) -> dict[str, Any]:
        stored = document.to_dict()
        return {key: values[0] for key, values in stored.items() if values}

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
        # One indexing thread: the Python side feeding it needs a core of its own (measured:
        # 21k docs/s with one thread against 18k with two, on a 2-core machine).
        with self._writer(heap_size=512_000_000, threads=1) as writer:
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

    def _known(self, searcher: tantivy.Searcher, token: str, plain: str) -> bool:
        """Is the word in the index as typed? Then it is no typo, and expanding it into every
        word within two edits (over a dictionary of millions) would be wasted work."""
        return any(searcher.doc_freq(field, plain) for field in FUZZY_FIELDS.values()) or any(
            searcher.doc_freq(field, token) for field in FIELD_BOOSTS
        )

    def _indexed(self, searcher: tantivy.Searcher, token: str) -> bool:
        return any(searcher.doc_freq(field, token) for field in FIELD_BOOSTS)

    def _word(
        self, searcher: tantivy.Searcher, token: str, typed: str, fuzzy: bool = True
    ) -> tantivy.Query:
        Q = tantivy.Query
        parts = [
            _boosted(Q.term_query(self.schema, field, token, index_option="freq"), boost)
            for field, boost in FIELD_BOOSTS.items()
        ]
        plain = self.plain_analyzer.analyze(typed)
        distance = 0 if not fuzzy or any(c.isdigit() for c in typed) else fuzziness(typed)
        if distance and len(plain) == 1 and not self._known(searcher, token, plain[0]):
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
                    Q.boost_query(Q.phrase_query(self.schema, field, tokens), FIELD_BOOSTS[field]),
                )
                for field in PHRASE_FIELDS
            ]
        )

    def _text(
        self,
        searcher: tantivy.Searcher,
        query_plan: QueryPlan,
        *,
        mode: Mode,
        fuzzy: bool,
        let_go: int = 0,
    ) -> tantivy.Query | None:
        clauses = []
        required_clauses = query_plan.required(mode, let_go)
        for clause, required in zip(query_plan.clauses, required_clauses, strict=True):
            alternatives = []
            for number, phrase in enumerate(clause.alternatives):
                tokens = self._tokens(phrase)
                if number and not all(self._indexed(searcher, token) for token in tokens):
                    continue  # a synonym no listing uses ("paip", "पाइप") adds only cost
                if len(tokens) == 1:
                    typos = fuzzy and clause.fuzzy
                    alternatives.append(self._word(searcher, tokens[0], phrase[0], typos))
                elif tokens:
                    alternatives.append(self._phrase(tokens))
            if len(alternatives) == 1:
                clauses.append((required, alternatives[0]))
            elif alternatives:
                clauses.append(
                    (
                        required,
                        tantivy.Query.boolean_query(
                            [(tantivy.Occur.Should, alternative) for alternative in alternatives]
                        ),
                    )
                )
        if not clauses:
            return None
        if len(clauses) == 1:
            return clauses[0][1]
        Occur = tantivy.Occur
        return tantivy.Query.boolean_query(
            [(Occur.Must if required else Occur.Should, query) for required, query in clauses]
        )

    def _filters(self, request: SearchRequest) -> list[tantivy.Query]:
        """Filters match or not: ids only, no positions or frequencies, and no part in the
        score (a scored filter cost as much as the words themselves)."""
        Q, schema = tantivy.Query, self.schema

        def exact(field: str, value: Any) -> tantivy.Query:
            return Q.const_score_query(Q.term_query(schema, field, value, "basic"), 0.0)

        filters = []
        if request.category:
            filters.append(exact("category_path", request.category))
        if request.state:
            filters.append(exact("state", request.state))
        if request.city:
            filters.append(exact("city_key", request.city.lower()))
        if request.verified_only:
            filters.append(exact("gst_verified", True))
        if request.supplier_id is not None:
            filters.append(exact("supplier_id", request.supplier_id))
        if request.brand:
            filters.append(exact("brand_key", request.brand.lower()))
        if request.price_min is not None or request.price_max is not None:
            low = float(request.price_min) if request.price_min is not None else float("-inf")
            high = float(request.price_max) if request.price_max is not None else float("inf")
            price = Q.range_query(schema, "price", tantivy.FieldType.Float, low, high)
            filters.append(Q.const_score_query(price, 0.0))
        return filters

    def _query(
        self,
        searcher: tantivy.Searcher,
        request: SearchRequest,
        query_plan: QueryPlan,
        *,
        mode: Mode,
        let_go: int = 0,
    ) -> tuple[tantivy.Query, bool]:
        text = self._text(searcher, query_plan, mode=mode, fuzzy=request.fuzzy, let_go=let_go)
        musts = ([text] if text is not None else []) + self._filters(request)
        if not musts:
            return tantivy.Query.all_query(), False
        if len(musts) == 1:  # no wrapper around a lone clause: each level costs a little
            return musts[0], text is not None
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in musts])
        return query, text is not None

    def search(self, request: SearchRequest) -> SearchResults:
        searcher = self._searcher()
        query_plan = plan(request.text)
        # One pass over every match gives the facets and, through the price bands, which cover
        # every price, the total; the ranked search then only has to find the page. That pass
        # is the costly part of a broad search, so its answer is kept until the next commit.
        key = (self._seen_commit, replace(request, sort="relevance", page=1, per_page=1))
        cached = self._facet_cache.get(key)
        if cached is None:
            query, has_text, relaxation, aggregations = self._count(searcher, request, query_plan)
            self._facet_cache.put(key, (relaxation, aggregations))
        else:
            relaxation, aggregations = cached
            mode = "all" if relaxation is None else "relaxed"
            query, has_text = self._query(
                searcher, request, query_plan, mode=mode, let_go=relaxation or 0
            )
        relaxed = relaxation is not None
        total = results.total(aggregations)
        offset = (request.page - 1) * request.per_page
        raw = page_hits(searcher, query, request, offset, has_text) if total > offset else []
        hits = self._hits(searcher, query, raw, request.highlight and has_text)
        return SearchResults(
            hits=hits,
            total=total,
            facets=results.facets(aggregations),
            price_facets=results.price_facets(aggregations),
            relaxed=relaxed,
            corrected=None if relaxed else results.corrected(request, query_plan, hits),
        )

    def _count(
        self, searcher: tantivy.Searcher, request: SearchRequest, query_plan: QueryPlan
    ) -> tuple[tantivy.Query, bool, int | None, Any]:
        """The query that finds something, whether it had to relax (None, or how many
        qualifiers it let go), and its aggregations: the facets and the total."""
        query, has_text = self._query(searcher, request, query_plan, mode="all")
        aggregations = searcher.aggregate(query, results.AGGREGATIONS)
        if results.total(aggregations) or not has_text or not query_plan.can_relax:
            return query, has_text, None, aggregations
        for let_go in query_plan.relaxations(exact=not request.fuzzy):
            relaxed, _ = self._query(searcher, request, query_plan, mode="relaxed", let_go=let_go)
            found = searcher.aggregate(relaxed, results.AGGREGATIONS)
            if results.total(found):
                return relaxed, has_text, let_go, found
        return query, has_text, None, aggregations

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
            highlights = {}
            for field, generator in snippets.items():
                snippet = generator.snippet_from_doc(doc)
                if snippet.highlighted():
                    highlights[field] = snippet.to_html()
            shown = display(self._stored(doc))
            hits.append(SearchHit(shown["id"], float(score), shown, highlights))
        return hits

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        typed = " ".join(words(prefix))
        if len(typed) < 2:
            return []
        terms = self._searcher().terms_with_prefix("suggest", typed, limit=500)
        ranked = sorted(terms, key=lambda term: (-term[1], len(term[0]), term[0]))
        return [term for term, _ in ranked[:limit]]

    def match_suppliers(self, request: MatchRequest) -> list[SupplierMatch]:
        """The suppliers whose products best match a buy requirement (any word may match)."""
        searcher = self._searcher()
        search = SearchRequest(text=request.text, category=request.category)
        query, _ = self._query(searcher, search, plan(request.text), mode="any")
        raw = searcher.search(query, results.MATCH_CANDIDATES, count=False).hits
        hits = []
        for score, address in raw:
            doc = self._stored(searcher.doc(address))
            hits.append({"score": score, **doc})
        return results.rank_suppliers(hits, request)
