"""Which backend to open, from settings the app hands over (this package reads no app config)."""

from __future__ import annotations

from dataclasses import dataclass

from search.elastic import ElasticsearchSearch
from search.embedded import EmbeddedSearch
from search.protocol import SearchBackend


@dataclass(frozen=True)
class SearchSettings:
    index_path: str  # the embedded index's folder
    facet_cache: int = 1024  # facet counts the embedded index remembers
    # Set, Elasticsearch serves search instead of the embedded index: one node's URL, or every
    # node's, comma-separated (the client spreads requests over them and fails over).
    elasticsearch_url: str | None = None
    elasticsearch_index_prefix: str = "marketplace"
    elasticsearch_shards: int = 1  # primary shards of each index a rebuild makes
    elasticsearch_replicas: int = 1  # copies of each shard on other nodes (0 on a single node)


def open_backend(settings: SearchSettings) -> SearchBackend:
    if settings.elasticsearch_url:
        return ElasticsearchSearch(
            settings.elasticsearch_url,
            settings.elasticsearch_index_prefix,
            shards=settings.elasticsearch_shards,
            replicas=settings.elasticsearch_replicas,
        )
    return EmbeddedSearch(settings.index_path, settings.facet_cache)
