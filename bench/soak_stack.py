"""The soak's stack: its own redis-server, the database set up by the app's own commands, and
the production processes (gunicorn with the package's config, a Celery worker, beat, the relay).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.leads import _children, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CREDITS_EACH = 10_000  # the most one grant may give: more than a soak's unlocks can spend


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass  # it has just exited
    return 0


def tree_rss_kb(pid: int) -> int:
    """A process and its descendants (gunicorn's workers, the Celery pool)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_kb(current)
        todo.extend(_children(current))
    return total


class Stack:
    def __init__(self, database_url: str, folder: Path) -> None:
        self.database_url = database_url
        self.folder = folder
        self.redis_port = free_port()
        redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.env = {
            **os.environ,
            "APP_ENV": "development",  # demo data; production mode refuses it (see soak.py)
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "REDIS_URL": redis_url,
            "INSTANCE_PATH": str(folder / "instance"),
            "SEARCH_INDEX_PATH": str(folder / "search-index"),
            "ELASTICSEARCH_URL": "",
            "PUBLIC_BASE_URL": "https://soak.tradesetu.test",
            "RATELIMIT_ENABLED": "false",  # a few dozen accounts send what thousands would
            "FLASK_APP": "wsgi.py",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "text",
            "MAX_REQUESTS": "0",  # no worker recycling: a leak must show, not be hidden
            "SEARCH_DRAIN_INTERVAL": "5",
            "ENQUIRY_NOTICE_INTERVAL": "10",
        }
        for variable in ("PROMETHEUS_MULTIPROC_DIR", "SENTRY_DSN", "BIND", "HOST", "PORT"):
            self.env.pop(variable, None)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.port = 0

    def _start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start_redis(self) -> None:
        self._start("redis", ["redis-server", "--port", str(self.redis_port), "--bind",
                              "127.0.0.1", "--save", "", "--appendonly", "no"])  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the soak's redis-server did not start")

    def run(self, *arguments: str) -> None:
        started = time.perf_counter()
        done = subprocess.run(
            [str(BIN / "flask"), *arguments], cwd=ROOT, env=self.env, capture_output=True,
            text=True,
        )  # fmt: skip
        if done.returncode:
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
            raise SystemExit(f"flask {' '.join(arguments)} failed")
        print(f"$ flask {' '.join(arguments)}: {time.perf_counter() - started:.1f} s", flush=True)

    def setup(self, products: int, buyers: int) -> None:
        self.run("db", "upgrade")
        self.run("catalog", "load-categories")
        self.run("demo", "seed", "--products", str(products), "--buyers", str(buyers))

    def start_services(self, port: int) -> None:
        self.port = port
        web = {**self.env, "PORT": str(port), "HOST": "127.0.0.1"}
        self._start("gunicorn", [str(BIN / "gunicorn"), "-c", "python:marketplace.gunicorn_conf",
                                 "marketplace.wsgi:app"], web)  # fmt: skip
        celery = str(BIN / "celery")
        self._start("worker", [celery, "-A", "workers.worker", "worker", "--loglevel",
                               "WARNING", "--concurrency", "2", "--without-gossip",
                               "--without-mingle"])  # fmt: skip
        self._start("beat", [celery, "-A", "workers.worker", "beat", "--loglevel", "WARNING",
                             "--schedule", str(self.folder / "beat-schedule")])  # fmt: skip
        self._start("relay", [str(BIN / "flask"), "tasks", "relay"])

    def wait_for_search(self, name: str, seconds: float = 120) -> None:
        """The demo catalogue reaches the embedded index through the search queue (beat drains
        it); the load starts once a product can be found."""
        deadline = time.monotonic() + seconds
        query = urllib.parse.quote(name)
        while time.monotonic() < deadline:
            for process, running in self.processes.items():
                if running.poll() is not None:
                    raise SystemExit(f"{process} exited early:\n{self.log(process)[-3000:]}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/api/v1/search?q={query}", timeout=10
                ) as response:
                    if json.loads(response.read()).get("items"):
                        return
            except OSError:
                pass
            time.sleep(1)
        raise SystemExit("the demo catalogue never became searchable")

    def memory(self) -> dict[str, int]:
        """RSS in kB of each process tree but Redis's."""
        return {
            name: tree_rss_kb(process.pid)
            for name, process in self.processes.items()
            if name != "redis"
        }

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def error_lines(self) -> list[str]:
        """Tracebacks and errors the processes logged (LOG_LEVEL=WARNING keeps them short)."""
        found = []
        for name in ("gunicorn", "worker", "beat", "relay"):
            for line in self.log(name).splitlines():
                if "Traceback" in line or " ERROR" in line or "CRITICAL" in line:
                    found.append(f"{name}: {line[:300]}")
        return found

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def grant_and_tokens(stack: Stack) -> dict[str, Any]:
    """Credits for every demo supplier (the operator's goodwill grant, as `flask credits grant`
    does), a bearer token for every demo buyer and supplier (as POST /api/v1/auth/tokens gives,
    without paying bcrypt for each), and the products the load asks about."""
    os.environ.update(stack.env)  # this app reads the same database and instance secrets
    # The app is imported only now, once the environment is the soak's (as bench/leads.py does).
    from sqlalchemy import select

    from marketplace.accounts.api_keys import issue_bearer_token
    from marketplace.accounts.models import User
    from marketplace.accounts.passwords import DEMO_PASSWORD
    from marketplace.app import create_app
    from marketplace.catalog.models import Product
    from marketplace.catalog.taxonomy import slugify
    from marketplace.credits.inputs import GoodwillIn
    from marketplace.credits.operators import grant_goodwill
    from marketplace.db import commit
    from marketplace.extensions import db

    app = create_app()
    with app.app_context():
        people = db.session.scalars(
            select(User).where(User.email.like("%@demo.tradesetu.in")).order_by(User.id)
        ).all()
        suppliers, buyers = [], []
        for user in people:
            if user.supplier is not None:  # owners only (supplier1-manager@ and the team are not)
                grant_goodwill(user.email, GoodwillIn(credits=CREDITS_EACH, reason="soak test"))
                suppliers.append(issue_bearer_token(user)[0])
            elif user.email.startswith("buyer"):
                buyers.append(issue_bearer_token(user)[0])
        products = [
            {
                "id": p.id,
                "name": p.name,
                "unit": p.unit,
                "url": f"/products/{p.id}/{slugify(p.name)[:80]}",
            }  # its page, not the redirect
            for p in db.session.scalars(select(Product).order_by(Product.id))
        ]
        commit()
        db.engine.dispose()
    return {"suppliers": suppliers, "buyers": buyers, "products": products,
            "password": DEMO_PASSWORD}  # fmt: skip
