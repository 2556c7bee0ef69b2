"""Mail and SMS backends: the file outbox, SMTP, and an HTTP SMS gateway (a real local one)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from marketplace.notifications import deliver_email, deliver_sms
from tests.conftest import outbox


def test_file_backends_write_the_outbox(app, ctx):
    deliver_email("asha@example.in", "Hello", "Body with a link https://x.example/a?b=c")
    deliver_sms("+919876543210", "Your code is 123456")
    assert "https://x.example/a?b=c" in outbox(app)[0]
    assert json.loads(outbox(app, "sms")[0]) == {
        "to": "+919876543210",
        "text": "Your code is 123456",
        "sender": "TRDSTU",
    }


def test_smtp_backend(app, ctx, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user, password))

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"]))

    monkeypatch.setattr("marketplace.notifications.smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.example.in")
    monkeypatch.setitem(app.config, "SMTP_USERNAME", "mailer")
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "secret")
    deliver_email("asha@example.in", "Hello", "Body")
    assert sent == [
        ("connect", "smtp.example.in", 587),
        ("starttls",),
        ("login", "mailer", "secret"),
        ("send", "asha@example.in", "Hello"),
    ]


@pytest.fixture()
def sms_gateway():
    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(202 if len(received) == 1 else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/send", received
    server.shutdown()


def test_http_sms_gateway(app, ctx, monkeypatch, sms_gateway):
    import requests

    url, received = sms_gateway
    monkeypatch.setitem(app.config, "SMS_BACKEND", "http")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", url)
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", "gateway-token")
    deliver_sms("+919876543210", "Your code is 123456")
    assert received == [
        (
            "Bearer gateway-token",
            {"to": "+919876543210", "text": "Your code is 123456", "sender": "TRDSTU"},
        )
    ]
    # A gateway error surfaces (and Celery retries the task with backoff).
    with pytest.raises(requests.HTTPError):
        deliver_sms.run("+919876543210", "again")
