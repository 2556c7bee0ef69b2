"""Search backends: the embedded Tantivy engine by default, Elasticsearch at scale.

This package knows nothing of the web app: the app builds a `search.backends.SearchSettings`
from its own configuration and opens the backend it names with `search.backends.open_backend`.
The database is the source of truth: the index is fed from the catalogue's outbox and can always
be rebuilt with `flask search reindex`.
"""

from __future__ import annotations

from search.protocol import SearchBackend, SearchUnavailable

__all__ = ["SearchBackend", "SearchUnavailable"]
