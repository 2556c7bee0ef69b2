"""Error reports: with SENTRY_DSN set, an unhandled error reaches Sentry (here a local capture
standing in for it) tagged with the request id, and without a header, cookie, token, password,
email address or phone number of the request that failed."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from flask import Flask

from marketplace import error_reporting, logs
from marketplace.redaction import REDACTED
from tests.conftest import free_port, make_test_app, served_document

SECRETS = {
    "bearer token": "mkt_Zq3vY8pLw2NcR5tH7kJd9sFbXa1mEoUi4gTyQ6rWzVe",
    "session cookie": ".eJwlzjEOwjAMQNG7ZGZw4jhxuExV27FgbemEuDtILH96w3uXLY883-X-Ol55K9tjl3uJ",
    "password": "saffron-kettle-harbour-42",
    "email": "ravi.kumar@example.in",
    "phone": "+919812345670",
    "query token": "q7Hs9dKx2LmPwz",
}


@dataclass
class Capture:
    """What the stand-in for Sentry received: the decoded bodies of the envelopes."""

    url: str = ""
    envelopes: list[str] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        encoding = (self.headers.get("Content-Encoding") or "").lower()
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # only if sentry-sdk found it installed and chose it

            body = brotli.decompress(body)
        self.server.capture.envelopes.append(body.decode())
        self.server.capture.arrived.set()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    capture: Capture


@pytest.fixture()
def capture() -> Iterator[Capture]:
    port = free_port()
    server = _Server(("127.0.0.1", port), _Handler)
    server.capture = Capture(url=f"http://publickey@127.0.0.1:{port}/1")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.capture
    server.shutdown()
    server.server_close()


@pytest.fixture()
def reporting_app(app: Flask, capture: Capture, tmp_path: Path) -> Iterator[Flask]:
    """An app built by the factory with SENTRY_DSN pointing at the capture, and a route with a
    bug whose message names a person."""
    served_document()  # its app, made later, would set the logging again
    reporting = make_test_app(
        "sqlite://",
        tmp_path,
        SENTRY_DSN=capture.url,
        SENTRY_ENVIRONMENT="staging",
        WTF_CSRF_ENABLED=False,
    )

    def broken():  # type: ignore[no-untyped-def]
        raise LookupError(f"no account for {SECRETS['email']} ({SECRETS['phone']})")

    reporting.add_url_rule("/boom", "boom", broken, methods=["POST"])
    yield reporting
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.get_global_scope().set_client(None)
    logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])


def _events(capture: Capture) -> list[dict[str, Any]]:
    """The events in the envelopes: each envelope is JSON lines (a header, then items)."""
    events = []
    for envelope in capture.envelopes:
        lines = envelope.splitlines()
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_an_unhandled_error_is_reported_without_secrets(reporting_app, capture):
    client = reporting_app.test_client()
    client.set_cookie("session", SECRETS["session cookie"])
    response = client.post(
        f"/boom?token={SECRETS['query token']}&page=2",
        data={
            "email": SECRETS["email"],
            "phone": SECRETS["phone"],
            "password": SECRETS["password"],
        },
        headers={
            "Authorization": f"Bearer {SECRETS['bearer token']}",
            "X-Request-ID": "sentry-req-0001",
        },
    )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "sentry-req-0001"
    assert sentry_sdk.flush(timeout=5) is None and capture.arrived.wait(5)

    assert not sentry_sdk.get_client().should_send_default_pii()
    [event] = _events(capture)
    assert event["tags"]["request_id"] == "sentry-req-0001"
    assert event["environment"] == "staging"
    assert event["exception"]["values"][-1]["type"] == "LookupError"
    assert event["request"]["method"] == "POST" and event["request"]["url"].endswith("/boom")
    assert "cookies" not in event["request"]
    sent = "\n".join(capture.envelopes)
    for name, value in SECRETS.items():
        assert value not in sent, f"the {name} was sent to Sentry"
        assert value[4:-4] not in sent, f"part of the {name} was sent to Sentry"


def test_no_dsn_no_reporting(app):
    assert app.config["SENTRY_DSN"] is None
    assert not sentry_sdk.get_client().is_active()


def test_an_event_is_scrubbed_throughout():
    moment = datetime.now(UTC)
    event = {
        "timestamp": moment,
        "message": f"sign-in failed for {SECRETS['email']}",
        "request": {
            "url": "https://tradesetu.test/account/reset-password/eyJ1aWQiOjJ9.aXUIBQ.Ftf4TTmFOtY8QeSlecZAE7nYaXw",
            "query_string": f"token={SECRETS['query token']}&page=2",
            "headers": {
                "Authorization": f"Bearer {SECRETS['bearer token']}",
                "Cookie": f"session={SECRETS['session cookie']}",
                "X-Api-Key": "anything at all",
                "Accept": "text/html",
            },
            "cookies": {"session": SECRETS["session cookie"]},
            "data": {"password": SECRETS["password"], "message": "10 kg please"},
        },
        "user": {"id": "7", "email": SECRETS["email"], "ip_address": "203.0.113.9"},
        "extra": {"phone": SECRETS["phone"], "note": f"call {SECRETS['phone']}"},
        "breadcrumbs": {"values": [{"message": f"mailed {SECRETS['email']}", "data": {}}]},
    }
    scrubbed = error_reporting.scrub_event(event, {})
    request = scrubbed["request"]
    assert request["headers"]["Authorization"] == REDACTED
    assert request["headers"]["Cookie"] == REDACTED
    assert request["headers"]["X-Api-Key"] == REDACTED
    assert request["headers"]["Accept"] == "text/html"
    assert "cookies" not in request and request["data"] == REDACTED
    assert request["query_string"] == f"token={REDACTED}&page=2"
    assert request["url"] == f"https://tradesetu.test/account/reset-password/{REDACTED}"
    assert scrubbed["user"] == {}  # outside a request nobody is known; never an email or IP
    assert scrubbed["message"] == f"sign-in failed for {REDACTED}"
    assert scrubbed["timestamp"] is moment  # sentry-sdk formats it; a string would be refused
    text = json.dumps(scrubbed, default=str)
    for value in SECRETS.values():
        assert value not in text


def test_a_breadcrumb_is_scrubbed():
    crumb = {
        "category": "httplib",
        "data": {"url": f"https://crm.example/hook?access_token={SECRETS['query token']}"},
        "message": f"POST for {SECRETS['phone']}",
    }
    scrubbed = error_reporting.scrub_breadcrumb(crumb, {})
    assert SECRETS["query token"] not in json.dumps(scrubbed)
    assert SECRETS["phone"] not in json.dumps(scrubbed)
    assert scrubbed["category"] == "httplib"


def test_the_sub_processors_notice_names_error_reporting_and_what_it_never_gets(
    client, reporting_app: Flask
):
    """Sentry is named when it is configured (and only then), with what it never gets."""
    page = reporting_app.test_client().get("/notices/sub-processors").get_data(as_text=True)
    assert "(Sentry)" in page
    assert "passwords, tokens, cookies, form contents, email addresses and mobile numbers" in page
    assert "(Sentry)" not in client.get("/notices/sub-processors").get_data(as_text=True)


def test_encoded_personal_data_referers_task_arguments_and_argv_passwords_are_scrubbed():
    encoded = "q=bob%40example.com&phone=%2B919876543210&page=2"
    event = {
        "request": {
            "url": "https://tradesetu.test/search",
            "query_string": encoded,
            "headers": {"Referer": f"https://tradesetu.test/search?{encoded}"},
        },
        "extra": {
            "celery-job": {
                "task_name": "marketplace.notifications.deliver_sms",
                "args": [],
                "kwargs": {"to": "+919812345670", "text": "731618 is your TradeSetu code"},
            },
            "sys.argv": ["tradesetu", "accounts", "create-user", "--password", "Sup3r-Secret-77"],
        },
        "breadcrumbs": {
            "values": [
                {"category": "httplib", "data": {"url": "/x", "http.query": encoded}},
                {"category": "celery.app.trace", "data": {"data": {"args": "('731618',)"}}},
            ]
        },
    }
    scrubbed = error_reporting.scrub_event(event, {})
    text = json.dumps(scrubbed)
    for value in ("bob", "9876543210", "731618", "9812345670", "Sup3r-Secret-77"):
        assert value not in text, f"{value} was sent to Sentry"
    assert scrubbed["request"]["query_string"].endswith("&page=2")
    job = scrubbed["extra"]["celery-job"]
    assert job["task_name"] == "marketplace.notifications.deliver_sms"
    assert "create-user" in json.dumps(scrubbed["extra"]["sys.argv"])
