"""The app's search backend.

The app factory hands the search package its settings, read from the app's config (`init_app`);
everything in the app that searches or feeds the index asks `backend()`. The backend is opened
on first use in each process, so after a gunicorn fork it is never shared across one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app
from prometheus_client import Histogram

from marketplace.metrics import SEARCH_SECONDS
from search.backends import SearchSettings, open_backend
from search.protocol import SearchBackend

_SETTINGS = "search_settings"
_OPENED = "search"


def settings_from(config: Mapping[str, Any]) -> SearchSettings:
    return SearchSettings(
        index_path=config["SEARCH_INDEX_PATH"],
        facet_cache=config["SEARCH_FACET_CACHE"],
        elasticsearch_url=config.get("ELASTICSEARCH_URL") or None,
        elasticsearch_index_prefix=config["ELASTICSEARCH_INDEX_PREFIX"],
        elasticsearch_shards=config["ELASTICSEARCH_SHARDS"],
        elasticsearch_replicas=config["ELASTICSEARCH_REPLICAS"],
    )


def init_app(app: Flask) -> None:
    app.extensions[_SETTINGS] = settings_from(app.config)


def backend() -> SearchBackend:
    extensions = current_app.extensions
    if _OPENED not in extensions:
        extensions[_OPENED] = Timed(open_backend(extensions[_SETTINGS]))
    return extensions[_OPENED]


class Timed:
    """The backend, with the time each query takes counted by backend and operation (the search
    package itself knows nothing of the app's metrics). Everything else passes through."""

    TIMED = frozenset({"search", "suggest", "match_suppliers"})

    def __init__(self, inner: SearchBackend):
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name not in self.TIMED:
            return found
        return self._timed(found, SEARCH_SECONDS.labels(backend=self._inner.name, operation=name))

    @staticmethod
    def _timed(query: Callable[..., Any], histogram: Histogram) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with histogram.time():
                return query(*args, **kwargs)

        return timed
