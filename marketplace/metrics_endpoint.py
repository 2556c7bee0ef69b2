"""/metrics: the Prometheus scrape, the time each request takes, and the durable queues' ages.

The scrape answers only a request bearing `Authorization: Bearer <METRICS_TOKEN>`; without the
token, with a wrong one, or when none is configured, it is a 404 like any unknown page (the
endpoint's existence is nobody else's business). It is not part of the API: it is not in the
OpenAPI document, sets no cookie, is exempt from rate limits and is never cached.

The figures themselves are defined in `marketplace.metrics`, below the domains; this module sits
above them (it reads the queues through `marketplace.health`).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterator
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    request,
    request_finished,
    request_started,
    request_tearing_down,
)
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from werkzeug.exceptions import NotFound

from marketplace import health, metrics
from marketplace.extensions import db, limiter

log = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)

_STARTED = "tradesetu.request_started"  # in the WSGI environ: one per request, whatever `g` is


class QueueAges(Collector):
    """The age of the oldest waiting item of each durable queue, read from the database when
    Prometheus asks (a value kept in a worker's memory would be stale, and per worker)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            ages = health.queue_ages()
        except Exception:  # the scrape still answers, without this figure, and says why in the log
            log.exception("metrics: the queues' ages could not be read")
            db.session.rollback()
            return
        family = GaugeMetricFamily(
            "tradesetu_queue_oldest_age_seconds",
            "Seconds the oldest waiting item of each durable queue has waited (0: empty)",
            labels=["queue"],
        )
        for queue, age in ages.items():
            family.add_metric([queue], age)
        yield family


def _authorized() -> bool:
    expected = current_app.config.get("METRICS_TOKEN")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())  # constant time


def sources() -> CollectorRegistry:
    """Every figure: with PROMETHEUS_MULTIPROC_DIR set, the sum of every process's files, read
    afresh; otherwise this process's own; and the queues' ages, read from the database."""
    registry = CollectorRegistry()
    if metrics.multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)
    registry.register(QueueAges())
    return registry


@bp.get("/metrics")
@limiter.exempt
def scrape() -> Response:
    if not _authorized():
        raise NotFound()
    # Prometheus' text format, or OpenMetrics when the scraper asks for it.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = Response(encode(sources()), content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response


def _started(sender: Flask, **_: Any) -> None:
    request.environ[_STARTED] = time.perf_counter()
    metrics.REQUESTS_IN_PROGRESS.inc()


def _finished(sender: Flask, response: Response, **_: Any) -> None:
    started = request.environ.get(_STARTED)
    if started is not None:
        # The endpoint's name, never the path: a path holds ids, so its values would be
        # unbounded. A request no route took is one value.
        endpoint = request.endpoint or metrics.UNMATCHED
        histogram = metrics.REQUEST_SECONDS.labels(endpoint=endpoint, status=response.status_code)
        histogram.observe(time.perf_counter() - started)


def _torn_down(sender: Flask, **_: Any) -> None:
    if request.environ.pop(_STARTED, None) is not None:
        metrics.REQUESTS_IN_PROGRESS.dec()


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # Signals, not before_request: request_started comes before every before_request function
    # (a rate limit's refusal is timed too) and request_finished after every after_request.
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
    request_tearing_down.connect(_torn_down, app)
