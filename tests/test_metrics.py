"""/metrics: answered only to the bearer of METRICS_TOKEN; each figure moves by what happened
(and a rolled-back request moves none); the queues' ages; and the counts of several gunicorn
workers added up in one scrape.

The counters are process-wide (the suite's apps share them), so every check is a difference
between two scrapes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from marketplace import health, notifications
from marketplace.accounts.models import User
from marketplace.credits import operators
from marketplace.credits.inputs import GoodwillIn
from marketplace.db import commit, utcnow
from marketplace.errors import ServiceError
from marketplace.extensions import db
from marketplace.leads import enquiries, webhook_delivery, webhook_outbox
from marketplace.leads.models import Lead, WebhookDelivery
from tests import factories
from tests.conftest import Api, Shop, free_port, served_document
from tests.test_requirements import REQUIREMENT, _supplier_with_pipe

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
FLASK = str(Path(sys.executable).with_name("flask"))
TOKEN = "metrics-token-" + "x" * 32
MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"

Figures = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Figures:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def figure(figures: Figures, name: str, **labels: str) -> float:
    return figures.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture()
def token(app) -> Iterator[str]:
    app.config["METRICS_TOKEN"] = TOKEN
    yield TOKEN
    app.config["METRICS_TOKEN"] = None


def scrape(client: Any) -> Figures:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return parse(response.get_data(as_text=True))


class Moved:
    """What a figure moved by between the scrape at the start and a scrape now."""

    def __init__(self, client: Any):
        self.client = client
        self.before = scrape(client)

    def __call__(self, name: str, **labels: str) -> float:
        return figure(scrape(self.client), name, **labels) - figure(self.before, name, **labels)


# --- who may scrape ----------------------------------------------------------------------------


def _page_as_any(response, path: bytes) -> bytes:
    body = response.get_data().replace(path, b"/some-page")
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token"', body)


def test_only_the_bearer_of_the_token_gets_the_figures(app, client):
    unknown = client.get("/no-such-page")
    assert unknown.status_code == 404
    # No token configured: nobody, not even someone who guesses one.
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
    app.config["METRICS_TOKEN"] = TOKEN
    try:
        refusals = [
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": f"Bearer {TOKEN}x"},
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer \u00e9\u00e9"},  # not ASCII: still a plain refusal
        ]
        for headers in refusals:
            refused = client.get("/metrics", headers=headers)
            assert refused.status_code == 404, headers
            # just like an unknown page (each names its own address for the language switcher,
            # whose form carries a CSRF token signed with the second it was made)
            assert _page_as_any(refused, b"/metrics") == _page_as_any(unknown, b"/no-such-page")
        answered = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        app.config["METRICS_TOKEN"] = None
    assert answered.status_code == 200
    assert answered.content_type.startswith("text/plain; version=0.0.4")
    assert answered.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answered.headers
    assert "# TYPE tradesetu_http_request_duration_seconds histogram" in answered.text


def test_openmetrics_is_served_to_a_scraper_that_asks_for_it(client, token):
    answered = client.get(
        "/metrics",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/openmetrics-text; version=1.0.0",
        },
    )
    assert answered.content_type.startswith("application/openmetrics-text")
    assert answered.text.endswith("# EOF\n")
    assert answered.text.count("# EOF") == 1  # one exposition, the queues' ages inside it


def test_metrics_is_not_part_of_the_api_document():
    assert not any("metrics" in path for path in served_document()["paths"])


# --- the figures move --------------------------------------------------------------------------


def test_requests_are_timed_by_endpoint_and_status_never_by_path(client, token):
    moved = Moved(client)
    for number in (1, 2, 3):
        assert client.get(f"/api/v1/products/{number}").status_code == 404
    assert client.get("/no/such/page/17").status_code == 404
    registered = client.post("/api/v1/accounts", json=factories.registration("buyer"))
    assert registered.status_code == 201
    name = "tradesetu_http_request_duration_seconds_count"
    assert moved(name, endpoint="api.product", status="404") == 3
    assert moved(name, endpoint="unmatched", status="404") == 1
    assert moved(name, endpoint="api.register", status="201") == 1
    paths = [labels for (sample, labels) in scrape(client) if sample == name]
    assert not any("/" in value for labels in paths for _, value in labels)


def test_enquiries_leads_webhooks_tasks_and_search_are_counted(
    client, token, ctx, shop: Shop, receiver, private_ok, api: Api
):
    supplier = api.sign_in(_email(shop.supplier_id))
    hooked = supplier.post("/webhooks", {"url": receiver.url, "events": ["lead.created"]})
    assert hooked.status_code == 201
    buyer = api.sign_in(_email(shop.buyer_id))
    moved = Moved(client)

    sent = buyer.post("/enquiries", {"product_id": shop.product_id, "message": "Quote 10 kg."})
    assert sent.status_code == 201
    assert moved("tradesetu_enquiries_created_total", source="api") == 1
    assert moved("tradesetu_leads_created_total", type="enquiry") == 1
    assert moved("tradesetu_webhook_deliveries_total", outcome="delivered") == 1
    assert len(receiver.received) == 1
    deliver = "marketplace.leads.tasks.deliver_webhook"
    assert moved("tradesetu_task_runs_total", task=deliver) == 1  # inline: after the commit
    assert moved("tradesetu_task_failures_total", task=deliver) == 0

    again = buyer.post("/enquiries", {"product_id": shop.product_id, "message": "Quote 10 kg."})
    assert again.status_code == 200  # the same enquiry within 24 hours: nothing new
    assert moved("tradesetu_enquiries_created_total", source="api") == 1

    receiver.statuses = [500]
    storefront = {"supplier_id": _profile(shop), "message": "Call me."}
    assert buyer.post("/enquiries", storefront).status_code == 201
    assert moved("tradesetu_webhook_deliveries_total", outcome="retrying") == 1

    assert client.get("/api/v1/search?q=seamless+pipe").status_code == 200
    search = "tradesetu_search_duration_seconds_count"
    assert moved(search, backend="embedded", operation="search") == 1


def test_a_failing_task_is_counted_as_run_and_failed(ctx, client, token, monkeypatch):
    def broken(delivery_id: int) -> None:
        raise RuntimeError("the receiver's address book is on fire")

    monkeypatch.setattr(webhook_delivery, "attempt_delivery", broken)
    celery = ctx.extensions["celery"]
    # As the embedded default runs: the tests' own setting re-raises a task's error at once,
    # before Celery could report the failure.
    monkeypatch.setitem(celery.conf, "task_eager_propagates", False)
    moved = Moved(client)
    task = celery.tasks["marketplace.leads.tasks.deliver_webhook"]
    assert task.delay(1).failed()
    assert moved("tradesetu_task_runs_total", task=task.name) == 1
    assert moved("tradesetu_task_failures_total", task=task.name) == 1


def test_a_task_that_fails_and_retries_counts_each_retry_then_one_failure(
    ctx, client, token, monkeypatch
):
    def gateway_down(*args: object, **kwargs: object) -> None:
        raise requests.ConnectionError("the SMS gateway is down")

    monkeypatch.setitem(ctx.config, "SMS_BACKEND", "http")
    monkeypatch.setitem(ctx.config, "SMS_GATEWAY_URL", "https://sms.example.in/send")
    monkeypatch.setattr(notifications.requests, "post", gateway_down)
    celery = ctx.extensions["celery"]
    monkeypatch.setitem(celery.conf, "task_eager_propagates", False)
    task = celery.tasks["marketplace.notifications.deliver_sms"]
    moved = Moved(client)
    assert task.apply(kwargs={"to": "+919812345670", "text": "hello"}).failed()
    runs = moved("tradesetu_task_runs_total", task=task.name)
    assert runs == task.max_retries + 1  # the first run and each retry
    assert moved("tradesetu_task_retries_total", task=task.name) == task.max_retries
    assert moved("tradesetu_task_failures_total", task=task.name) == 1


def test_unlocking_a_buylead_debits_one_credit_and_makes_one_lead(
    client, token, api: Api, ctx, categories, buyer
):
    maker = _supplier_with_pipe()
    operators.grant_goodwill(
        maker.email, GoodwillIn.model_validate({"credits": 3, "reason": "test credits"})
    )
    commit()
    moved = Moved(client)
    posted = api.sign_in(buyer.email).post("/requirements", REQUIREMENT)
    assert posted.status_code == 201
    search = "tradesetu_search_duration_seconds_count"
    assert moved(search, backend="embedded", operation="match_suppliers") == 1
    supplier = api.sign_in(maker.email)
    for _ in range(2):  # the second unlock returns the same lead and debits nothing
        assert supplier.post(f"/buyleads/{posted.get_json()['id']}/unlock").status_code == 200
    assert moved("tradesetu_credits_debited_total", kind="unlock") == 1
    assert moved("tradesetu_leads_created_total", type="buylead") == 1
    assert moved("tradesetu_credits_debited_total", kind="goodwill") == 0  # grants are not debits


def test_a_rolled_back_request_counts_nothing(
    client, token, api: Api, ctx, categories, buyer, shop: Shop, monkeypatch
):
    maker = _supplier_with_pipe()
    operators.grant_goodwill(
        maker.email, GoodwillIn.model_validate({"credits": 3, "reason": "test credits"})
    )
    commit()
    posted = api.sign_in(buyer.email).post("/requirements", REQUIREMENT).get_json()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ServiceError("Refused at the last moment.")

    # Each refusal comes after the count was asked for, inside the same transaction.
    monkeypatch.setattr(webhook_outbox, "emit", refuse)
    monkeypatch.setattr(enquiries, "soon", refuse)
    moved = Moved(client)
    unlocked = api.sign_in(maker.email).post(f"/buyleads/{posted['id']}/unlock")
    assert unlocked.status_code == 400
    enquiry = {"product_id": shop.product_id, "message": "Quote, please."}
    sent = api.sign_in(buyer.email).post("/enquiries", enquiry)
    assert sent.status_code == 400
    assert moved("tradesetu_credits_debited_total", kind="unlock") == 0
    assert moved("tradesetu_leads_created_total", type="buylead") == 0
    assert moved("tradesetu_enquiries_created_total", source="api") == 0
    assert moved("tradesetu_leads_created_total", type="enquiry") == 0
    assert db.session.query(Lead).count() == 0  # and indeed nothing was kept


def test_the_queues_ages_show_a_waiting_item(
    client, token, ctx, shop: Shop, receiver, private_ok, api: Api
):
    ages = "tradesetu_queue_oldest_age_seconds"
    empty = scrape(client)
    assert [figure(empty, ages, queue=q) for q in ("tasks", "search", "notices", "webhooks")] == [
        0,
        0,
        0,
        0,
    ]
    supplier = api.sign_in(_email(shop.supplier_id))
    hooked = supplier.post("/webhooks", {"url": receiver.url, "events": ["lead.created"]})
    assert hooked.status_code == 201
    receiver.statuses = [500]
    buyer = api.sign_in(_email(shop.buyer_id))
    sent = buyer.post("/enquiries", {"product_id": shop.product_id, "message": "Quote."})
    assert sent.status_code == 201
    assert figure(scrape(client), ages, queue="webhooks") == 0  # its retry is not due yet
    db.session.execute(
        update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(minutes=10))
    )
    db.session.execute(
        update(Lead).values(supplier_notified_at=None, created_at=utcnow() - timedelta(minutes=3))
    )
    commit()
    waiting = scrape(client)
    assert 600 <= figure(waiting, ages, queue="webhooks") < 660
    assert 180 <= figure(waiting, ages, queue="notices") < 240


def test_a_database_that_cannot_say_leaves_out_the_ages_not_the_scrape(client, token, monkeypatch):
    def unreadable() -> dict[str, int]:
        raise OperationalError("SELECT", {}, Exception("the database is down"))

    monkeypatch.setattr(health, "queue_ages", unreadable)
    figures = scrape(client)  # still a 200
    assert not any(name == "tradesetu_queue_oldest_age_seconds" for name, _ in figures)
    assert any(name == "tradesetu_http_request_duration_seconds_count" for name, _ in figures)


# --- several gunicorn workers ------------------------------------------------------------------


def _wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> str:
    response = requests.get(url, headers=headers, timeout=timeout)
    response.raise_for_status()
    return response.text


def _pids(folder: Path, kind: str) -> set[int]:
    return {int(path.stem.rsplit("_", 1)[1]) for path in folder.glob(f"{kind}_*.db")}


def test_several_gunicorn_workers_are_counted_as_one(tmp_path):
    """Two workers, each answering some of the requests: every scrape, whichever worker
    answers it, counts all of them; and a worker that dies keeps its counts."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SEARCH_INDEX_PATH": str(tmp_path / "search-index"),
        "ELASTICSEARCH_URL": "",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "FLASK_APP": "wsgi.py",
        "METRICS_TOKEN": TOKEN,
        MULTIPROC: str(folder),
    }
    # The migration runs without the folder (it is no worker), as an operator's would.
    migrating = {name: value for name, value in environment.items() if name != MULTIPROC}
    subprocess.run([FLASK, "db", "upgrade"], cwd=ROOT, env=migrating, check=True, timeout=120)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "gunicorn.log", "ab")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        # The portal's own config file: its child_exit hook is what keeps a dead worker's counts.
        [GUNICORN, "-c", "python:marketplace.gunicorn_conf", "marketplace.wsgi:app"],
        cwd=ROOT,
        env={**environment, "WEB_CONCURRENCY": "2", "PORT": str(port), "BIND": ""},
        stdout=log,
        stderr=log,
    )
    try:
        # Counted requests: a wait must never give up on one the server still answers (a busy
        # machine's first request can be slow), or the count would hold one more than was sent.
        _wait_for(lambda: _get(f"{base}/livez", timeout=60) == "ok", 60, "gunicorn")
        sent = 1
        with ThreadPoolExecutor(8) as pool:
            # Concurrent requests, until both workers have answered some.
            while len(_pids(folder, "histogram")) < 2 and sent < 2000:
                assert list(pool.map(lambda _: _get(f"{base}/livez"), range(40))) == ["ok"] * 40
                sent += 40
        assert len(_pids(folder, "histogram")) == 2, "one worker answered everything"

        def livez_count() -> float:
            text = _get(f"{base}/metrics", {"Authorization": f"Bearer {TOKEN}"})
            name = "tradesetu_http_request_duration_seconds_count"
            return figure(parse(text), name, endpoint="main.livez", status="200")

        assert [livez_count() for _ in range(6)] == [sent] * 6

        victim = min(_pids(folder, "histogram"))  # a worker that answered
        os.kill(victim, signal.SIGTERM)
        _wait_for(lambda: victim not in _pids(folder, "gauge_livesum"), 30, "child_exit")
        _wait_for(lambda: _get(f"{base}/livez", timeout=60) == "ok", 30, "the new worker")
        sent += 1
        assert [livez_count() for _ in range(4)] == [sent] * 4  # the dead worker's still count
    finally:
        server.terminate()
        server.wait(30)
        log.close()


# --- helpers -----------------------------------------------------------------------------------


def _email(user_id: int) -> str:
    return db.session.get(User, user_id).email


def _profile(shop: Shop) -> int:
    return db.session.get(User, shop.supplier_id).supplier.id
