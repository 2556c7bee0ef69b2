"""Test harness: the same suite on SQLite and, when DATABASE_URL names one, on PostgreSQL.

Each database is created empty for the test session (PostgreSQL: a throwaway database on the
server DATABASE_URL points at) and emptied after every test, so tests never see each other's
rows, and browser tests, whose server runs in another thread, see committed data.
"""

from __future__ import annotations

import email
import email.policy
import functools
import os
import re
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from alembic.runtime.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from marketplace import health
from marketplace.app import create_app
from marketplace.catalog.inputs import ProductIn
from marketplace.config import _database_url
from marketplace.db import commit
from marketplace.extensions import db, limiter
from tests import factories

SERVER_DATABASE_URL = os.environ.get("DATABASE_URL")
REDIS_URL = os.environ.get("REDIS_URL")


@pytest.fixture(scope="session", autouse=True)
def _instance_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep every generated file (secrets, outbox, index) out of the work tree."""
    folder = tmp_path_factory.mktemp("instance")
    previous = os.environ.get("INSTANCE_PATH")
    os.environ["INSTANCE_PATH"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("INSTANCE_PATH", None)
    else:
        os.environ["INSTANCE_PATH"] = previous


@pytest.fixture(autouse=True)
def _no_settling(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CRM pull leaves out the last seconds (leads still committing); tests read at once. A
    test of that margin sets it back."""
    from marketplace.leads import queries

    monkeypatch.setattr(queries, "PULL_SETTLE", timedelta(0))


def _postgres_database() -> Iterator[str]:
    if not SERVER_DATABASE_URL:
        pytest.skip("DATABASE_URL is not set: the PostgreSQL run of this test is skipped")
    server_url = make_url(_database_url(SERVER_DATABASE_URL))
    name = f"marketplace_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # the CI run must fail loudly, never skip, on a dead server
        pytest.fail(f"cannot create a test database on {server_url.host}: {error}")
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url
    else:
        yield from _postgres_database()


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: no `g` or database session is
    shared with the test (which may hold an app context of its own) or with other requests."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_app(database_url: str, tmp: Path, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BCRYPT_ROUNDS": 4,  # production refuses fewer than 12; tests need speed
        "RATELIMIT_ENABLED": True,  # real limits, in memory, emptied after every test
        "RATELIMIT_STORAGE_URI": "memory://",
        "CELERY_BROKER_URL": None,
        "REDIS_URL": None,
        "OUTBOX_PATH": str(tmp / "outbox"),
        "UPLOAD_PATH": str(tmp / "uploads"),
        "SEARCH_INDEX_PATH": str(tmp / "search-index"),
        "ELASTICSEARCH_URL": None,
        "SERVER_NAME": None,
        **overrides,
    }
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def stamp(revision: str) -> None:
    """Record the schema as at `revision` of the migrations (in an app context), as `flask db
    stamp` would, without running migrations/env.py (which reconfigures logging)."""
    with db.engine.begin() as connection:
        MigrationContext.configure(connection).stamp(health.migrations(), revision)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_test_app(database_url, tmp_path_factory.mktemp("app"))
    with app.app_context():
        db.create_all()  # quicker than the migrations, which test_platform checks build the same
        stamp("head")  # so /healthz sees the schema as current
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_database(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{name}"' for name in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    connection.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 (our tables)


@pytest.fixture(autouse=True)
def _fresh_state(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames:
        app: Flask = request.getfixturevalue("app")
        empty_database(app)
        with app.app_context():
            limiter.reset()
            if "search" in app.extensions:
                app.extensions["search"].clear()
        app.extensions.pop("category_cache", None)
        shutil.rmtree(app.config["OUTBOX_PATH"], ignore_errors=True)
        shutil.rmtree(app.config["UPLOAD_PATH"], ignore_errors=True)  # photos of rows now gone


@pytest.fixture()
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context, for calling services directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@functools.cache
def served_document() -> dict[str, Any]:
    """The OpenAPI document the app serves (generated from its routes' declarations)."""
    from marketplace.api.openapi import document

    with tempfile.TemporaryDirectory() as tmp, make_test_app("sqlite://", Path(tmp)).app_context():
        return document()


def openapi_urls() -> dict[str, dict[str, Any]]:
    """Each documented path as the site serves it (its server's URL first: /api/v1 unless the
    path names its own), with its operations by method."""
    served = served_document()
    urls = {}
    for path, item in served["paths"].items():
        server = item.get("servers", served["servers"])[0]["url"].rstrip("/")
        urls[server + path] = {m: op for m, op in item.items() if m in HTTP_METHODS}
    return urls


@functools.cache
def _openapi_operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    # The most specific path first: /invoices/{id}.pdf before /invoices/{id}, which would also
    # match "/invoices/1.pdf".
    urls = sorted(openapi_urls().items(), key=lambda item: -len(re.sub(r"\{[^}]+\}", "", item[0])))
    return [
        (
            re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(url)) + "$"),
            method.upper(),
            operation,
        )
        for url, operations in urls
        for method, operation in operations.items()
    ]


@functools.cache
def _response_validator(path: str, method: str, status: int) -> Any:
    """The JSON schema that the served document gives for this response (None: no body)."""
    components = served_document()["components"]
    for pattern, operation_method, operation in _openapi_operations():
        if operation_method == method and pattern.match(path):
            documented = operation["responses"].get(str(status))
            assert documented is not None, (
                f"{method} {path} answered {status}, which the OpenAPI document does not list"
            )
            content = [
                media["schema"]
                for kind, media in documented.get("content", {}).items()
                if kind.endswith("json")
            ]
            if not content:
                return None  # no body, or not JSON (a CSV, a PDF, the liveness probe's "ok")
            schema = content[0]
            return jsonschema_rs.validator_for({**schema, "components": components})
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def conforms_to_openapi(method: str, path: str, response: Any) -> None:
    """Fail unless the response matches what the served document promises for it (`path` as
    the site serves it: /api/v1/... for the API)."""
    path = path.split("?", 1)[0]
    if response.status_code in (405, 413, 429) or response.status_code >= 500:
        return  # answered before the operation ran: the blueprint's limits, the server
    validator = _response_validator(path, method.upper(), response.status_code)
    if validator is None or not response.data:
        return
    errors = [
        f"{'/'.join(map(str, error.instance_path)) or '(body)'}: {error.message}"
        for error in validator.iter_errors(response.get_json())
    ]
    assert not errors, (
        f"{method} {path} {response.status_code} does not match the document: {errors}"
    )


class Api:
    """A JSON client for /api/v1 that can carry a bearer token. Every response is checked
    against the served OpenAPI document, so the document cannot drift from the code."""

    def __init__(self, client: FlaskClient, token: str | None = None):
        self.client = client
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        merged.update(headers or {})
        return merged

    def request(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        headers = self._headers(kwargs.pop("headers", None))
        response = self.client.open(
            f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs
        )
        conforms_to_openapi(method, f"/api/v1{path}", response)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def sign_in(self, email: str, password: str = factories.PASSWORD) -> Api:
        response = self.post("/auth/tokens", {"email": email, "password": password})
        assert response.status_code == 201, response.get_json()
        return Api(self.client, response.get_json()["token"])


@pytest.fixture()
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture()
def categories(ctx: Flask) -> None:
    """The real category tree."""
    from marketplace.catalog.categories import load_categories

    load_categories()
    commit()


@pytest.fixture()
def buyer(ctx: Flask) -> factories.Registered:
    return factories.buyer()


@pytest.fixture()
def supplier(ctx: Flask) -> factories.Registered:
    return factories.supplier()


@pytest.fixture()
def buyer_api(api: Api, buyer: factories.Registered) -> Api:
    return api.sign_in(buyer.email)


@pytest.fixture()
def supplier_api(api: Api, supplier: factories.Registered) -> Api:
    return api.sign_in(supplier.email)


def free_port() -> int:
    """A loopback port nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block: a page's count must not grow with its rows."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def sign_in_page(client: FlaskClient, person: factories.Registered) -> str:
    """Sign in through the page, as a browser does; returns a CSRF token for later forms."""
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": person.email, "password": person.password},
    )
    return csrf_token(client.get("/account/").get_data(as_text=True))


def outbox(app: Flask, kind: str = "mail") -> list[str]:
    """The messages the file backends wrote, oldest first: mail as 'headers + decoded body'."""
    folder = Path(app.config["OUTBOX_PATH"]) / kind
    if not folder.exists():
        return []
    messages = []
    for path in sorted(folder.glob("*")):
        if kind == "mail":
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            messages.append(
                f"To: {message['To']}\nSubject: {message['Subject']}\n\n" + message.get_content()
            )
        else:
            messages.append(path.read_text())
    return messages


# --- a real receiver on 127.0.0.1 ------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next scripted status (200 once the script runs out) and
    records what it got. With `gate` set it holds each request until the gate opens."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _ReceiverServer

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        receiver.received.append(Received(self.path, headers, body))
        receiver.arrived.set()
        if receiver.gate is not None:
            receiver.gate.wait(10)
        status = receiver.statuses.pop(0) if receiver.statuses else 200
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    port = free_port()
    server = _ReceiverServer(("127.0.0.1", port), _Handler)
    server.receiver = Receiver(url=f"http://127.0.0.1:{port}/hooks/tradesetu")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver
    if server.receiver.gate is not None:
        server.receiver.gate.set()
    server.shutdown()
    server.server_close()


@pytest.fixture()
def private_ok(app) -> Iterator[None]:
    """The receiver lives on 127.0.0.1, which production refuses."""
    app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = True
    yield
    app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = False


# --- a supplier with a product, a buyer ------------------------------------------------------


@dataclass
class Shop:
    supplier_id: int  # the user
    buyer_id: int
    product_id: int


@pytest.fixture()
def shop(ctx, categories, supplier, buyer) -> Shop:
    from marketplace.accounts.models import User
    from marketplace.catalog.services import create_product

    owner = db.session.get(User, supplier.id)
    product = create_product(
        owner,
        ProductIn.model_validate(
            {
                "name": "SS 304 Seamless Pipe",
                "category": "stainless-steel-pipes",
                "description": "Seamless pipe for dairy plants.",
                "price": "325.50",
                "unit": "kg",
                "moq": 1,
            }
        ),
    )
    commit()
    return Shop(supplier.id, buyer.id, product.id)


def enquire(shop: Shop, buyer_id: int | None = None) -> int:
    """A new enquiry (lead.created), committed: its deliveries go out after the commit."""
    from marketplace.leads.enquiries import send_enquiry
    from marketplace.leads.inputs import EnquiryIn
    from marketplace.leads.models import LeadSource

    lead_id, duplicate = send_enquiry(
        buyer_id or shop.buyer_id,
        EnquiryIn.model_validate(
            {"product_id": shop.product_id, "message": "Please quote for 10 kg.", "quantity": "10"}
        ),
        source=LeadSource.API,
    )
    assert not duplicate
    commit()
    return lead_id
