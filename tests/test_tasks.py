"""Tasks without a worker: which tasks a worker registers, the task outbox that survives a
broker outage, and the locks that keep one run of a job at a time."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from marketplace.catalog.inputs import ProductIn
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.conftest import make_test_app
from workers import TASK_MODULES, outbox, relay
from workers.locks import job_lock
from workers.outbox import QueuedTask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A port nothing listens on: a broker that is down.
DEAD_BROKER = "redis://127.0.0.1:1/0"


def defined_tasks(app) -> set[str]:
    """Every task the code defines: import every module of ours and ask Celery."""
    for package in ("marketplace", "search", "workers"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if info.name != "workers.worker":  # the entry point builds an app at import
                importlib.import_module(info.name)
    return {name for name in app.extensions["celery"].tasks if not name.startswith("celery.")}


def test_a_worker_registers_every_task_the_code_defines(app, tmp_path):
    # What `celery -A workers.worker worker` imports at start, in a fresh interpreter.
    script = (
        "import json; from workers.worker import celery; "
        "celery.loader.import_default_modules(); "
        "print(json.dumps(sorted(t for t in celery.tasks if not t.startswith('celery.'))))"
    )
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": ""}
    printed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert printed.returncode == 0, printed.stderr
    registered = set(json.loads(printed.stdout.splitlines()[-1]))
    with app.app_context():
        defined = defined_tasks(app)
    assert "marketplace.catalog.tasks.drain_search_outbox" in defined
    assert registered == defined
    assert {name.rsplit(".", 1)[0] for name in defined} <= set(TASK_MODULES)


@pytest.fixture()
def broker_down(database_url, tmp_path, app):
    """An app on the suite's database whose broker refuses connections."""
    down = make_test_app(database_url, tmp_path, CELERY_BROKER_URL=DEAD_BROKER)
    yield down
    with down.app_context():
        db.engine.dispose()


def _empty_memory_queue(app) -> None:
    """kombu's in-memory broker is one per process: drop what other tests published to it."""
    with app.extensions["celery"].connection_for_read() as connection:
        connection.SimpleQueue("celery").clear()


def test_a_dead_broker_never_fails_a_request_nor_loses_its_task(broker_down, tmp_path):
    from tests.conftest import Api

    api = Api(broker_down.test_client())
    registered = api.post("/accounts", factories.registration("buyer"))
    assert registered.status_code == 201, registered.get_json()  # committed, not a 500
    with broker_down.app_context():
        queued = db.session.scalars(select(QueuedTask)).all()
        assert [row.task for row in queued] == ["marketplace.notifications.deliver_email"]
        assert queued[0].kwargs["to"] == registered.get_json()["email"]
        queued_id = queued[0].id
        # Still down: the relay keeps the row.
        assert relay.drain() == 0
        assert db.session.scalar(select(func.count(QueuedTask.id))) == 1

    # The broker is back (kombu's in-memory transport here; a real Redis in
    # test_celery_worker.py): the row is published under its own id and then forgotten.
    back = make_test_app(
        broker_down.config["SQLALCHEMY_DATABASE_URI"], tmp_path, CELERY_BROKER_URL="memory://"
    )
    with back.app_context():
        celery = back.extensions["celery"]
        _empty_memory_queue(back)
        assert relay.drain() == 1
        assert db.session.scalar(select(func.count(QueuedTask.id))) == 0
        with celery.connection_for_read() as connection:
            message = connection.SimpleQueue("celery").get(timeout=2)
        assert message.headers["id"] == queued_id
        assert message.headers["task"] == "marketplace.notifications.deliver_email"
        message.ack()
        db.engine.dispose()


def test_the_relay_publishes_in_batches_oldest_first(database_url, tmp_path, app):
    memory = make_test_app(database_url, tmp_path, CELERY_BROKER_URL="memory://")
    with memory.app_context():
        _empty_memory_queue(memory)
        for number in range(outbox.RELAY_BATCH + 3):
            outbox.record("marketplace.notifications.deliver_sms", [], {"number": number})
        commit()
        assert relay.drain() == outbox.RELAY_BATCH + 3
        assert db.session.scalar(select(func.count(QueuedTask.id))) == 0
        with memory.extensions["celery"].connection_for_read() as connection:
            queue = connection.SimpleQueue("celery")
            first = queue.get(timeout=2)
            assert first.payload[1] == {"number": 0}
            first.ack()
            queue.clear()
        db.engine.dispose()


def test_the_relay_publishes_each_commit_within_its_poll_and_stops_on_request(
    database_url, tmp_path, app
):
    memory = make_test_app(database_url, tmp_path, CELERY_BROKER_URL="memory://")
    stop = threading.Event()

    def relay_forever() -> None:
        with memory.app_context():
            relay.run(poll_seconds=0.1, stop=stop)
            db.session.remove()

    thread = threading.Thread(target=relay_forever)
    thread.start()
    try:
        with memory.app_context():
            outbox.record("marketplace.notifications.deliver_sms", [], {"to": "+919876543210"})
            commit()
            deadline = time.monotonic() + 5
            while outbox.backlog()[0] and time.monotonic() < deadline:
                db.session.rollback()
                time.sleep(0.05)
            assert outbox.backlog() == (0, None)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()  # a stop ends it after the current pass
    with memory.app_context():
        _empty_memory_queue(memory)
        db.engine.dispose()


def test_a_product_write_with_a_dead_broker_is_kept_for_the_periodic_drain(broker_down, ctx):
    from marketplace.accounts.models import User
    from marketplace.catalog.categories import load_categories
    from marketplace.catalog.models import SearchOutbox
    from marketplace.catalog.services import create_product

    load_categories()
    commit()
    supplier = factories.supplier()
    with broker_down.app_context():
        user = db.session.get(User, supplier.id)
        create_product(
            user,
            ProductIn.model_validate(
                {"name": "Copper Wire", "category": "copper-wires", "price": "700", "unit": "kg"}
            ),
        )
        commit()  # the drain cannot be sent: no error, and the outbox keeps the work
        assert db.session.scalar(select(func.count(SearchOutbox.id))) == 1


def test_one_run_of_a_job_at_a_time(ctx):
    with job_lock("test-job") as first:
        assert first is True
        with job_lock("test-job") as second:
            assert second is False  # a periodic run skips
        with job_lock("test-job", wait=0.2) as waited:
            assert waited is False  # an on-demand run gives up after its wait
        with job_lock("another-job") as other:
            assert other is True  # locks are per job
    with job_lock("test-job") as again:
        assert again is True  # released when the holder finished


def test_a_periodic_drain_skips_while_another_runs(app, ctx, monkeypatch):
    from marketplace.catalog import indexing
    from marketplace.catalog.tasks import drain_search_outbox

    runs = []
    monkeypatch.setattr(indexing, "drain_quietly", lambda: runs.append(1) or 1)
    with job_lock("drain-search-outbox"):
        assert drain_search_outbox.run(periodic=True) == 0
    assert drain_search_outbox.run(periodic=True) == 1
    assert runs == [1]


def test_the_relay_command_needs_a_broker_and_pending_counts_the_outbox(app, ctx):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["tasks", "relay"])
    assert refused.exit_code == 1
    assert "tasks run inline" in refused.output
    outbox.record("marketplace.notifications.deliver_sms", [], {"to": "+919876543210"})
    commit()
    pending = runner.invoke(args=["tasks", "pending"])
    assert pending.output.startswith("1 task(s) queued, the oldest for")


def test_any_publishing_failure_keeps_the_batch_queued(database_url, tmp_path, app, monkeypatch):
    memory = make_test_app(database_url, tmp_path, CELERY_BROKER_URL="memory://")
    with memory.app_context():
        outbox.record("marketplace.notifications.deliver_sms", [], {"to": "+919876543210"})
        commit()
        celery = memory.extensions["celery"]

        def refuse(*args, **kwargs):
            raise RuntimeError("Producer channel changed while a publish batch was active")

        monkeypatch.setattr(celery, "send_task", refuse)
        assert relay.drain() == 0  # logged, not raised: the relay keeps running
        assert outbox.backlog()[0] == 1
        monkeypatch.undo()
        assert relay.drain() == 1
        _empty_memory_queue(memory)
        db.engine.dispose()
