"""Log lines: JSON a line with their fields, request ids (honoured, replaced, made, returned, and
carried into tasks and webhook deliveries), and redaction of every secret and personal value
from everything logged during a realistic run."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace import logs, notifications, request_ids
from marketplace.extensions import db
from marketplace.leads.models import WebhookDelivery
from marketplace.redaction import REDACTED, redact
from tests import factories
from tests.conftest import Api, csrf_token, make_test_app, outbox, served_document

GUEST = {
    "name": "Ravi Kumar",
    "email": "ravi.kumar.secret@example.in",
    "phone": "+919812345670",
    "age_confirmed": True,
    "accept_terms": True,
}


@pytest.fixture()
def json_logs(app: Flask) -> Iterator[None]:
    """The app's log lines as in production (JSON), at DEBUG, for the test."""
    served_document()  # made by an app of its own, whose factory would set the logging again
    logs.configure("DEBUG", "json")
    yield
    logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Every line written to stderr, each parsed (a line that is not one JSON object fails)."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def _access(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "marketplace.access"]


# --- the lines -------------------------------------------------------------------------------


def test_json_lines_parse_and_carry_the_fields(json_logs, capsys, buyer_api, buyer):
    capsys.readouterr()
    response = buyer_api.get("/me", headers={"X-Request-ID": "trace-0001-abcd"})
    assert response.status_code == 200
    [line] = _access(_lines(capsys))
    assert line["level"] == "INFO"
    assert line["message"] == f"GET /api/v1/me 200 {line['duration_ms']} ms"
    assert line["method"] == "GET" and line["route"] == "/api/v1/me" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == "trace-0001-abcd"
    assert line["user_id"] == buyer.id
    moment = datetime.fromisoformat(line["time"])
    assert line["time"].endswith("Z") and moment.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60


def test_the_route_is_the_url_rule_not_the_path(json_logs, capsys, api):
    capsys.readouterr()
    api.get("/products/987654")
    [line] = _access(_lines(capsys))
    assert line["route"] == "/api/v1/products/<int:product_id>" and line["status"] == 404
    assert "987654" not in line["message"] and "user_id" not in line


def test_the_factory_sets_up_json_from_config(app, tmp_path: Path, capsys):
    other = make_test_app("sqlite://", tmp_path, LOG_FORMAT="json", LOG_LEVEL="WARNING")
    try:
        capsys.readouterr()
        logging.getLogger("marketplace.test").info("not at WARNING")
        logging.getLogger("marketplace.test").warning("at %s", "WARNING")
        [line] = _lines(capsys)
        assert line["message"] == "at WARNING" and line["logger"] == "marketplace.test"
        root = logging.getLogger()
        assert sum(handler.get_name() == "marketplace" for handler in root.handlers) == 1
    finally:
        logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    del other


def test_text_lines_name_the_request(app, capsys, client):
    logs.configure("INFO", "text")
    capsys.readouterr()
    client.get("/livez", headers={"X-Request-ID": "text-line-0001"})
    text = capsys.readouterr().err
    logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    assert re.search(
        r"Z INFO marketplace\.access \[request_id=text-line-0001\]: GET /livez 200", text
    )


# --- request ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [
        "x" * 65,  # too long
        "abc",  # too short to be anyone's id
        "abc def ghi",  # a space
        "<script>alert(1)</script>",
        "9876543210",  # a phone number, which the log would have to hide
        "ravi@example.in",
    ],
)
def test_a_bad_request_id_is_replaced(client, sent):
    response = client.get("/livez", headers={"X-Request-ID": sent})
    returned = response.headers["X-Request-ID"]
    assert returned != sent and re.fullmatch(r"[0-9a-f]{32}", returned)


def test_a_request_id_is_made_when_absent_and_differs_per_request(client):
    first = client.get("/livez").headers["X-Request-ID"]
    second = client.get("/livez").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.parametrize("status", [200, 404, 422, 500])
def test_the_request_id_comes_back_on_every_answer(app, client, monkeypatch, status):
    def broken() -> None:
        raise RuntimeError("a bug")

    assert "main.livez" in app.view_functions
    monkeypatch.setitem(app.view_functions, "main.livez", broken)
    requests = {
        200: lambda headers: client.get("/", headers=headers),
        404: lambda headers: client.get("/api/v1/products/424242", headers=headers),
        422: lambda headers: client.post("/api/v1/accounts", json={}, headers=headers),
        500: lambda headers: client.get("/livez", headers=headers),
    }
    response = requests[status]({"X-Request-ID": f"req-{status}-abcdef"})
    assert response.status_code == status
    assert response.headers["X-Request-ID"] == f"req-{status}-abcdef"


def test_the_request_id_is_not_left_behind(client):
    client.get("/livez", headers={"X-Request-ID": "gone-after-0001"})
    assert request_ids.current() is None


# --- into tasks ------------------------------------------------------------------------------


@pytest.fixture()
def seen_by_mail_task(monkeypatch) -> list[str | None]:
    """The request id current inside the mail task, each time it writes a message."""
    seen: list[str | None] = []
    write = notifications._outbox_file

    def spy(kind: str, suffix: str) -> Path:
        seen.append(request_ids.current())
        return write(kind, suffix)

    monkeypatch.setattr(notifications, "_outbox_file", spy)
    return seen


def test_a_task_run_inline_inherits_the_request_id(api, buyer, seen_by_mail_task):
    response = api.post(
        "/auth/password-reset", {"email": buyer.email}, headers={"X-Request-ID": "inline-req-01"}
    )
    assert response.status_code == 202
    assert seen_by_mail_task == ["inline-req-01"]


def test_a_worker_task_runs_under_the_published_id_and_beat_work_gets_its_own(
    ctx, seen_by_mail_task
):
    task = ctx.extensions["celery"].tasks["marketplace.notifications.deliver_email"]
    args = {"to": "someone@example.in", "subject": "s", "body": "b"}
    task.apply(kwargs=args, headers={request_ids.TASK_HEADER: "from-relay-0001"})
    task.apply(kwargs=args)  # as beat sends it: no header, no request around it
    assert seen_by_mail_task[0] == "from-relay-0001"
    assert re.fullmatch(r"[0-9a-f]{32}", seen_by_mail_task[1] or "")


@pytest.fixture()
def with_broker(app: Flask) -> Iterator[Flask]:
    """Tasks go through the task outbox, as with a broker (nothing publishes unless asked)."""
    celery = app.extensions["celery"]
    celery.conf.task_always_eager = False
    yield app
    celery.conf.task_always_eager = True


def test_the_outbox_row_and_the_published_task_carry_the_request_id(
    api, buyer, with_broker, monkeypatch
):
    from workers.outbox import QueuedTask, relay_batch

    response = api.post(
        "/auth/password-reset", {"email": buyer.email}, headers={"X-Request-ID": "outbox-req-01"}
    )
    assert response.status_code == 202
    with with_broker.app_context():
        [row] = db.session.scalars(select(QueuedTask)).all()
        assert row.request_id == "outbox-req-01"
        published: list[dict[str, Any]] = []
        celery = with_broker.extensions["celery"]
        monkeypatch.setattr(celery, "send_task", lambda name, **options: published.append(options))
        assert relay_batch() == 1
    assert published[0]["task_id"] == row.id
    assert published[0]["headers"] == {"request_id": "outbox-req-01"}


def test_a_task_published_in_a_request_carries_its_id(app):
    from workers import _carry_request_id

    headers: dict[str, Any] = {}
    with request_ids.bound("published-0001"):
        _carry_request_id(headers=headers)
    kept = {"request_id": "from-the-row-01"}
    with request_ids.bound("published-0001"):
        _carry_request_id(headers=kept)
    assert headers == {"request_id": "published-0001"}
    assert kept == {"request_id": "from-the-row-01"}  # the relay's own, from the row


# --- into webhook deliveries ------------------------------------------------------------------


def test_a_webhook_delivery_records_sends_and_logs_the_request_id(
    json_logs, capsys, supplier_api, buyer_api, shop, receiver, private_ok
):
    created = supplier_api.post("/webhooks", {"url": receiver.url, "events": ["lead.created"]})
    assert created.status_code == 201, created.get_json()
    capsys.readouterr()
    sent = buyer_api.post(
        "/enquiries",
        {"product_id": shop.product_id, "quantity": "10", "message": "Please quote for 10 kg."},
        headers={"X-Request-ID": "enquiry-req-0001"},
    )
    assert sent.status_code == 201, sent.get_json()
    assert receiver.arrived.wait(10)
    assert receiver.received[0].headers["x-request-id"] == "enquiry-req-0001"
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.request_id == "enquiry-req-0001"
    delivered = [
        line for line in _lines(capsys) if line["logger"] == "marketplace.leads.webhook_delivery"
    ]
    assert delivered and all(line["request_id"] == "enquiry-req-0001" for line in delivered)
    assert "delivered" in delivered[-1]["message"]


# --- redaction -------------------------------------------------------------------------------


def test_no_secret_or_personal_value_reaches_a_log_line(
    app, client, api, capsys, caplog, product_id_and_supplier
):
    """A realistic run, everything logged at DEBUG by every logger: none of the secrets used
    appears in the lines written or in any record a handler received."""
    product_id, supplier = product_id_and_supplier
    served_document()  # made by an app of its own, whose factory would set the logging again
    logs.configure("DEBUG", "json")
    caplog.set_level(logging.DEBUG)
    capsys.readouterr()
    try:
        secrets = _realistic_run(app, client, api, product_id, supplier)
    finally:
        logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    written = capsys.readouterr().err
    captured = caplog.text + "\n".join(str(vars(record)) for record in caplog.records)
    lines = [json.loads(line) for line in written.splitlines() if line.strip()]
    assert len(_access(lines)) >= 8  # the run was logged: the grep below has something to read
    assert any(line.get("user_id") for line in lines)
    for name, value in secrets.items():
        assert value not in written, f"the {name} was written to the log"
        assert value not in captured, f"the {name} reached a log record"


@pytest.fixture()
def product_id_and_supplier(ctx, categories) -> tuple[int, factories.Registered]:
    from marketplace.accounts.models import User
    from marketplace.catalog.inputs import ProductIn
    from marketplace.catalog.services import create_product
    from marketplace.db import commit

    supplier = factories.supplier()
    product = create_product(
        db.session.get(User, supplier.id),
        ProductIn.model_validate(
            {"name": "Copper Strip", "category": "copper-wires", "price": "700.00", "unit": "kg"}
        ),
    )
    commit()
    return product.id, supplier


def _realistic_run(
    app: Flask, client: Any, api: Api, product_id: int, supplier: factories.Registered
) -> dict[str, str]:
    # Register through the API, with an email, a mobile and a password.
    data = factories.registration("buyer", password="marigold-ferry-lantern-77")
    assert api.post("/accounts", data).status_code == 201
    # Sign in through the page (a session cookie) and through the API (a bearer token).
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    signed_in = client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": data["email"], "password": data["password"]},
    )
    assert signed_in.status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.get("/account/")
    bearer = api.sign_in(data["email"], data["password"])
    assert bearer.token is not None
    # An API call with an integration key (Bearer), made by the supplier.
    supplier_api = api.sign_in(supplier.email)
    key = supplier_api.post("/api-keys", {"name": "CRM", "scopes": ["leads:read"]}).get_json()
    assert Api(client, key["key"]).get("/leads").status_code == 200
    # A bad sign-in that names the person, and a guest's enquiry with a phone and an email.
    api.post("/auth/tokens", {"email": data["email"], "password": "wrong-password-secret"})
    guest = api.post(
        "/enquiries/guest",
        {**GUEST, "product_id": product_id, "quantity": "5", "message": "Quote please."},
    )
    assert guest.status_code == 202, guest.get_json()
    # The guest's one-time code, sent by SMS (a task whose arguments Celery would log), used.
    guest_code = re.search(r"\b(\d{6})\b", outbox(app, "sms")[-1])
    assert guest_code
    verification = guest.get_json()["verification_id"]
    confirmed = api.post(f"/enquiries/guest/{verification}/confirm", {"code": guest_code.group(1)})
    assert confirmed.status_code == 201, confirmed.get_json()
    # A guest's complaint: its code and its words go out by email.
    complaint = api.post(
        "/grievances",
        {
            "category": "fraud",
            "subject": "Supplier took an advance",
            "description": "I paid an advance and the supplier vanished with my tamarind-lantern.",
            "name": "Ravi Kumar",
            "email": "ravi.complainant@example.in",
        },
    )
    assert complaint.status_code == 202, complaint.get_json()
    complaint_mail = outbox(app)[-1]
    complaint_code = re.search(r"\b(\d{6})\b", complaint_mail)
    assert complaint_code and "ravi.complainant@example.in" in complaint_mail
    # A password reset: the emailed token, used.
    assert api.post("/auth/password-reset", {"email": data["email"]}).status_code == 202
    match = re.search(r"/account/reset-password/(\S+)", outbox(app)[-1])
    assert match
    reset = api.post(
        "/auth/password-reset/confirm",
        {"token": match.group(1), "password": "juniper-anchor-meadow-58"},
    )
    assert reset.status_code == 204
    client.get(f"/account/reset-password/{match.group(1)}")  # the link in the path
    return {
        "email": data["email"],
        "mobile": data["phone"],
        "mobile (national)": data["phone"][3:],
        "password": data["password"],
        "wrong password": "wrong-password-secret",
        "new password": "juniper-anchor-meadow-58",
        "session cookie": cookie.value,
        "bearer token": bearer.token,
        "integration key": key["key"],
        "reset token": match.group(1),
        "guest email": GUEST["email"],
        "guest mobile": GUEST["phone"],
        "guest mobile (national)": GUEST["phone"][3:],
        "supplier email": supplier.email,
        "guest's one-time code": guest_code.group(1),
        "complaint code": complaint_code.group(1),
        "complainant email": "ravi.complainant@example.in",
        "email body": _body_phrase(outbox(app)[0]),
    }


def _body_phrase(mail: str) -> str:
    """A line of a message's body: what only the task's arguments (the body) would carry."""
    body = mail.split("\n\n", 1)[1]
    # one that redaction would leave alone by its shape: only dropping the arguments hides it
    return next(
        line.strip()
        for line in body.splitlines()
        if len(line.strip()) > 20 and redact(line) == line and "://" not in line
    )


# --- gunicorn --------------------------------------------------------------------------------


def test_gunicorns_own_lines_are_json_lines_too(app, capsys, monkeypatch):
    from gunicorn.config import Config

    from marketplace.gunicorn_logging import PortalLogger

    monkeypatch.setenv("LOG_FORMAT", "json")
    served_document()  # made by an app of its own, whose factory would set the logging again
    try:
        logger = PortalLogger(Config())
        capsys.readouterr()
        logger.info("Booting worker with pid: %s", 4242)
        logger.warning("Worker for ravi@example.in timed out")
        [booting, timeout] = _lines(capsys)
    finally:
        logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    assert booting["logger"] == "gunicorn.error" and booting["level"] == "INFO"
    assert booting["message"] == "Booting worker with pid: 4242"
    assert timeout["message"] == "Worker for [redacted] timed out"


# --- what redaction hides and what it leaves -------------------------------------------------

R = REDACTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # quoted values go to their closing quote, spaces and all
        ("password: 'correct horse battery staple'", f"password: '{R}'"),
        (
            '{"password": "correct horse battery staple", "page": 2}',
            f'{{"password": "{R}", "page": 2}}',
        ),
        ("secret='a b c' kept", f"secret='{R}' kept"),
        # pydantic's messages repeat what was typed
        (
            "Value error, not a number [type=value_error, input_value='my pin is 4431', "
            "input_type=str]",
            f"Value error, not a number [type=value_error, input_value='{R}', input_type=str]",
        ),
        ("input_value={'note': 'call me'}, input_type=dict", f"input_value={R}, input_type=dict"),
        # names of personal data, and what follows a password option on a command line
        ("email=bob@example.com&page=2", f"email={R}&page=2"),
        ("phone=12345&mobile: 99", f"phone={R}&mobile: {R}"),
        (
            "create-user --password Sup3r-Secret-77 --role admin",
            f"create-user --password {R} --role admin",
        ),
        ("create-user --password 'two words' x", f"create-user --password '{R}' x"),
        # phones however written
        ("call 9876543210 now", f"call {R} now"),
        ("call 9876 543 210 now", f"call {R} now"),
        ("call (987) 654-3210 now", f"call {R} now"),
        ("call 98 76 54 32 10 now", f"call {R} now"),
        ("call +91 98765 43210 now", f"call {R} now"),
        ("call +919876543210.", f"call {R}."),
        ("call 098765-43210, then", f"call {R}, then"),
        ("call 91-98765-43210", f"call {R}"),
        ("call 98765.43210", f"call {R}"),
        ("call (+91) 98765-43210", f"call {R}"),
        ("London +44 20 7946 0958", f"London {R}"),
        ("to=9876543210&x=1", f"to={R}&x=1"),
        ("tel:+919876543210 or /users/9876543210", f"tel:{R} or /users/{R}"),
        ("[9876543210]", f"[{R}]"),
        # emails, signed values, tokens (as before)
        ("mailed ravi.kumar@example.in", f"mailed {R}"),
        ("sent Bearer abc.def-ghi", f"sent Bearer {R}"),
    ],
)
def test_redaction_hides(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-06T08:24:41.123Z INFO marketplace.access: GET /api/v1/me 200 306.1 ms",
        "2026-12-06 08:24:41,123 started at 2026-12-06T08:24:41.123456+00:00",
        "GET /api/v1/products/987654 404 3.2 ms",
        "GET /api/v1/leads/987654 200 3 ms",
        "Task deliver_sms[12345678-1234-5678-9abc-def012345678] succeeded in 0.002s",
        "request_id=1234567890abcdef1234567890abcdef",
        "order 12,50,000.00 INR and 12500000.00 and ₹ 700.00 for 200 kg",
        "took 1733473481.123 s; 203.0.113.9:8080 and 127.0.0.1:5432",
        "lead 4242 of supplier 17 on page 2 of 31, 1024 bytes",
        "version 2.75.0, 3 retries in 0.25 s, status 200 42 ms",
        "marketplace.leads.webhook_delivery delivered",
        "a phone number is required",
        "time 12:34:56.789012345, pin 400001, GSTIN 27AAPFU0939F1ZV",
        "sent email to the supplier",
    ],
)
def test_redaction_leaves(text):
    assert redact(text) == text


def test_a_tasks_arguments_and_result_never_reach_a_log_line(json_logs, capsys, ctx):
    """Celery's task lines carry the arguments and the result, in the message and in an extra."""
    task = ctx.extensions["celery"].tasks["marketplace.notifications.deliver_sms"]
    capsys.readouterr()
    task.apply(kwargs={"to": "+919812345670", "text": "731618 is your TradeSetu code"})
    [line] = [line for line in _lines(capsys) if line["logger"] == "celery.app.trace"]
    assert "731618" not in json.dumps(line)
    assert line["data"]["name"] == "marketplace.notifications.deliver_sms"
    assert line["data"]["id"] and "succeeded" in line["message"]
    logging.getLogger("celery.app.trace").info(
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
        context := {
            "name": "t",
            "id": "abc",
            "runtime": 0.5,
            "return_value": "'ravi words'",
            "args": "()",
            "kwargs": "{}",
        },
        extra={"data": context},
    )
    [line] = _lines(capsys)
    assert "ravi words" not in json.dumps(line) and "succeeded in 0.5s" in line["message"]


def test_named_arguments_keep_their_types_and_lose_their_sensitive_values(json_logs, capsys):
    logging.getLogger("marketplace.test").info(
        "%(count)d leads, %(total).2f INR, for %(email)s", {"count": 3, "total": 7.5, "email": "x"}
    )
    [line] = _lines(capsys)
    assert line["message"] == f"3 leads, 7.50 INR, for {REDACTED}"
