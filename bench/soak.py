#!/usr/bin/env python3
"""Soak: the production stack under a mixed load; nothing lost, no error, no memory creeping up.

    DATABASE_URL=postgresql://... .venv/bin/python bench/soak.py [--seconds 600]
        [--ramp-step 8] [--p95-ms 100] [--threads 24]

It creates its own PostgreSQL database on the server DATABASE_URL names (dropped at the end,
whatever happens) and its own redis-server on a free port (the shared Redis is never touched),
migrates, loads the categories and the demo catalogue (`flask demo seed`, development mode:
production mode refuses demo data and needs real mail, SMS and payment credentials), gives each
demo supplier credits, and gives every demo buyer and supplier a bearer token. Then it starts the
production processes: gunicorn with the package's config file (`-c python:marketplace.gunicorn_conf
marketplace.wsgi:app`, MAX_REQUESTS=0 so that a leak shows instead of being recycled away), a
Celery worker, beat, and the task relay (`flask tasks relay`), on PostgreSQL, that Redis and
the embedded search. Rate limits are off (RATELIMIT_ENABLED=false): the load is a few dozen
accounts sending far more than any one person may.

The load is a mix: searches, product pages, enquiries, buy requirements, BuyLead unlocks (the
supplier reads its feed, then unlocks), messages on leads, privacy requests (a buyer's first is
an access request the worker builds; later ones are objections to marketing). Requests are sent
at a set rate by client threads, each on its own keep-alive connection. A short ramp first
raises the rate step by step while p95 stays under --p95-ms and the rate is achieved; the hold
then runs at 85% of the last good step for --seconds.

Counted afterwards, once the task outbox, the Redis queue and the search queue are drained:
every acknowledged write (the id of each 2xx write the load generator kept) stored exactly once
(compared with the rows made during the load, per table), every answer that is not the one
expected (an error: any 5xx, 4xx or failed connection; a 409 "BuyLead full" when two suppliers
race for its last slot is counted apart, as refused), and the resident memory (RSS) of each
process tree (gunicorn master and workers, the worker with its pool, beat, relay) between the
start of the hold (after warm-up) and its end.

The last line is one JSON object: {"seconds", "rps", "errors", "p95_ms", "acknowledged_writes",
"stored_writes", "memory_growth_pct"} (rps and p95 of the hold; memory growth per process).
Exit status non-zero when errors > 0, a write is lost or doubled, or a process grew by 10% or
more (--max-growth).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.leads import (  # noqa: E402  (the enquiry benchmark's plumbing, shared)
    _psycopg_url,
    _with_database,
    admin_execute,
    count_rows,
    free_port,
    machine_busy_share,
    wait_until_up,
)
from bench.soak_load import Loader, Pacer, Record, client, kinds_summary, window  # noqa: E402
from bench.soak_stack import Stack, grant_and_tokens  # noqa: E402

WRITE_TABLES = {
    "enquiry": "SELECT id FROM leads WHERE requirement_id IS NULL AND id > {}",
    "unlock": "SELECT id FROM leads WHERE requirement_id IS NOT NULL AND id > {}",
    "requirement": "SELECT id FROM buy_requirements WHERE id > {}",
    "message": "SELECT id FROM lead_messages WHERE id > {}",
    "privacy": "SELECT id FROM privacy_requests WHERE id > {}",
}
# A lead the load made twice (one buyer, supplier, product or requirement). Only groups holding a
# lead made during the load count: the demo's history has a buyer asking about one product twice.
DOUBLED_LEADS = (
    "SELECT count(*) FROM (SELECT buyer_id, supplier_id, product_id, requirement_id FROM leads "
    "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1 AND max(id) > {}) AS d"
)
BEFORE = {
    "enquiry": "SELECT coalesce(max(id), 0) FROM leads",
    "unlock": "SELECT coalesce(max(id), 0) FROM leads",
    "requirement": "SELECT coalesce(max(id), 0) FROM buy_requirements",
    "message": "SELECT coalesce(max(id), 0) FROM lead_messages",
    "privacy": "SELECT coalesce(max(id), 0) FROM privacy_requests",
}


# --- the run ---------------------------------------------------------------------------------


def _step(pacer: Pacer, record: Record, rate: float, args: argparse.Namespace) -> bool:
    """One ramp step: does p95 stay under the target, without error, at the rate asked?"""
    pacer.set_rate(rate)
    began = time.monotonic()
    time.sleep(args.ramp_step)
    seen = window(record, began + 1, time.monotonic())  # the first second settles
    print(f"  ramp {rate:6.1f}/s: {seen}", flush=True)
    reached = seen["rps"] >= 0.9 * rate
    return seen["p95_ms"] < args.p95_ms and not seen["errors"] and reached


def ramp(pacer: Pacer, record: Record, args: argparse.Namespace) -> float:
    """The hold rate: 85% of the highest step that kept p95 under the target. Up by 35% a step
    from --start-rate while it holds; if the first step does not (a busy machine), down by
    half a step until one does, or to 1 request/s, which is then held whatever its p95."""
    rate, good = args.start_rate, 0.0
    while rate <= args.max_rate and _step(pacer, record, rate, args):
        good, rate = rate, rate * 1.35
    while not good and rate > 1:
        rate = max(1.0, rate / 2)
        if _step(pacer, record, rate, args):
            good = rate
    if not good:
        print(f"  p95 is over {args.p95_ms} ms even at 1/s: holding there")
        return 1.0
    return round(max(1.0, good * 0.85), 1)


def drain(stack: Stack, redis_port: int, timeout: float = 120) -> dict[str, Any]:
    """Wait until the outbox, the broker's queue and the search queue are empty."""
    broker = redis.Redis(port=redis_port)
    deadline = time.monotonic() + timeout
    while True:
        left = count_rows(
            stack.database_url,
            {
                "outbox": "SELECT count(*) FROM queued_tasks",
                "search": "SELECT count(*) FROM search_outbox",
                # as the app's own rule (enquiry_notices._untold): a lead the supplier already
                # moved on (the demo's history does) is never told, so it waits for nothing
                "notices": "SELECT count(*) FROM leads WHERE requirement_id IS NULL "
                "AND supplier_notified_at IS NULL AND status = 'new'",
                "exports": "SELECT count(*) FROM privacy_requests WHERE type = 'access' "
                "AND status IN ('in_progress', 'pending')",
            },
        )
        state = {name: rows[0][0] for name, rows in left.items()}
        state["broker"] = broker.llen("celery")
        if not any(state.values()) or time.monotonic() > deadline:
            return state
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    seconds_default = float(os.environ.get("SOAK_SECONDS", "600"))
    parser.add_argument("--seconds", type=float, default=seconds_default, help="the hold")
    parser.add_argument("--warm-up", type=float, default=30, help="seconds before the hold")
    parser.add_argument("--ramp-step", type=float, default=8, help="seconds per ramp step")
    parser.add_argument("--start-rate", type=float, default=8, help="requests/s of the 1st step")
    parser.add_argument("--max-rate", type=float, default=400)
    parser.add_argument("--p95-ms", type=float, default=100)
    parser.add_argument("--max-growth", type=float, default=10, help="percent, per process")
    parser.add_argument("--threads", type=int, default=24, help="client threads")
    parser.add_argument("--products", type=int, default=600, help="demo products")
    parser.add_argument("--buyers", type=int, default=40, help="demo buyers")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgresql", "postgres:")):
        raise SystemExit(
            "set DATABASE_URL to a PostgreSQL server (a role that may CREATE DATABASE)"
        )
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is not installed (Debian's package: redis-server)")

    def stop_signal(signum: int, frame: Any) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop_signal)
    name = f"soak_{secrets.token_hex(4)}"
    folder = Path(tempfile.mkdtemp(prefix="soak-")).resolve()
    stack = Stack(_with_database(_psycopg_url(server_url), name), folder)
    created = False
    try:
        admin_execute(server_url, f'CREATE DATABASE "{name}"')
        created = True
        print(f"database {name}, folder {folder}, redis port {stack.redis_port}", flush=True)
        stack.start_redis()
        stack.setup(args.products, args.buyers)
        data = grant_and_tokens(stack)
        print(
            f"  {len(data['products'])} products, {len(data['suppliers'])} suppliers with "
            f"credits and tokens, {len(data['buyers'])} buyers with tokens",
            flush=True,
        )
        port = free_port()
        stack.start_services(port)
        wait_until_up(f"http://127.0.0.1:{port}/livez", stack.processes["gunicorn"], 90)
        stack.wait_for_search(data["products"][0]["name"])
        before = {kind: rows[0][0] for kind, rows in count_rows(stack.database_url, BEFORE).items()}
        print(f"  the machine was {machine_busy_share(2):.0%} busy before the load (other work)")
        record = Record()
        loader = Loader(port, data, record, args.seed)
        pacer = Pacer(args.start_rate)
        stop = threading.Event()
        threads = [
            threading.Thread(target=client, args=(loader, pacer, stop, args.seed * 1000 + n))
            for n in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        try:
            print(f"ramp: {args.ramp_step:g} s steps from {args.start_rate}/s", flush=True)
            rate = ramp(pacer, record, args)
            pacer.set_rate(rate)
            print(f"warm-up: {args.warm_up:g} s at {rate}/s", flush=True)
            time.sleep(args.warm_up)  # caches, pools and lazy imports filled before the baseline
            memory_before = stack.memory()
            print(f"hold: {rate}/s for {args.seconds:g} s; RSS (kB) {memory_before}", flush=True)
            began = time.monotonic()
            while time.monotonic() - began < args.seconds:
                time.sleep(min(60, args.seconds - (time.monotonic() - began)))
                now = time.monotonic()
                print(f"  {now - began:5.0f} s: last minute {window(record, now - 60, now)}",
                      flush=True)  # fmt: skip
            ended = time.monotonic()
            memory_after = stack.memory()
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
        queues = drain(stack, stack.redis_port)
        print(f"drained: {queues} left; RSS (kB) at the end of the hold {memory_after}")
        stored = {
            kind: {row[0] for row in rows}
            for kind, rows in count_rows(
                stack.database_url,
                {kind: query.format(before[kind]) for kind, query in WRITE_TABLES.items()},
            ).items()
        }
        doubled = count_rows(
            stack.database_url,
            {"leads": DOUBLED_LEADS.format(before["enquiry"])},
        )["leads"][0][0]
        logs = stack.error_lines()
    finally:
        stack.stop()
        if created:
            admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)

    hold = window(record, began, ended)
    everything = window(record, record.answers[0][3] - 1 if record.answers else 0, ended + 60)
    acknowledged = sum(len(ids) for ids in record.acknowledged.values())
    lost = {kind: len(record.acknowledged[kind] - stored[kind]) for kind in stored}
    extra = {kind: len(stored[kind] - record.acknowledged[kind]) for kind in stored}
    growth = {
        process: round(100 * (memory_after[process] - kb) / kb, 1) if kb else 0.0
        for process, kb in memory_before.items()
    }
    print(f"hold: {hold}")
    print(f"whole run (ramp, hold): {everything}")
    print("per kind (whole run): " + json.dumps(kinds_summary(record)))
    print(f"acknowledged writes { {k: len(v) for k, v in record.acknowledged.items()} }")
    print(f"stored writes { {k: len(v) for k, v in stored.items()} }")
    print(f"lost {lost}, stored but not acknowledged {extra}, doubled leads {doubled}")
    print(f"refused as expected {dict(record.refused)}; memory growth % {growth}")
    for label, samples in sorted(record.samples.items()):
        print(f"  errors {label}: {samples}")
    for line in logs[:20]:
        print(f"  log: {line}")
    failures = []
    if everything["errors"]:
        failures.append(f"{everything['errors']} errors")
    if any(lost.values()) or any(extra.values()) or doubled:
        failures.append("a write was lost, doubled or stored unacknowledged")
    if any(queues.values()):
        failures.append(f"queues not drained: {queues}")
    if any(value >= args.max_growth for value in growth.values()):
        failures.append(f"memory grew {args.max_growth}% or more")
    if hold["p95_ms"] >= args.p95_ms:
        print(f"NOTE: the hold's p95 {hold['p95_ms']} ms is over {args.p95_ms} ms")
    for failure in failures:
        print(f"FAIL: {failure}")
    figures = {
        "seconds": round(ended - began, 1),
        "rps": hold["rps"],
        "errors": everything["errors"],
        "p95_ms": hold["p95_ms"],
        "acknowledged_writes": acknowledged,
        "stored_writes": sum(len(ids) for ids in stored.values()),
        "memory_growth_pct": growth,
    }
    print(json.dumps(figures), flush=True)
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
