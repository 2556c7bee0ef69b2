"""The Elasticsearch client for one node or a cluster of them."""

from __future__ import annotations

from collections.abc import Sequence

from elasticsearch import Elasticsearch


def node_urls(urls: str | Sequence[str]) -> list[str]:
    """The cluster's nodes, from a list or one comma-separated string (as ELASTICSEARCH_URL)."""
    listed = urls.split(",") if isinstance(urls, str) else urls
    nodes = [url.strip() for url in listed if url.strip()]
    if not nodes:
        raise ValueError("no Elasticsearch node URL given")
    return nodes


def connect(urls: str | Sequence[str]) -> Elasticsearch:
    """A client that spreads requests over every node and fails over from a dead one.

    A node that fails (refused, reset, timed out, or answering 429/502/503/504) is marked dead
    for a growing while (1 s, doubling up to 30 s) and the request is retried on the next, so
    every request may try every node once more. Searches and our versioned writes are
    idempotent: a retry never applies a change twice.
    """
    nodes = node_urls(urls)
    return Elasticsearch(
        nodes,
        request_timeout=10,
        max_retries=max(2, len(nodes)),
        retry_on_timeout=True,
        dead_node_backoff_factor=1.0,
        max_dead_node_backoff=30.0,
    )
