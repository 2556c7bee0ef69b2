"""Fault: PostgreSQL restarted under load.

gunicorn (2 workers, as in production) serves a private PostgreSQL cluster while threads send
enquiries, create products and edit them. Midway the cluster is stopped (fast: every session
is cut, as in a crash or a failover) and started again. Requests in flight fail with a clean
503 problem with Retry-After (never a 500, never a hang); the pools recover without restarting
the app; and afterwards every acknowledged write is stored exactly once and no refused one is
stored at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import create_engine, text

from marketplace.accounts.models import User
from marketplace.catalog.categories import load_categories
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.services import create_product
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.conftest import free_port, make_test_app, stamp
from tests.private_services import (
    PrivatePostgres,
    private_postgres,  # noqa: F401 (a fixture)
    wait_for,
)

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
LOAD_THREADS = 6
BUYERS, PRODUCTS = 4, 150
REQUEST_TIMEOUT = 20  # longer than any clean failure takes: a request that hits it has hung
PRODUCT = {
    "category": "stainless-steel-pipes",
    "description": "Seamless pipe for dairy plants.",
    "price": "325.50",
    "unit": "kg",
    "moq": 1,
}

# Private servers of its own (tests/private_services.py), never the shared ones.
pytestmark = [pytest.mark.xdist_group("faults")]


@dataclass
class Sent:
    kind: str  # enquiry, product, edit
    token: str  # unique text carried by the write
    status: int  # 0: no answer (the connection broke or timed out)
    answer: str = ""
    retry_after: str | None = None
    content_type: str = ""


@dataclass
class Load:
    base: str
    buyer_tokens: list[str]
    supplier_token: str
    product_ids: list[int]
    stop: threading.Event = field(default_factory=threading.Event)
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # A buyer's second enquiry about a product within a day is the first one again, so each
    # enquiry is of its own buyer and product.
    pairs: Iterator[tuple[str, int]] = field(init=False)

    def __post_init__(self) -> None:
        self.pairs = iter([(b, p) for b in self.buyer_tokens for p in self.product_ids[1:]])

    def _send(self, kind: str, method: str, path: str, bearer: str, body: dict) -> None:
        token = uuid.uuid4().hex
        body = {key: _marked(value, token) for key, value in body.items()}
        try:
            response = requests.request(
                method,
                f"{self.base}/api/v1{path}",
                json=body,
                headers={"Authorization": f"Bearer {bearer}"},
                timeout=REQUEST_TIMEOUT,
            )
            sent = Sent(
                kind,
                token,
                response.status_code,
                response.text[:300],
                response.headers.get("Retry-After"),
                response.headers.get("Content-Type", ""),
            )
        except requests.Timeout as error:
            sent = Sent(kind, token, -1, f"hung: {error}")
        except requests.ConnectionError as error:
            sent = Sent(kind, token, 0, str(error))
        with self.lock:
            self.sent.append(sent)

    def _page(self, path: str) -> None:
        """A product page, as a visitor's browser asks for it (HTML, read only)."""
        try:
            response = requests.get(f"{self.base}{path}", timeout=REQUEST_TIMEOUT)
            sent = Sent(
                "page",
                "",
                response.status_code,
                response.text[-300:],
                response.headers.get("Retry-After"),
                response.headers.get("Content-Type", ""),
            )
        except requests.Timeout as error:
            sent = Sent("page", "", -1, f"hung: {error}")
        except requests.ConnectionError as error:
            sent = Sent("page", "", 0, str(error))
        with self.lock:
            self.sent.append(sent)

    def run(self, number: int) -> None:
        while not self.stop.is_set():
            step = (number + len(self.sent)) % 4
            with self.lock:
                pair = next(self.pairs, None)
            if step == 0 and pair:
                enquiry = {"message": "Please quote, ref TOKEN", "quantity": "10"}
                self._send(
                    "enquiry", "POST", "/enquiries", pair[0], {**enquiry, "product_id": pair[1]}
                )
            elif step == 1:
                product = {**PRODUCT, "name": "SS Pipe TOKEN"}
                self._send("product", "POST", "/products", self.supplier_token, product)
            elif step == 2:
                self._page(f"/products/{self.product_ids[-1]}")
            else:
                edit = {"description": "Edited TOKEN"}
                path = f"/products/{self.product_ids[0]}"
                self._send("edit", "PATCH", path, self.supplier_token, edit)

    def of(self, kind: str) -> list[Sent]:
        return [sent for sent in self.sent if sent.kind == kind]


def _marked(value: object, token: str) -> object:
    return value.replace("TOKEN", token) if isinstance(value, str) else value


def seed(app: Flask) -> tuple[list[factories.Registered], factories.Registered, list[int]]:
    with app.app_context():
        db.create_all()
        stamp("head")
        load_categories()
        commit()
        buyers, supplier = [factories.buyer() for _ in range(BUYERS)], factories.supplier()
        owner = db.session.get(User, supplier.id)
        products = [
            create_product(owner, ProductIn.model_validate({**PRODUCT, "name": f"Tube {n}"}))
            for n in range(PRODUCTS)
        ]
        commit()
        product_ids = [product.id for product in products]
        db.engine.dispose()
    return buyers, supplier, product_ids


def api_token(base: str, person: factories.Registered) -> str:
    body = {"email": person.email, "password": person.password}
    response = requests.post(f"{base}/api/v1/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def deployment(app: Flask, database_url: str, folder: Path, **overrides: str) -> dict[str, str]:
    """The environment of every process of one deployment on `database_url` (the keys are the
    seeding app's, so they read what it encrypted)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "FIELD_INDEX_KEY": app.config["FIELD_INDEX_KEY"],
        "FIELD_ENCRYPTION_KEYS": ",".join(app.config["FIELD_ENCRYPTION_KEYS"]),
        "INSTANCE_PATH": str(folder / "instance"),
        "SEARCH_INDEX_PATH": str(folder / "search-index"),
        "ELASTICSEARCH_URL": "",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "FLASK_APP": "wsgi.py",
        **overrides,
    }


def serve(environment: dict[str, str], folder: Path, port: int) -> subprocess.Popen:
    """gunicorn with 2 workers, as deployed."""
    environment = {**environment, "WEB_CONCURRENCY": "2", "WEB_THREADS": "4", "PORT": str(port)}
    log = open(folder / "gunicorn.log", "ab")  # noqa: SIM115 (the process owns it)
    command = [GUNICORN, "-c", "python:marketplace.gunicorn_conf", "marketplace.wsgi:app"]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)


def _stored(cluster: PrivatePostgres, edited_id: int) -> dict[str, list[str]]:
    engine = create_engine(cluster.url)
    try:
        with engine.connect() as connection:
            messages = connection.scalars(text("SELECT message FROM leads")).all()
            names = connection.scalars(text("SELECT name FROM products")).all()
            description = connection.scalar(
                text("SELECT description FROM products WHERE id = :id"), {"id": edited_id}
            )
    finally:
        engine.dispose()
    return {
        "enquiry": [m.rsplit(" ", 1)[1] for m in messages if m.startswith("Please quote, ref")],
        "product": [n.rsplit(" ", 1)[1] for n in names if n.startswith("SS Pipe ")],
        "edit": [description.rsplit(" ", 1)[1]] if description.startswith("Edited") else [],
    }


def test_a_postgres_restart_under_load_fails_cleanly_and_loses_nothing(
    private_postgres: PrivatePostgres,  # noqa: F811 (the fixture)
    tmp_path: Path,
):
    cluster = private_postgres
    app = make_test_app(cluster.url, tmp_path)
    buyers, supplier, product_ids = seed(app)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The load is a few buyers and one supplier, far past their limits: limits are off.
    environment = deployment(app, cluster.url, tmp_path, RATELIMIT_ENABLED="false")
    server = serve(environment, tmp_path, port)
    try:
        started(base, tmp_path)
        tokens = [api_token(base, buyer) for buyer in buyers]
        load = Load(base, tokens, api_token(base, supplier), product_ids)
        threads = [threading.Thread(target=load.run, args=(n,)) for n in range(LOAD_THREADS)]
        for thread in threads:
            thread.start()
        # Load first (waited for, not timed: a busy machine serves fewer requests a second).
        wait_for(lambda: len(load.sent) >= 30, 60, "30 requests before the fault")
        before = len(load.sent)
        cluster.stop("fast")
        time.sleep(2)  # down, under load
        cluster.start()
        during = len(load.sent)
        # Back: the pools must recover by themselves, the app untouched.
        wait_for(lambda: _recovered(load.sent[during:]), 60, "20 requests, the last 10 all 2xx")
        load.stop.set()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + 5)
        after = load.sent[during:]
        assert server.poll() is None, "gunicorn died"
    finally:
        server.terminate()
        server.wait(30)

    summary = f"{len(load.sent)} requests: {_tally(load.sent)}; after the restart {_tally(after)}"
    assert before >= 20, summary  # there really was a load before the fault
    failed = [sent for sent in load.sent if not 200 <= sent.status < 300]
    assert failed, summary  # the fault really hit requests
    for sent in failed:  # clean: a 503 problem asking to retry, or a connection refused
        assert sent.status in (0, 503), f"{sent}\n{summary}"
        if sent.status == 503:
            face = "text/html" if sent.kind == "page" else "application/problem+json"
            assert sent.content_type.startswith(face), sent
            assert sent.retry_after and int(sent.retry_after) > 0, sent
    # The pools recovered without a restart of the app: what came after succeeded.
    assert _recovered(after), summary  # recovered, and stayed so

    stored = _stored(cluster, product_ids[0])
    for kind in ("enquiry", "product"):
        acknowledged = sorted(s.token for s in load.of(kind) if 200 <= s.status < 300)
        assert sorted(stored[kind]) == acknowledged, f"{kind}: {summary}"  # exactly once each
    edits = {s.token for s in load.of("edit") if 200 <= s.status < 300}
    assert stored["edit"] and set(stored["edit"]) <= edits  # the last edit is one acknowledged


def started(base: str, folder: Path) -> None:
    """Wait for gunicorn to answer; if it never does, fail with the end of its log."""
    try:
        wait_for(lambda: answers(f"{base}/livez"), 60, "gunicorn")
    except AssertionError as error:
        log = (folder / "gunicorn.log").read_text(errors="replace")[-3000:]
        raise AssertionError(f"{error}\n{log}") from None


def _recovered(after: list[Sent]) -> bool:
    return len(after) >= 20 and all(200 <= sent.status < 300 for sent in after[-10:])


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _tally(sent: list[Sent]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for one in sent:
        counts[one.status] = counts.get(one.status, 0) + 1
    return counts
