"""The production task path, for real: a Celery worker and beat on Redis and PostgreSQL.

Each test gets its own Redis server (so a test can stop the broker), a throwaway PostgreSQL
database, and `celery worker` and `celery beat` processes started as in production.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from marketplace.catalog.inputs import ProductIn
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.conftest import (
    SERVER_DATABASE_URL,
    Api,
    _postgres_database,
    free_port,
    make_test_app,
)
from tests.test_tasks import defined_tasks

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
FLASK = str(Path(sys.executable).with_name("flask"))

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.xdist_group("celery")]


# A worker's cold start (importing the app, joining the broker) takes a few seconds on a quiet
# machine and can take a minute on a busy one: the first wait of a test allows for that.
def _wait_for(check: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")


class Redis:
    """A private redis-server, so a test can take the broker away and bring it back."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = folder / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        arguments = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        arguments += ["--appendonly", "no", "--logfile", str(self.log)]
        self.process = subprocess.Popen(["redis-server", *arguments])
        _wait_for(self._answers, 10, "redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None


class Stack:
    """The web app of the test plus a worker and beat running the production entry point."""

    def __init__(self, database_url: str, folder: Path, redis: Redis):
        self.folder = folder
        self.redis = redis
        self.sms_port = free_port()
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis.url,
            "REDIS_URL": redis.url,
            "INSTANCE_PATH": str(folder / "instance"),
            "SEARCH_INDEX_PATH": str(folder / "search-index"),
            "SEARCH_DRAIN_INTERVAL": "1",
            "FLASK_APP": "wsgi.py",
            "SMS_BACKEND": "http",
            "SMS_GATEWAY_URL": f"http://127.0.0.1:{self.sms_port}/send",
            "PAUSE_MARKER": str(folder / "paused"),
            "ELASTICSEARCH_URL": "",
            "PUBLIC_BASE_URL": "https://tradesetu.test",
        }
        self.app = make_test_app(
            database_url,
            folder,
            CELERY_BROKER_URL=redis.url,
            SEARCH_INDEX_PATH=self.environment["SEARCH_INDEX_PATH"],
            OUTBOX_PATH=str(folder / "instance" / "outbox"),
        )
        # One deployment: the worker reads what the web app encrypted, with the same keys.
        self.environment |= {
            "SECRET_KEY": self.app.config["SECRET_KEY"],
            "FIELD_INDEX_KEY": self.app.config["FIELD_INDEX_KEY"],
            "FIELD_ENCRYPTION_KEYS": ",".join(self.app.config["FIELD_ENCRYPTION_KEYS"]),
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *command: str, name: str) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(command, cwd=ROOT, env=self.environment, stdout=log, stderr=log)
        self.processes.append(process)
        return process

    def worker(self, app: str = "workers.worker") -> subprocess.Popen[bytes]:
        return self.start(
            CELERY, "-A", app, "worker", "--pool", "prefork", "--concurrency", "1",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle", name="worker",
        )  # fmt: skip

    def beat(self) -> subprocess.Popen[bytes]:
        schedule = str(self.folder / "beat-schedule")
        return self.start(
            CELERY, "-A", "workers.worker", "beat", "--loglevel", "INFO", "--schedule", schedule,
            name="beat",
        )  # fmt: skip

    def relay(self) -> subprocess.Popen[bytes]:
        return self.start(FLASK, "tasks", "relay", name="relay")

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def search_ids(self, text: str) -> list[int]:
        from search.protocol import SearchRequest

        with self.app.app_context():
            from marketplace.search_backend import backend

            return [hit.id for hit in backend().search(SearchRequest(text=text)).hits]


@pytest.fixture()
def stack(tmp_path: Path) -> Iterator[Stack]:
    if not SERVER_DATABASE_URL:
        pytest.skip("DATABASE_URL is not set: the real Celery worker tests are skipped")
    if not os.environ.get("REDIS_URL") or not shutil.which("redis-server"):
        pytest.skip("REDIS_URL is not set (or no redis-server): the real worker tests skip")
    databases = _postgres_database()
    database_url = next(databases)
    redis = Redis(tmp_path)
    redis.start()
    stack = Stack(database_url, tmp_path, redis)
    with stack.app.app_context():
        db.create_all()
        from marketplace.catalog.categories import load_categories

        load_categories()
        commit()
    try:
        yield stack
    finally:
        stack.stop()
        redis.stop()
        with stack.app.app_context():
            db.engine.dispose()
        for name in ("worker", "beat", "relay"):
            if (tmp_path / f"{name}.log").exists():
                print(f"--- {name} log ---\n{stack.log(name)[-4000:]}")
        next(databases, None)


def _new_product(stack: Stack, name: str) -> int:
    from marketplace.accounts.models import User
    from marketplace.catalog.services import create_product

    with stack.app.app_context():
        supplier = factories.supplier()
        product = create_product(
            db.session.get(User, supplier.id),
            ProductIn.model_validate(
                {"name": name, "category": "copper-wires", "price": "700.00", "unit": "kg"}
            ),
        )
        commit()
        return product.id


def _outbox_size(stack: Stack) -> int:
    from marketplace.catalog.models import SearchOutbox

    with stack.app.app_context():
        return db.session.scalar(select(func.count(SearchOutbox.id))) or 0


def test_the_worker_registers_every_task(stack):
    stack.worker()
    celery = stack.app.extensions["celery"]

    def registered() -> set[str] | None:
        answer = celery.control.inspect(timeout=1).registered() or {}
        return {name.split(" ")[0] for names in answer.values() for name in names} or None

    tasks = _wait_for(registered, 90, "the worker to answer inspect")
    with stack.app.app_context():
        assert tasks == defined_tasks(stack.app)


def test_a_product_write_reaches_search_through_the_worker(stack):
    stack.worker()
    product_id = _new_product(stack, "Enamelled Copper Winding Wire")
    # The drain writes the index, then forgets the outbox row in its commit: wait for both.
    _wait_for(
        lambda: stack.search_ids("winding wire") == [product_id] and _outbox_size(stack) == 0,
        30,
        "the index",
    )
    assert "drain_search_outbox" in stack.log("worker")


def test_beat_drains_what_no_write_announced(stack):
    from marketplace.catalog.models import Product, SearchOutbox

    stack.worker()
    product_id = _new_product(stack, "Bare Copper Wire")
    _wait_for(lambda: stack.search_ids("bare copper") == [product_id], 90, "the first drain")
    stack.beat()
    # A change that reaches the outbox with no task sent (as when the broker was down).
    with stack.app.app_context():
        db.session.execute(
            update(Product).where(Product.id == product_id).values(name="Tinned Copper Wire")
        )
        db.session.add(SearchOutbox(product_id=product_id))
        db.session.commit()
    _wait_for(lambda: stack.search_ids("tinned") == [product_id], 30, "beat's periodic drain")
    assert "drain-search-outbox" in stack.log("beat")


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_a_failing_task_is_retried_with_backoff(stack):
    from marketplace.notifications import send_sms

    stack.worker()
    stack.relay()
    with stack.app.app_context():
        send_sms("+919876543210", "Your code is 482913")
        commit()
    # The SMS gateway is down: the task fails and is retried, waiting longer each time.
    _wait_for(lambda: stack.log("worker").count("Retry in") >= 2, 30, "two retries")
    gateway = HTTPServer(("127.0.0.1", stack.sms_port), _Gateway)
    _Gateway.received = []
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    try:
        _wait_for(lambda: _Gateway.received, 40, "the SMS after the gateway came back")
    finally:
        gateway.shutdown()
    assert _Gateway.received == [
        {"to": "+919876543210", "text": "Your code is 482913", "sender": "TRDSTU"}
    ]
    retries = [line for line in stack.log("worker").splitlines() if "Retry in" in line]
    assert all("deliver_sms" in line for line in retries)


def test_a_killed_workers_task_runs_again_with_its_effect_once(stack):
    stack.worker(app="tests.celery_pause")
    product_id = _new_product(stack, "Copper Busbar Strip")
    marker = Path(stack.environment["PAUSE_MARKER"])
    _wait_for(marker.exists, 90, "the drain to start")
    time.sleep(0.3)
    os.kill(int(marker.read_text()), signal.SIGKILL)  # the pool process, mid-task
    # The rerun writes the index, then forgets the outbox row in its commit: wait for both.
    _wait_for(
        lambda: stack.search_ids("busbar") == [product_id] and _outbox_size(stack) == 0,
        30,
        "the task to run again",
    )
    with stack.app.app_context():
        from marketplace.search_backend import backend

        assert backend().count() == 1  # indexed once, not twice
    assert "WorkerLostError" in stack.log("worker")


def test_a_dead_broker_delays_work_and_never_loses_it(stack):
    product_id = _new_product(stack, "Copper winding wire")
    with stack.app.app_context():
        buyer = factories.buyer()
    stack.worker()
    stack.beat()
    stack.relay()
    stack.redis.stop()
    api = Api(stack.app.test_client())
    started = time.monotonic()
    registered = api.post("/accounts", factories.registration("buyer"))
    assert registered.status_code == 201, registered.get_json()
    assert time.monotonic() - started < 10  # the request does not hang on the broker
    enquiry = api.sign_in(buyer.email).post(
        "/enquiries", {"product_id": product_id, "quantity": "40", "message": "Price for 40 kg?"}
    )
    assert enquiry.status_code == 201, enquiry.get_json()  # the untold lead waits for beat
    email = registered.get_json()["email"]
    mail = Path(stack.environment["INSTANCE_PATH"]) / "outbox" / "mail"
    time.sleep(2)
    assert not mail.exists() or not list(mail.iterdir())
    stack.redis.start()  # the broker returns, empty: the queued rows are all that is left

    def delivered() -> bool:
        texts = [p.read_text() for p in mail.iterdir()] if mail.exists() else []
        return (
            any(email in text for text in texts)
            and any("New enquiry: Copper winding wire" in text for text in texts)
            # This stack's SMS gateway is down: the SMS reaching the worker is what counts.
            and "deliver_sms" in stack.log("worker")
        )

    _wait_for(delivered, 60, "the mails and the SMS task to be sent after the broker came back")
    from workers.outbox import QueuedTask

    def relayed() -> bool:  # the relay forgets the rows in a commit after the broker took them
        with stack.app.app_context():
            return db.session.scalar(select(func.count(QueuedTask.id))) == 0

    _wait_for(relayed, 10, "the relay to forget what the broker took")


def test_a_requests_id_reaches_the_worker_through_the_outbox_and_the_relay(stack):
    stack.environment |= {"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}
    stack.worker()
    stack.relay()
    with stack.app.app_context():
        buyer = factories.buyer()
    response = Api(stack.app.test_client()).post(
        "/auth/password-reset", {"email": buyer.email}, headers={"X-Request-ID": "worker-req-0001"}
    )
    assert response.status_code == 202

    def started() -> list[dict[str, Any]]:
        lines = [line for line in stack.log("worker").splitlines() if line.startswith("{")]
        return [
            parsed
            for parsed in map(json.loads, lines)
            if parsed.get("request_id") == "worker-req-0001"
        ]

    lines = _wait_for(started, 90, "the worker's line under the request id")
    assert lines[0]["message"] == "task marketplace.notifications.deliver_email starts"
    assert buyer.email not in stack.log("worker")  # the task's arguments are logged redacted
