"""The soak's load: client threads at a set rate, the mix of requests, what they saw."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.leads import percentile

API = "/api/v1"
# A keep-alive connection idle longer than this is closed and opened again before the next
# request: gunicorn closes idle ones after 5 s, and a request sent on a connection the server is
# closing fails without reaching the app (a load generator's fault, not the server's).
IDLE_CLOSE_S = 2.0
CITIES = ("Pune", "Mumbai", "Surat", "Ludhiana", "Chennai", "Jaipur")
# Requests of each kind in every 100: mostly reading, as a marketplace is.
MIX = {
    "search": 34,
    "product_page": 24,
    "enquiry": 14,
    "message": 10,
    "requirement": 6,
    "unlock": 8,  # a feed read then an unlock: two requests
    "privacy": 2,
}
KINDS = ("enquiry", "unlock", "requirement", "message", "privacy")  # the writes, counted


# --- the load --------------------------------------------------------------------------------


@dataclass
class Record:
    """What the load saw: one row per answer, the acknowledged writes' ids, error samples."""

    answers: list[tuple[str, int, float, float]] = field(default_factory=list)  # kind, status,
    # latency_s, end (monotonic)
    acknowledged: dict[str, set[int]] = field(default_factory=lambda: {k: set() for k in KINDS})
    refused: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str, status: int, text: str) -> None:
        with self.lock:
            found = self.samples.setdefault(f"{kind} {status}", [])
            if len(found) < 3:
                found.append(text[:400])


class Pacer:
    """Hands out send times at the current rate, to however many threads ask."""

    def __init__(self, rate: float) -> None:
        self.lock = threading.Lock()
        self.rate = rate
        self.next = time.monotonic()

    def set_rate(self, rate: float) -> None:
        with self.lock:
            self.rate = rate
            self.next = max(self.next, time.monotonic())

    def slot(self) -> float:
        with self.lock:
            self.next = max(self.next, time.monotonic() - 0.5)  # no burst to catch up on a lag
            at = self.next
            self.next += 1 / self.rate
            return at


class Loader:
    """The actors and what they have done so far, shared by the client threads."""

    def __init__(self, port: int, data: dict[str, Any], record: Record, seed: int) -> None:
        self.port = port
        self.buyers: list[str] = data["buyers"]
        self.suppliers: list[str] = data["suppliers"]
        self.products: list[dict[str, Any]] = data["products"]
        self.words = sorted(
            {w for p in self.products for w in p["name"].lower().split() if len(w) > 3}
        )
        self.record = record
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.leads: dict[str, list[int]] = {token: [] for token in self.buyers}  # buyer's leads
        self.asked_access: set[str] = set()
        self.password: str = data["password"]  # the published demo password
        self.kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]

    # One request on the thread's connection: (status, parsed JSON or None, latency).
    def call(
        self, connection: http.client.HTTPConnection, method: str, path: str, token: str | None,
        body: dict[str, Any] | None = None,
    ) -> tuple[int, Any, float]:  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if time.monotonic() - getattr(connection, "last_answer", 0.0) > IDLE_CLOSE_S:
            connection.close()  # gunicorn may have closed it (keepalive 5 s): a fresh one
        started = time.perf_counter()
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            return 0, str(error), time.perf_counter() - started
        latency = time.perf_counter() - started
        connection.last_answer = time.monotonic()  # type: ignore[attr-defined]
        if response.getheader("Content-Type", "").startswith(
            ("application/json", "application/problem")
        ):
            try:
                return response.status, json.loads(raw), latency
            except ValueError:
                pass
        return response.status, raw[:400].decode("utf-8", "replace"), latency

    def note(self, kind: str, status: int, latency: float, ok: bool, body: Any) -> None:
        with self.record.lock:
            self.record.answers.append((kind, status if ok else -abs(status) or -1, latency,
                                        time.monotonic()))  # fmt: skip
        if not ok:
            self.record.error(kind, status, json.dumps(body) if not isinstance(body, str) else body)

    def one(self, connection: http.client.HTTPConnection, rng: random.Random) -> None:
        kind = rng.choice(self.kinds)
        getattr(self, f"do_{kind}")(connection, rng)

    def do_search(self, connection: http.client.HTTPConnection, rng: random.Random) -> None:
        query = f"{API}/search?q={rng.choice(self.words)}&per_page=20"
        status, body, latency = self.call(connection, "GET", query, None)
        self.note("search", status, latency, status == 200, body)

    def do_product_page(self, connection: http.client.HTTPConnection, rng: random.Random) -> None:
        product = rng.choice(self.products)
        status, body, latency = self.call(connection, "GET", product["url"], None)
        self.note("product_page", status, latency, status == 200, body)

    def do_enquiry(self, connection: http.client.HTTPConnection, rng: random.Random) -> None:
        buyer, product = rng.choice(self.buyers), rng.choice(self.products)
        body = {
            "product_id": product["id"], "quantity": "10", "unit": product["unit"],
            "message": f"Please quote for 10 {product['unit']} of {product['name']}.",
            "city": rng.choice(CITIES),
        }  # fmt: skip
        status, answer, latency = self.call(connection, "POST", f"{API}/enquiries", buyer, body)
        ok = status in (200, 201) and isinstance(answer, dict) and "id" in answer
        self.note("enquiry", status, latency, ok, answer)
        if ok:
            with self.lock:
                self.record.acknowledged["enquiry"].add(int(answer["id"]))
                if status == 201:
                    self.leads[buyer].append(int(answer["id"]))

    def do_message(self, connection: http.client.HTTPConnection, rng: random.Random) -> None:
        with self.lock:
            buyer = rng.choice(self.buyers)
            lead_id = rng.choice(self.leads[buyer]) if self.leads[buyer] else None
        if lead_id is None:
            return self.do_enquiry(connection, rng)
        body = {"text": f"Can you deliver within {rng.randint(3, 30)} days?"}
        path = f"{API}/leads/{lead_id}/messages"
        status, answer, latency = self.call(connection, "POST", path, buyer, body)
        ok = status == 201 and isinstance(answer, dict) and "id" in answer
        self.note("message", status, latency, ok, answer)
        if ok:
            with self.lock:
                self.record.acknowledged["message"].add(int(answer["id"]))

    def do_requirement(self, connection: http.client.HTTPConnection, rng: random.Random) -> None:
        product = rng.choice(self.products)
        body = {
            "product_name": product["name"], "quantity": "50", "unit": product["unit"],
            "city": "Pune", "state": "Maharashtra",
            "description": "Monthly supply; GST invoice needed.",
        }  # fmt: skip
        buyer = rng.choice(self.buyers)
        status, answer, latency = self.call(connection, "POST", f"{API}/requirements", buyer, body)
        ok = status == 201 and isinstance(answer, dict) and "id" in answer
        self.note("requirement", status, latency, ok, answer)
        if ok:
            with self.lock:
                self.record.acknowledged["requirement"].add(int(answer["id"]))

    def do_unlock(self, connection: http.client.HTTPConnection, rng: random.Random) -> None:
        supplier = rng.choice(self.suppliers)
        status, feed, latency = self.call(
            connection, "GET", f"{API}/buyleads?per_page=20", supplier
        )
        ok = status == 200 and isinstance(feed, dict)
        self.note("buyleads", status, latency, ok, feed)
        open_ones = (
            [item["id"] for item in feed.get("items", []) if not item["unlocked"]] if ok else []
        )
        if not open_ones:
            return
        path = f"{API}/buyleads/{rng.choice(open_ones)}/unlock"
        status, answer, latency = self.call(connection, "POST", path, supplier)
        full = status == 409 and "unlocked by as many" in json.dumps(answer)
        if full:  # another supplier took the last slot since the feed was read
            with self.record.lock:
                self.record.refused["unlock 409 full"] += 1
        ok = status == 200 and isinstance(answer, dict) and "id" in answer
        self.note("unlock", status, latency, ok or full, answer)
        if ok:
            with self.lock:
                self.record.acknowledged["unlock"].add(int(answer["id"]))

    def do_privacy(self, connection: http.client.HTTPConnection, rng: random.Random) -> None:
        buyer = rng.choice(self.buyers)
        with self.lock:
            first = buyer not in self.asked_access
            self.asked_access.add(buyer)
        body: dict[str, Any] = {"type": "access", "password": self.password}
        if not first:  # one open access request at a time: then objections, done at once
            body = {"type": "objection", "purpose": "marketing", "password": self.password}
        path = f"{API}/privacy/requests"
        status, answer, latency = self.call(connection, "POST", path, buyer, body)
        ok = status == 202 and isinstance(answer, dict) and "id" in answer
        self.note("privacy", status, latency, ok, answer)
        if ok:
            with self.lock:
                self.record.acknowledged["privacy"].add(int(answer["id"]))


def client(loader: Loader, pacer: Pacer, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", loader.port, timeout=30)
    while not stop.is_set():
        at = pacer.slot()
        wait = at - time.monotonic()
        if wait > 0 and stop.wait(wait):
            break
        loader.one(connection, rng)
    connection.close()


def window(record: Record, start: float, end: float) -> dict[str, Any]:
    """rps, p95 and errors of the answers that ended in [start, end)."""
    with record.lock:
        rows = [row for row in record.answers if start <= row[3] < end]
    latencies = sorted(row[2] for row in rows)
    return {
        "requests": len(rows),
        "rps": round(len(rows) / max(end - start, 1e-9), 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "errors": sum(1 for row in rows if row[1] < 0),
    }


def kinds_summary(record: Record) -> dict[str, dict[str, Any]]:
    by_kind: dict[str, list[float]] = {}
    for kind, _, latency, _ in record.answers:
        by_kind.setdefault(kind, []).append(latency)
    return {
        kind: {"n": len(values), "p95_ms": round(percentile(sorted(values), 0.95) * 1000, 1)}
        for kind, values in sorted(by_kind.items())
    }
