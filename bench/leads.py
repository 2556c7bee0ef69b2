#!/usr/bin/env python3
"""Enquiry benchmark: many buyers post enquiries at once; every acknowledged lead is stored once.

    DATABASE_URL=postgresql://... .venv/bin/python bench/leads.py [--seconds 20]
        [--concurrency 32] [--buyers 400] [--double-share 0.05] [--threads 2]
        [--broker redis://.../15]

It creates a throwaway PostgreSQL database on the server at DATABASE_URL (dropped at the end,
even on failure), migrates it, loads the categories and sets up suppliers, products and buyers
through the app's own services, each buyer with a bearer token. It serves the app with gunicorn
(2 workers of 2 threads each; `--threads 1` for the sync worker) and, for a fixed time,
client threads post `POST /api/v1/enquiries`, each buyer asking about products it has not
asked about yet, so each answer should be a new lead (201).
A small share are exact double submits, the same buyer and product sent twice at once on two
connections: the second must come back 200 with "duplicate": true and the first lead's id.
Then it counts the leads in the database and compares.

Without --broker, tasks run inline (the embedded default): each enquiry tells its supplier
after its commit (mail and SMS files in the instance outbox), and every new lead must have been
told. With --broker URL, as in production: a new lead is its own durable notice (untold), for
beat's `notify_new_enquiries` to deliver; the request queues no task. The server uses that
Redis database and the task relay (`flask tasks relay`) runs beside it, publishing whatever
else is queued; no worker or beat runs (the database must be empty, and it is flushed after).
Every new lead must then be waiting to be told.

The last line printed is one JSON object: {"enquiries": {"rps", "p50_ms", "p95_ms",
"acknowledged", "stored", "duplicates", "errors", ...}}. `acknowledged` counts 201s (new
leads), `duplicates` the 200 "duplicate" answers. The exit status is non-zero when
acknowledged != stored, when a lead was doubled or an acknowledged id is not stored, on any
5xx, or on any other error (a 4xx or a failed connection: the benchmark sends only valid
enquiries).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

PATH = "/api/v1/enquiries"
CITIES = ("Pune", "Mumbai", "Surat", "Ludhiana", "Chennai", "Jaipur")


# --- the throwaway database ------------------------------------------------------------------


def _psycopg_url(url: str) -> str:
    """What psycopg takes: postgresql://..., whatever driver the app's spelling names."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}").geturl()


def admin_execute(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_url(server_url), autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def count_rows(database_url: str, queries: dict[str, str]) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(_psycopg_url(database_url)) as connection:
        return {
            name: connection.execute(query).fetchall()  # type: ignore[arg-type]
            for name, query in queries.items()
        }


# --- setup through the app's services --------------------------------------------------------


def seed(suppliers: int, products_each: int, buyers: int, seed_value: int) -> dict[str, Any]:
    """Suppliers with products, buyers with bearer tokens, made by the app's services. Runs
    in the bench process on an app made for it (TESTING and cheap bcrypt: the served app never
    checks these passwords, the buyers hold tokens)."""
    from marketplace.accounts.api_keys import issue_bearer_token
    from marketplace.accounts.inputs import RegistrationIn
    from marketplace.accounts.registration import register_account
    from marketplace.app import create_app
    from marketplace.catalog.inputs import ProductIn
    from marketplace.catalog.services import create_product
    from marketplace.catalog.taxonomy import INDUSTRIES, slugify
    from marketplace.db import commit
    from marketplace.extensions import db
    from tests.factories import make_gstin, make_pan, registration

    rng = random.Random(seed_value)
    app = create_app({"TESTING": True, "BCRYPT_ROUNDS": 4})
    leaves = [leaf for industry in INDUSTRIES for leaf in industry.leaves]
    phones = iter(range(10**7))  # a fresh database: serial numbers are unique
    products: list[dict[str, Any]] = []
    tokens: list[str] = []
    with app.app_context():
        for s in range(suppliers):
            data = registration(
                "supplier",
                email=f"supplier{s}@bench.example.in",
                phone=f"+9198{next(phones):08d}",
                company_name=f"Bench Traders {s}",
                gstin=make_gstin("27", make_pan("F", rng)),
            )
            user = register_account(RegistrationIn.model_validate(data))
            for p in range(products_each):
                leaf = rng.choice(leaves)
                low, high = leaf.price
                listing = {
                    "name": f"{leaf.name} grade {p + 1}",
                    "category": slugify(leaf.name),
                    "price": str(rng.randint(low, max(low, high))),
                    "unit": leaf.unit,
                }
                product = create_product(user, ProductIn.model_validate(listing))
                products.append({"id": product.id, "unit": product.unit, "name": product.name})
            commit()
        for b in range(buyers):
            data = registration(
                "buyer", email=f"buyer{b}@bench.example.in", phone=f"+9198{next(phones):08d}"
            )
            user = register_account(RegistrationIn.model_validate(data))
            token, _ = issue_bearer_token(user)
            tokens.append(token)
            if b % 50 == 49:
                commit()
        commit()
        db.engine.dispose()
    return {"products": products, "tokens": tokens}


# --- the load --------------------------------------------------------------------------------

# One answer: (kind, buyer, product, status, latency_s, lead_id, duplicate, end_monotonic,
# pair). kind: "single", "repeat" (the buyer asked before: a duplicate is expected), or
# "first"/"second", the two halves of a double submit, which share a pair number (else 0).
# Status 0 is a failed connection or a timeout.
Answer = tuple[str, int, int, int, float, int | None, bool, float, int]


def _body(product: dict[str, Any], rng: random.Random) -> bytes:
    return json.dumps(
        {
            "product_id": product["id"],
            "quantity": "10",
            "unit": product["unit"],
            "message": f"Please quote for 10 {product['unit']} of {product['name']}, "
            "delivered to our Pune warehouse.",
            "city": rng.choice(CITIES),
        }
    ).encode()


class Client:
    """One keep-alive HTTP/1.1 connection posting enquiries. A few lines on a socket rather than
    http.client, which spent twice the CPU per request on the two cores the server uses too."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.buffer = b""

    def connect(self) -> None:
        self.close()
        self.sock = socket.create_connection(self.address, timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def send(self, token: str, body: bytes) -> None:
        if self.sock is None:
            self.connect()
        assert self.sock is not None
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: {self.address[0]}\r\n"
            f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.sock.sendall(head.encode() + body)

    def read(self) -> tuple[int, bytes]:
        """The answer to the request sent: (status, body). Closes when the server does (a sync
        worker answers every request with Connection: close)."""
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._receive()
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        self.buffer = self.buffer[end + 4 :]
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip().lower()
        if "content-length" not in fields:
            raise ConnectionError(f"an answer without Content-Length: {fields}")
        length = int(fields["content-length"])
        while len(self.buffer) < length:
            self._receive()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if fields.get("connection") == "close":
            self.close()
        return status, body

    def _receive(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk


def _parse(status: int, body: bytes, errors: dict[int, list[str]]) -> tuple[int | None, bool]:
    if status in (200, 201):
        try:
            data = json.loads(body)
            return int(data["id"]), bool(data.get("duplicate"))
        except (ValueError, KeyError, TypeError):
            pass
    samples = errors.setdefault(status, [])
    if len(samples) < 5:
        samples.append(body[:600].decode("utf-8", "replace"))
    return None, False


def client_thread(
    host: str,
    port: int,
    buyers: list[tuple[int, str]],
    products: list[dict[str, Any]],
    deadline: float,
    double_share: float,
    seed_value: int,
    answers: list[Answer],
    errors: dict[int, list[str]],
    pair_numbers: Any,
) -> None:
    """Post enquiries until the deadline, round-robin over this thread's own buyers (no other
    thread sends for them), each buyer going through the products in its own order."""
    rng = random.Random(seed_value)
    orders = {buyer: rng.sample(range(len(products)), len(products)) for buyer, _ in buyers}
    asked = dict.fromkeys(orders, 0)
    one, two = Client(host, port), Client(host, port)
    turn = 0
    last_answer = time.monotonic()
    while time.monotonic() < deadline:
        buyer, token = buyers[turn % len(buyers)]
        turn += 1
        n = asked[buyer]
        asked[buyer] += 1
        product = products[orders[buyer][n % len(products)]]
        kind = "single" if n < len(products) else "repeat"
        body = _body(product, rng)
        double = kind == "single" and rng.random() < double_share
        try:
            if not double:
                if time.monotonic() - last_answer > 1:  # the server may close an idle keep-alive
                    one.close()  # connection (gthread after 2 s): a send on it would fail
                started = time.perf_counter()
                one.send(token, body)
                status, payload = one.read()
                ended = time.perf_counter()
                lead_id, duplicate = _parse(status, payload, errors)
                answers.append(
                    (kind, buyer, product["id"], status, ended - started, lead_id, duplicate,
                     time.monotonic(), 0)
                )  # fmt: skip
                last_answer = time.monotonic()
                continue
            pair = next(pair_numbers)
            sent = {}
            for connection in (one, two):  # fresh connections, so that neither send can fail
                connection.close()  # once the other request is already on its way
                connection.connect()
            for connection in (one, two):  # both on the wire before either answer is read
                sent[connection] = time.perf_counter()
                connection.send(token, body)
            waiting = {connection.sock: connection for connection in (one, two)}
            order = {one: "first", two: "second"}
            while waiting:  # read whichever answers first, so each latency is its own
                ready, _, _ = select.select(list(waiting), [], [], 30)
                if not ready:
                    raise TimeoutError("no answer within 30 s")
                for sock in ready:
                    connection = waiting.pop(sock)
                    status, payload = connection.read()
                    ended = time.perf_counter()
                    lead_id, duplicate = _parse(status, payload, errors)
                    answers.append(
                        (order[connection], buyer, product["id"], status,
                         ended - sent[connection], lead_id, duplicate, time.monotonic(), pair)
                    )  # fmt: skip
            last_answer = time.monotonic()
        except (OSError, ValueError, IndexError) as error:  # a dropped or garbled answer
            samples = errors.setdefault(0, [])
            if len(samples) < 5:
                samples.append(f"{type(error).__name__}: {error}")
            answers.append((kind, buyer, product["id"], 0, 0.0, None, False, time.monotonic(), 0))
            for connection in (one, two):
                connection.close()


def client_process(
    process: int,
    host: str,
    port: int,
    buyers: list[list[tuple[int, str]]],
    products: list[dict[str, Any]],
    seconds: float,
    double_share: float,
    seed_value: int,
    ready: Any,
    start: Any,
    results: Any,
) -> None:
    """One client process: a thread per buyer group, started together, answers sent back."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the bench's cleanup handler
    answers: list[Answer] = []
    errors: dict[int, list[str]] = {}
    pair_numbers = iter(range(process * 10**7 + 1, (process + 1) * 10**7))
    ready.put(process)
    start.wait()
    began = time.monotonic()
    cpu = os.times()
    threads = [
        threading.Thread(
            target=client_thread,
            args=(
                host,
                port,
                group,
                products,
                began + seconds,
                double_share,
                seed_value * 1000 + process * 100 + i,
                answers,
                errors,
                pair_numbers,
            ),
        )
        for i, group in enumerate(buyers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    used = os.times()
    results.put(
        {
            "began": began,
            "answers": answers,
            "errors": errors,
            "cpu_s": (used.user - cpu.user) + (used.system - cpu.system),
        }
    )


# --- CPU accounting --------------------------------------------------------------------------


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks


def _children(pid: int) -> list[int]:
    output = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(child) for child in output.split()]


def _pids(name: str) -> list[int]:
    output = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout
    return [int(pid) for pid in output.split()]


def _postgres_pids(database: str) -> list[int]:
    """The backends serving our database and the server's own processes (WAL writer,
    checkpointer...), not the backends of other databases on the same server."""
    pids = []
    for pid in _pids("postgres"):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if f" {database} " in title or not ("(" in title or "[local]" in title):
            pids.append(int(pid))
    return pids


def _machine_ticks() -> tuple[int, int, int]:
    """(busy, total, steal) CPU ticks of the whole machine. Steal is the time the hypervisor
    gave this virtual machine's cores to others: busy for us, and no work of ours done."""
    line = Path("/proc/stat").read_text().splitlines()[0]
    values = [int(v) for v in line.split()[1:9]]  # user .. steal (guest time is in user)
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values), values[7]


def machine_busy_share(seconds: float) -> float:
    """How busy the machine is with nothing of ours running: other work skews the figures."""
    busy, total, _ = _machine_ticks()
    time.sleep(seconds)
    busy_after, total_after, _ = _machine_ticks()
    return (busy_after - busy) / max(total_after - total, 1)


def races_in_postgres_log(database: str) -> int | None:
    """How many double submits really raced: the second INSERT of the same guard row fails on
    its primary key (and is then handled), which PostgreSQL logs as an error. Best effort:
    None when the server's log is not readable here (Debian's place for it is looked at)."""
    needle = f"@{database} ERROR:  duplicate key value violates unique constraint"
    found = None
    for log in Path("/var/log/postgresql").glob("postgresql-*.log"):
        try:
            with log.open(errors="replace") as handle:
                count = sum(1 for line in handle if needle in line and "enquiry_guards" in line)
        except OSError:
            continue
        found = (found or 0) + count
    return found


class CpuMeter:
    """CPU seconds used by the gunicorn workers, the task relay, PostgreSQL (for our database),
    the broker's Redis and the machine as a whole, between start() and stop()."""

    def __init__(self, server_pid: int, relay_pid: int | None, database: str, broker: str) -> None:
        self.server_pid = server_pid
        self.relay_pid = relay_pid
        self.database = database
        # The Redis server of the broker, told by the address in its process title.
        address = urlsplit(broker).netloc.rpartition("@")[2]
        self.redis = [
            pid
            for pid in _pids("redis-server")
            if broker and address in Path(f"/proc/{pid}/cmdline").read_bytes().decode("latin-1")
        ]
        self.hz = os.sysconf("SC_CLK_TCK")

    def _sample(self) -> dict[str, int]:
        busy, total, steal = _machine_ticks()
        workers = _children(self.server_pid)
        return {
            "workers": sum(_ticks(pid) for pid in workers),
            "relay": _ticks(self.relay_pid) if self.relay_pid else 0,
            "postgres": sum(_ticks(pid) for pid in _postgres_pids(self.database)),
            "redis": sum(_ticks(pid) for pid in self.redis),
            "busy": busy,
            "steal": steal,
            "total": total,
        }

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        delta = {key: (after[key] - self.before[key]) / self.hz for key in after}
        cores = os.cpu_count() or 1
        return {
            "workers_s": round(delta["workers"], 2),
            "relay_s": round(delta["relay"], 2),
            "postgres_s": round(delta["postgres"], 2),
            "redis_s": round(delta["redis"], 2),
            "machine_busy_s": round(delta["busy"], 2),
            "steal_s": round(delta["steal"], 2),
            "machine_s": round(delta["total"], 2),
            "machine_busy_share": round(delta["busy"] / max(delta["total"], 1e-9), 3),
            "cores": cores,
        }


# --- serving ---------------------------------------------------------------------------------


def wait_for_relay(database_url: str, seconds: float = 30) -> float:
    """Until the relay has published the whole task outbox; returns how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if not count_rows(database_url, {"n": "SELECT count(*) FROM queued_tasks"})["n"][0][0]:
            break
        time.sleep(0.1)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command: list[str], env: dict[str, str], label: str) -> str:
    print(f"$ {' '.join(command)}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        print(result.stdout, result.stderr, sep="\n")
        raise SystemExit(f"{label} failed")
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result.stdout


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not come up at {url}")


def warm_up(base: str, tokens: list[str]) -> None:
    """Each worker connects to the database and authenticates once before the clock starts
    (reads only: no lead is made outside the measurement)."""
    for token in tokens[:8]:
        request = urllib.request.Request(
            f"{base}{PATH}?per_page=1", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def load(
    port: int, seed_data: dict[str, Any], args: argparse.Namespace
) -> tuple[list[Answer], dict[int, list[str]], float, float]:
    """Run the client processes; returns the answers, error samples, the measured seconds
    (first send to last answer) and the clients' CPU seconds."""
    tokens = seed_data["tokens"]
    products = seed_data["products"]
    threads = args.concurrency
    processes = max(1, min(args.processes, threads))
    # Buyer i belongs to thread i % threads: no two threads ever send for the same buyer.
    groups = [[(b, tokens[b]) for b in range(t, len(tokens), threads)] for t in range(threads)]
    context = mp.get_context("fork")
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    workers = [
        context.Process(
            target=client_process,
            args=(
                p,
                "127.0.0.1",
                port,
                groups[p::processes],
                products,
                args.seconds,
                args.double_share,
                args.seed,
                ready,
                start,
                results,
            ),
            daemon=True,  # ended with the bench, should it stop early
        )
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=60)
    start.set()
    collected = [results.get(timeout=args.seconds + 120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    answers = [answer for part in collected for answer in part["answers"]]
    errors: dict[int, list[str]] = {}
    for part in collected:
        for status, samples in part["errors"].items():
            errors.setdefault(status, []).extend(samples)
    began = min(part["began"] for part in collected)
    ended = max((answer[7] for answer in answers), default=began)
    return answers, errors, ended - began, sum(part["cpu_s"] for part in collected)


# --- the verdict -----------------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, math.ceil(share * len(sorted_values)) - 1))
    return sorted_values[index]


def check(answers: list[Answer], stored_ids: set[int], doubled_in_db: int) -> dict[str, Any]:
    """What the answers say, checked against each other and the database."""
    statuses = Counter(answer[3] for answer in answers)
    created: dict[tuple[int, int], list[int]] = {}
    duplicate_ids: list[tuple[tuple[int, int], int]] = []
    for _kind, buyer, product, status, _, lead_id, duplicate, _, _ in answers:
        if status == 201 and lead_id is not None:
            created.setdefault((buyer, product), []).append(lead_id)
        elif status == 200 and duplicate and lead_id is not None:
            duplicate_ids.append(((buyer, product), lead_id))
    new_ids = [lead_id for ids in created.values() for lead_id in ids]
    pairs: dict[int, list[Answer]] = {}
    for answer in answers:
        if answer[8]:
            pairs.setdefault(answer[8], []).append(answer)
    outcomes = Counter(
        "+".join(sorted(str(a[3]) + ("dup" if a[6] else "") for a in pair))
        for pair in pairs.values()
    )
    return {
        "statuses": dict(sorted(statuses.items())),
        "acknowledged": statuses[201],
        "distinct_new_ids": len(set(new_ids)),
        "doubled_answers": sum(len(ids) - 1 for ids in created.values() if len(ids) > 1),
        "doubled_in_db": doubled_in_db,
        "duplicates": sum(1 for a in answers if a[3] == 200 and a[6]),
        "duplicates_not_matching": sum(
            1 for key, lead_id in duplicate_ids if key in created and lead_id not in created[key]
        ),
        "acknowledged_not_stored": len(set(new_ids) - stored_ids),
        "stored_not_acknowledged": len(stored_ids - set(new_ids)),
        "double_submits": len(pairs),
        "double_submit_outcomes": dict(outcomes),
        "repeats": sum(1 for a in answers if a[0] == "repeat"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20, help="how long to post enquiries")
    parser.add_argument("--concurrency", type=int, default=32, help="client threads in all")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--buyers", type=int, default=400)
    parser.add_argument("--suppliers", type=int, default=20)
    parser.add_argument("--products-each", type=int, default=10)
    parser.add_argument(
        "--double-share", type=float, default=0.05, help="share sent as exact double submits"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per worker (1: the sync worker)"
    )
    parser.add_argument(
        "--broker",
        default="",
        help="serve with CELERY_BROKER_URL=this (an empty Redis database, flushed after)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep-server",
        type=float,
        default=0,
        metavar="SECONDS",
        help="leave the server up this long after setup, before the load (to attach a profiler)",
    )
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgresql", "postgres:")):
        raise SystemExit(
            "set DATABASE_URL to a PostgreSQL server (a role that may CREATE DATABASE)"
        )
    if args.concurrency < 1 or args.buyers < args.concurrency:
        raise SystemExit("--buyers must be at least --concurrency (each thread owns its buyers)")

    redis_client = None
    if args.broker:
        import redis

        redis_client = redis.Redis.from_url(args.broker)
        if redis_client.dbsize():
            raise SystemExit(f"{args.broker} is not empty: name an unused Redis database")

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    name = f"bench_leads_{secrets.token_hex(4)}"
    database_url = _with_database(_psycopg_url(server_url), name)
    instance = Path(tempfile.mkdtemp(prefix="bench-leads-")).resolve()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "RATELIMIT_ENABLED": "false",
        "FLASK_APP": "wsgi.py",
        "LOG_LEVEL": "WARNING",
    }
    for variable in ("CELERY_BROKER_URL", "REDIS_URL", "ELASTICSEARCH_URL", "PUBLIC_BASE_URL"):
        env.pop(variable, None)  # the embedded defaults, whatever this shell has set
    server: subprocess.Popen[bytes] | None = None
    relay: subprocess.Popen[bytes] | None = None
    created = False
    try:
        admin_execute(server_url, f'CREATE DATABASE "{name}"')
        created = True
        print(f"database {name}, instance {instance}", flush=True)
        flask = str(BIN / "flask")
        run([flask, "db", "upgrade"], env, "migrate")
        run([flask, "catalog", "load-categories"], env, "categories")
        started = time.perf_counter()
        os.environ.update(env)  # the setup app reads the same database and instance secrets
        for variable in ("CELERY_BROKER_URL", "REDIS_URL", "ELASTICSEARCH_URL"):
            os.environ.pop(variable, None)
        seed_data = seed(args.suppliers, args.products_each, args.buyers, args.seed)
        print(
            f"  setup: {args.suppliers} suppliers, {len(seed_data['products'])} products, "
            f"{len(seed_data['tokens'])} buyers with tokens in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        outbox = instance / "outbox"
        files_before = {kind: len(list((outbox / kind).glob("*"))) for kind in ("mail", "sms")}

        server_env = dict(env)
        if args.broker:
            server_env["CELERY_BROKER_URL"] = args.broker
            server_env["PUBLIC_BASE_URL"] = "https://bench.tradesetu.test"  # needed with a broker
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind",
                   f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]  # fmt: skip
        if args.threads > 1:
            command[-1:-1] = ["--threads", str(args.threads)]
        print(f"$ {' '.join(command)}", flush=True)
        server = subprocess.Popen(command, env=server_env, cwd=ROOT)
        if args.broker:  # the relay publishes what the requests queued, as in production
            relay = subprocess.Popen([flask, "tasks", "relay"], env=server_env, cwd=ROOT)
        wait_until_up(f"{base}/livez", server)
        warm_up(base, seed_data["tokens"])
        if args.keep_server:
            print(f"server up at {base}, workers {_children(server.pid)}", flush=True)
            time.sleep(args.keep_server)
        tasks = f"broker {args.broker}" if args.broker else "inline (embedded)"
        print(
            f"load: {args.seconds:g} s, {args.concurrency} client threads in "
            f"{max(1, min(args.processes, args.concurrency))} processes, {args.workers} "
            f"gunicorn workers x {args.threads} threads, tasks {tasks}, "
            f"{args.double_share:.0%} double submits",
            flush=True,
        )
        busy_before = machine_busy_share(2)
        print(f"  the machine was {busy_before:.0%} busy before the load (other work)")
        meter = CpuMeter(server.pid, relay.pid if relay else None, name, args.broker)
        meter.start()
        answers, error_samples, elapsed, client_cpu = load(port, seed_data, args)
        cpu = meter.stop()
        if relay is not None:
            relay_lag = wait_for_relay(database_url)
        files = {
            kind: len(list((outbox / kind).glob("*"))) - files_before[kind] for kind in files_before
        }
        rows = count_rows(
            database_url,
            {
                "ids": "SELECT id FROM leads",
                "doubled": "SELECT count(*) FROM (SELECT buyer_id, product_id FROM leads "
                "GROUP BY buyer_id, product_id HAVING count(*) > 1) AS doubled",
                "queued_tasks": "SELECT count(*) FROM queued_tasks",
                "untold": "SELECT count(*) FROM leads WHERE supplier_notified_at IS NULL",
            },
        )
    finally:
        for process in (server, relay):
            if process is None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if created:
            admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        queued_in_redis = None
        if redis_client is not None:
            queued_in_redis = redis_client.llen("celery")
            redis_client.flushdb()
        shutil.rmtree(instance, ignore_errors=True)

    raced = races_in_postgres_log(name)
    untold = rows["untold"][0][0]
    stored_ids = {row[0] for row in rows["ids"]}
    verdict = check(answers, stored_ids, rows["doubled"][0][0])
    latencies = sorted(answer[4] for answer in answers if answer[3])
    errors = sum(1 for answer in answers if answer[3] not in (200, 201))
    server_errors = sum(1 for answer in answers if answer[3] >= 500)
    figures = {
        "rps": round(len(answers) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "acknowledged": verdict["acknowledged"],
        "stored": len(stored_ids),
        "duplicates": verdict["duplicates"],
        "errors": errors,
        "requests": len(answers),
        "leads_per_s": round(verdict["acknowledged"] / elapsed, 1) if elapsed else 0.0,
        "double_submits": verdict["double_submits"],
        "raced": raced,
        "doubled": verdict["doubled_answers"] + verdict["doubled_in_db"],
        "tasks": "broker" if args.broker else "inline",
        "seconds": round(elapsed, 2),
        "machine_busy_before": round(busy_before, 2),
        "stolen_share": round(cpu["steal_s"] / max(cpu["machine_s"], 1e-9), 3),
        "cpu_ms_per_enquiry": {
            "gunicorn": round(1000 * cpu["workers_s"] / max(len(answers), 1), 2),
            "relay": round(1000 * cpu["relay_s"] / max(len(answers), 1), 2),
            "postgres": round(1000 * cpu["postgres_s"] / max(len(answers), 1), 2),
            "redis": round(1000 * cpu["redis_s"] / max(len(answers), 1), 2),
            "clients": round(1000 * client_cpu / max(len(answers), 1), 2),
        },
        "concurrency": args.concurrency,
        "workers": args.workers,
        "threads": args.threads,
    }
    print(f"  {len(answers)} enquiries in {elapsed:.1f} s: {figures['rps']} per second")
    print(
        f"  latency p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms"
    )
    print(f"  statuses {verdict['statuses']}")
    print(
        f"  acknowledged (201) {figures['acknowledged']}, stored {figures['stored']}, "
        f"distinct new ids {verdict['distinct_new_ids']}, duplicates (200) "
        f"{figures['duplicates']}, errors {errors}"
    )
    print(
        f"  double submits {verdict['double_submits']}: {verdict['double_submit_outcomes']}; "
        f"doubled leads: {verdict['doubled_answers']} in answers, {verdict['doubled_in_db']} in "
        f"the database; duplicates naming another lead {verdict['duplicates_not_matching']}"
    )
    if raced is not None:
        print(
            f"  {raced} double submits raced to the guard row (PostgreSQL logged the losing "
            "INSERT's key conflict, which the app then handled)"
        )
    print(
        f"  acknowledged but not stored {verdict['acknowledged_not_stored']}, stored but not "
        f"acknowledged {verdict['stored_not_acknowledged']}, repeats {verdict['repeats']}"
    )
    if args.broker:
        print(
            f"  notices: {untold} new leads waiting to be told (no worker runs); tasks: "
            f"{queued_in_redis} published to Redis by the relay, {rows['queued_tasks'][0][0]} "
            f"left in the task outbox {relay_lag:.1f} s after the load"
        )
    else:
        print(
            f"  notifications written inline: {files['mail']} mails, {files['sms']} SMS; "
            f"{untold} leads untold"
        )
    ours = cpu["workers_s"] + cpu["relay_s"] + cpu["postgres_s"] + cpu["redis_s"] + client_cpu
    print(
        f"  CPU over the load: gunicorn workers {cpu['workers_s']} s, relay {cpu['relay_s']} s, "
        "PostgreSQL "
        f"{cpu['postgres_s']} s, Redis {cpu['redis_s']} s, clients {client_cpu:.2f} s, "
        f"everything else {cpu['machine_busy_s'] - ours:.2f} s (of it stolen by the hypervisor "
        f"{cpu['steal_s']} s); "
        f"the machine was {cpu['machine_busy_share']:.0%} busy ({cpu['cores']} cores); per enquiry "
        f"{1000 * cpu['workers_s'] / max(len(answers), 1):.2f} ms in gunicorn, "
        f"{1000 * cpu['postgres_s'] / max(len(answers), 1):.2f} ms in PostgreSQL"
    )
    for status, samples in sorted(error_samples.items()):
        label = "connection errors" if status == 0 else f"HTTP {status}"
        print(f"  {label}, first bodies:")
        for sample in samples[:5]:
            print(f"    {sample}")
    failures = []
    if figures["acknowledged"] != figures["stored"]:
        failures.append("acknowledged != stored")
    if figures["doubled"] or verdict["distinct_new_ids"] != figures["acknowledged"]:
        failures.append("a lead was doubled")
    if verdict["acknowledged_not_stored"] or verdict["duplicates_not_matching"]:
        failures.append("an answer names a lead that is not the stored one")
    if server_errors:
        failures.append(f"{server_errors} server errors (5xx)")
    expected_untold = figures["acknowledged"] if args.broker else 0  # no worker, or told inline
    if untold != expected_untold:
        failures.append(f"{untold} leads wait to be told, not {expected_untold}")
    if errors > server_errors:
        failures.append(f"{errors - server_errors} other errors")
    for failure in failures:
        print(f"FAIL: {failure}")
    print(json.dumps({"enquiries": figures}))
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
