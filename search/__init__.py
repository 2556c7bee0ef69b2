"""Search backends: the embedded Tantivy engine by default, Elasticsearch at scale.

`backend()` returns the configured one, built once per process (so after a gunicorn fork, never
shared across one). The database is the source of truth: the index is fed from the catalogue's
outbox and can always be rebuilt with `flask search reindex`.
"""

from __future__ import annotations

from flask import current_app

from search.protocol import SearchBackend, SearchUnavailable

__all__ = ["SearchBackend", "SearchUnavailable", "backend"]


def backend() -> SearchBackend:
    extensions = current_app.extensions
    if "search" not in extensions:
        extensions["search"] = _build(current_app.config)
    return extensions["search"]


def _build(config: dict) -> SearchBackend:
    if config.get("ELASTICSEARCH_URL"):
        from search.elastic import ElasticsearchSearch

        return ElasticsearchSearch(
            config["ELASTICSEARCH_URL"], config["ELASTICSEARCH_INDEX_PREFIX"]
        )
    from search.embedded import EmbeddedSearch

    return EmbeddedSearch(config["SEARCH_INDEX_PATH"], config["SEARCH_FACET_CACHE"])
