"""Fault: Redis stopped and started under load.

One private Redis is both the rate-limit storage (REDIS_URL) and the Celery broker; gunicorn
(2 workers), a worker, beat and the task relay run on a private PostgreSQL. Buyers send
enquiries before, during and after a Redis outage. Every enquiry is accepted throughout; while
Redis is gone each web process enforces the limits in its own memory (so a limit is at most as
many times looser as there are processes, never off); and the notifications queued meanwhile
wait in the task outbox and are delivered, once each, when Redis is back.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import free_port, make_test_app, outbox
from tests.private_services import (
    PrivatePostgres,
    PrivateRedis,
    private_postgres,  # noqa: F401 (a fixture)
    private_redis,  # noqa: F401 (a fixture)
    wait_for,
)
from tests.test_faults_postgres import api_token, deployment, seed, serve, started

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
FLASK = str(Path(sys.executable).with_name("flask"))
PER_BUYER_PER_MINUTE = 5  # marketplace.leads.limits.ENQUIRY_LIMITS_PER_BUYER
WEB_PROCESSES = 2

# Private servers of its own (tests/private_services.py), never the shared ones.
pytestmark = [pytest.mark.xdist_group("faults")]


class Buyer:
    def __init__(self, base: str, token: str, address: str):
        self.base, self.token, self.address = base, token, address

    def enquire(self, product_id: int) -> tuple[int, str]:
        """(status, the enquiry's unique reference)."""
        reference = uuid.uuid4().hex
        response = requests.post(
            f"{self.base}/api/v1/enquiries",
            json={"product_id": product_id, "message": f"Please quote, ref {reference}"},
            headers={"Authorization": f"Bearer {self.token}", "X-Forwarded-For": self.address},
            timeout=20,
        )
        assert response.status_code in (201, 429), response.text  # never a 5xx
        return response.status_code, reference


def _in_parallel(sends: list[tuple[Buyer, int]]) -> list[tuple[int, str]]:
    results: list[tuple[int, str]] = [(0, "")] * len(sends)

    def send(index: int) -> None:
        buyer, product_id = sends[index]
        results[index] = buyer.enquire(product_id)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _stored_references(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            messages = connection.scalars(text("SELECT message FROM leads")).all()
            queued = connection.scalar(text("SELECT count(*) FROM queued_tasks"))
    finally:
        engine.dispose()
    assert queued == 0, f"{queued} tasks still in the outbox"
    return [message.rsplit(" ", 1)[1] for message in messages]


def test_a_redis_outage_keeps_enquiries_limits_and_notifications(
    private_postgres: PrivatePostgres,  # noqa: F811 (the fixture)
    private_redis: PrivateRedis,  # noqa: F811 (the fixture)
    tmp_path: Path,
):
    # The worker's mail lands in the deployment's instance folder, where `outbox` reads it.
    mail = str(tmp_path / "instance" / "outbox")
    app = make_test_app(private_postgres.url, tmp_path / "seed", OUTBOX_PATH=mail)
    buyers_, supplier, product_ids = seed(app)
    environment = deployment(
        app,
        private_postgres.url,
        tmp_path,
        REDIS_URL=private_redis.url,
        CELERY_BROKER_URL=private_redis.url,
        RATELIMIT_ENABLED="true",
        TRUSTED_PROXIES="1",  # each buyer from an address of its own
        ENQUIRY_NOTICE_INTERVAL="1",
        PUBLIC_BASE_URL="https://tradesetu.test",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = [serve(environment, tmp_path, port)]
    for name, command in {
        "worker": [CELERY, "-A", "workers.worker", "worker", "--pool", "solo", "--without-gossip",
                   "--without-mingle", "--loglevel", "INFO"],
        "beat": [CELERY, "-A", "workers.worker", "beat", "--schedule", str(tmp_path / "beat")],
        "relay": [FLASK, "tasks", "relay"],
    }.items():  # fmt: skip
        log = open(tmp_path / f"{name}.log", "ab")  # noqa: SIM115 (the process owns it)
        processes.append(
            subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        )
    try:
        started(base, tmp_path)
        buyers = [
            Buyer(base, api_token(base, person), f"198.51.100.{n}")
            for n, person in enumerate(buyers_, start=1)
        ]
        greedy, steady = buyers[0], buyers[1:]
        products = iter(product_ids)
        # Each steady buyer sends 5 in all (its limit per minute): 1 before, 2 during, 2 after.
        before = _in_parallel([(buyer, next(products)) for buyer in steady])
        private_redis.stop()
        during = _in_parallel([(buyer, next(products)) for buyer in steady for _ in range(2)])
        tries = 4 * PER_BUYER_PER_MINUTE
        # One after another: a request racing a process's switch to memory is let through
        # uncounted (Flask-Limiter), so concurrent ones could slip past the bound.
        greedy_during = [greedy.enquire(next(products)) for _ in range(tries)]
        private_redis.start()
        after = _in_parallel([(buyer, next(products)) for buyer in steady for _ in range(2)])

        # Enquiries were accepted all along, the outage included.
        assert [status for status, _ in before + during + after] == [201] * (5 * len(steady))
        # The limit still held without Redis: one process's memory each, never unlimited.
        greedy_accepted = [status for status, _ in greedy_during].count(201)
        assert PER_BUYER_PER_MINUTE <= greedy_accepted <= WEB_PROCESSES * PER_BUYER_PER_MINUTE

        acknowledged = sorted(ref for status, ref in before + during + after + greedy_during
                              if status == 201)  # fmt: skip

        def all_told() -> bool:
            mails = [m for m in outbox(app) if "Subject: New enquiry" in m]
            return len(mails) >= len(acknowledged)

        wait_for(all_told, 60, "a notification of every enquiry, Redis being back")
        assert sorted(_stored_references(private_postgres.url)) == acknowledged
        mails = [m for m in outbox(app) if "Subject: New enquiry" in m]
        assert len(mails) == len(acknowledged)  # each told once
        assert all(supplier.email in mail for mail in mails)
        assert processes[0].poll() is None, "gunicorn died"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
