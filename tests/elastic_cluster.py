"""The Elasticsearch cluster a failover test may kill a node of (ES_CLUSTER_URLS), and the lock
that keeps the other Elasticsearch tests off it meanwhile.

The contract tests run on the same cluster (in CI, ELASTICSEARCH_URL names the same nodes). Each
of their tests holds the lock shared; the failover test holds it alone, so no other test sees a
node die under it, and the stream of searches the failover test measures is its own.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from search.elastic_client import node_urls

ROOT = Path(__file__).resolve().parent.parent
CLUSTER_URLS = os.environ.get("ES_CLUSTER_URLS")


def cluster_urls() -> list[str]:
    """The cluster's nodes; CI must have one, elsewhere the failover tests skip without it."""
    if CLUSTER_URLS:
        return node_urls(CLUSTER_URLS)
    if os.environ.get("CI"):
        pytest.fail("CI must run the cluster tests: scripts/elasticsearch cluster start")
    pytest.skip(
        "ES_CLUSTER_URLS is not set: the failover tests need a cluster of our own to kill a"
        " node of (scripts/elasticsearch cluster start, then export ES_CLUSTER_URLS)"
    )


def cluster_script(command: str, node: int | None = None) -> str:
    """scripts/elasticsearch cluster <command> [node], for the cluster at ES_CLUSTER_URLS."""
    urls = cluster_urls()
    port = urlsplit(urls[0]).port
    run = subprocess.run(
        [str(ROOT / "scripts" / "elasticsearch"), "cluster", command]
        + ([str(node)] if node is not None else []),
        # A restarted node's JVM and its shards' recovery are slow on a busy CI machine.
        env={
            "ES_START_TIMEOUT": "300",
            **os.environ,
            "ES_PORT": str(port),
            "ES_NODES": str(len(urls)),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stderr


@contextmanager
def cluster_in_use(*, alone: bool = False) -> Iterator[None]:
    """Held shared by a test using the cluster, alone by one that kills a node of it."""
    if not CLUSTER_URLS:
        yield
        return
    key = hashlib.sha256(",".join(sorted(node_urls(CLUSTER_URLS))).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"marketplace-es-cluster-{key}.lock"
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
