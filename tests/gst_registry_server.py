"""A fake GST Suvidha Provider on 127.0.0.1 for the HTTP registry client, and taxpayer search
answers (GSTN's JSON) built from a supplier's own profile, to change one field at a time."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from marketplace.accounts.models import SupplierProfile
from tests.conftest import free_port


def taxpayer(supplier: SupplierProfile, **changes: Any) -> dict[str, Any]:
    """What the registry says about a supplier whose registration agrees with its profile."""
    answer: dict[str, Any] = {
        "gstin": supplier.gstin,
        "lgnm": supplier.company_name.upper(),
        "tradeNam": supplier.company_name.upper(),
        "sts": "Active",
        "dty": "Regular",
        "rgdt": "01/07/2017",
        "cxdt": "",
        "ctb": "Proprietorship",
        "nba": ["Wholesale Business"],
        "pradr": {
            "addr": {
                "bno": "12",
                "bnm": "",
                "st": supplier.address_line1,
                "loc": supplier.city,
                "dst": supplier.city,
                "stcd": supplier.state,
                "pncd": supplier.pincode,
                "flno": "",
            },
            "ntr": "Wholesale Business",
        },
        "adadr": [],
    }
    address = changes.pop("address", {})
    answer.update(changes)
    answer["pradr"]["addr"].update(address)
    return answer


def suspended_answer(supplier: SupplierProfile) -> dict[str, Any]:
    return taxpayer(supplier, sts="Suspended")


@dataclass
class FakeGsp:
    """Answers each taxpayer search with `status` and `body` (JSON unless bytes), after `delay`
    seconds; records the query strings and headers it got."""

    url: str = ""
    status: int = 200
    body: Any = None
    delay: float = 0.0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def answer(self, body: Any, status: int = 200, delay: float = 0.0) -> None:
        self.body, self.status, self.delay = body, status, delay


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        fake = self.server.fake
        fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        if fake.delay:
            time.sleep(fake.delay)
        body = fake.body if isinstance(fake.body, bytes) else json.dumps(fake.body).encode()
        try:
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up waiting (the timeout tests)
            pass

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGsp


@contextmanager
def serving_fake_gsp() -> Iterator[FakeGsp]:
    port = free_port()
    server = _Server(("127.0.0.1", port), _Handler)
    server.fake = FakeGsp(url=f"http://127.0.0.1:{port}/commonapi/v1.1/search")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()
