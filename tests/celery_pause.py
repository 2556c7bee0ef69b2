"""`celery -A tests.celery_pause worker`: the production worker, except that its first search
drain stops inside the index write for a while, so a test can kill the worker mid-task."""

import os
import time

from search.embedded import EmbeddedSearch
from workers.worker import celery  # noqa: F401  (the app `celery -A` looks for)

_index = EmbeddedSearch.index


def _paused_index(self, documents):  # type: ignore[no-untyped-def]
    marker = os.environ["PAUSE_MARKER"]
    if not os.path.exists(marker):
        with open(marker, "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(60)
    return _index(self, documents)


EmbeddedSearch.index = _paused_index  # type: ignore[method-assign]
