"""Webhooks: registration and its refusals, signed deliveries to a real local receiver, retries
with backoff, 410, disabling with a notice, the SSRF rule at registration and at delivery, the
claim that keeps two workers from sending one delivery, and who may do what."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import random
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from kombu.exceptions import OperationalError
from sqlalchemy import select, text, update

from marketplace.accounts.models import User
from marketplace.audit import AuditEvent
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.leads import (
    conversations,
    pipeline,
    webhook_delivery,
    webhook_outbox,
    webhook_targets,
)
from marketplace.leads.inputs import LeadChange, MessageIn
from marketplace.leads.models import (
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from tests import factories
from tests.conftest import Api, Shop, enquire, free_port, outbox

ALL_EVENTS = [str(event) for event in WebhookEvent]


def touch(shop: Shop, lead_id: int, note: str = "Called the buyer.") -> None:
    """A change to the lead (lead.updated), committed."""
    pipeline.update_lead(
        db.session.get(User, shop.supplier_id), lead_id, LeadChange.model_validate({"note": note})
    )
    commit()


def fresh() -> None:
    """End the test's own snapshot, to see what the delivery tasks committed."""
    db.session.rollback()


def delivery_rows() -> list[WebhookDelivery]:
    fresh()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def make_due(delivery_id: int) -> None:
    """Time travel: the backoff has passed (no test sleeps through a real one)."""
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    commit()


def register(api: Api, url: str, events: list[str] | None = None) -> dict:
    response = api.post("/webhooks", {"url": url, "events": events or ALL_EVENTS})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def audit_actions(prefix: str = "webhook.") -> list[str]:
    fresh()
    return [
        row.action
        for row in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if row.action.startswith(prefix)
    ]


# --- signed deliveries -----------------------------------------------------------------------


def test_a_delivery_is_signed_over_the_exact_body(supplier_api, shop, receiver, private_ok):
    created = supplier_api.post("/webhooks", {"url": receiver.url, "events": ["lead.created"]})
    assert created.status_code == 201, created.get_json()
    assert created.headers["Cache-Control"] == "no-store"
    hook = created.get_json()
    assert hook["secret"].startswith("whsec_") and hook["events"] == ["lead.created"]
    assert hook["format"] == "native" and hook["active"] is True

    started = int(time.time())
    lead_id = enquire(shop)

    [got] = receiver.received
    assert got.path == "/hooks/tradesetu"
    headers = got.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "TradeSetu-Webhooks/1"
    assert headers["x-marketplace-event"] == "lead.created"
    timestamp = headers["x-marketplace-timestamp"]
    assert started - 5 <= int(timestamp) <= time.time() + 5
    expected = hmac.new(
        hook["secret"].encode(), timestamp.encode() + b"." + got.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["x-marketplace-signature"], f"sha256={expected}")

    payload = json.loads(got.body)
    assert payload["event"] == "lead.created"
    assert payload["id"] == headers["x-marketplace-delivery"]
    assert payload["created_at"].endswith("Z")
    lead = payload["data"]["lead"]
    assert lead["id"] == lead_id and lead["message"] == "Please quote for 10 kg."
    assert lead["product"]["id"] == shop.product_id and lead["quantity"] == "10"
    assert "trust" in lead and "buyer" in lead

    [delivery] = supplier_api.get(f"/webhooks/{hook['id']}/deliveries").get_json()["items"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert delivery["event"] == "lead.created" and delivery["event_id"] == payload["id"]
    assert delivery["last_status_code"] == 200 and delivery["last_error"] is None
    assert delivery["delivered_at"] and delivery["next_attempt_at"] is None
    [attempt] = delivery["attempt_log"]
    assert attempt["status_code"] == 200 and isinstance(attempt["duration_ms"], int)
    assert attempt["error"] is None and attempt["attempted_at"].endswith("Z")


def test_updates_and_messages_reach_only_the_webhooks_that_want_them(
    supplier_api, shop, receiver, private_ok
):
    hook = register(supplier_api, receiver.url, ["lead.updated", "message.created"])
    lead_id = enquire(shop)
    assert receiver.received == []  # not subscribed to lead.created

    pipeline.update_lead(
        db.session.get(User, shop.supplier_id),
        lead_id,
        LeadChange.model_validate({"status": "contacted"}),
    )
    commit()
    buyer = db.session.get(User, shop.buyer_id)
    conversations.post_message(
        buyer, lead_id, MessageIn.model_validate({"text": "क्या आप पुणे भेज सकते हैं? ₹ में भाव"})
    )
    commit()

    events = [json.loads(got.body) for got in receiver.received]
    assert [event["event"] for event in events] == ["lead.updated", "message.created"]
    assert events[0]["data"]["lead"]["status"] == "contacted"
    assert events[1]["data"]["message"]["text"] == "क्या आप पुणे भेज सकते हैं? ₹ में भाव"
    # UTF-8 as is, not \u escapes; the signature covers those exact bytes.
    got = receiver.received[1]
    assert "पुणे".encode() in got.body
    stamp = got.headers["x-marketplace-timestamp"].encode()
    digest = hmac.new(hook["secret"].encode(), stamp + b"." + got.body, hashlib.sha256)
    assert got.headers["x-marketplace-signature"] == "sha256=" + digest.hexdigest()
    assert events[1]["data"]["message"]["lead_id"] == lead_id
    assert len({event["id"] for event in events}) == 2  # one event id per event


def test_only_the_leads_supplier_hears_of_its_lead(api, supplier_api, shop, receiver, private_ok):
    other = api.sign_in(factories.supplier().email)
    register(other, receiver.url)
    enquire(shop)
    assert receiver.received == [] and delivery_rows() == []


def test_the_secret_is_stored_encrypted_and_never_listed(supplier_api, shop, receiver, private_ok):
    hook = register(supplier_api, receiver.url)
    stored = db.session.execute(text("SELECT secret FROM webhooks")).scalar_one()
    assert hook["secret"] not in stored
    listed = supplier_api.get("/webhooks").get_json()
    assert listed["total"] == 1 and "secret" not in listed["items"][0]
    assert listed["items"][0]["url"] == receiver.url
    assert listed["items"][0]["disabled_at"] is None
    assert audit_actions() == ["webhook.created"]


# --- retries ---------------------------------------------------------------------------------


def test_a_failed_delivery_is_retried_after_its_backoff_and_never_sent_again_after_2xx(
    supplier_api, shop, receiver, private_ok
):
    hook = register(supplier_api, receiver.url, ["lead.created"])
    receiver.statuses = [500, 200]
    before = utcnow()
    enquire(shop)

    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    # Inline (no broker), a failure is not retried on the spot: it waits for its backoff.
    assert len(receiver.received) == 1
    wait = delivery.next_attempt_at - before
    assert (
        webhook_delivery.BACKOFF_FLOOR
        <= wait
        <= webhook_delivery.BACKOFF_BASE + timedelta(seconds=5)
    )
    assert webhook_outbox.dispatch_due() == 0  # not due yet

    make_due(delivery.id)
    assert webhook_outbox.dispatch_due() == 1

    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    first, second = receiver.received
    assert first.body == second.body  # the same bytes, fixed when the event happened
    assert first.headers["x-marketplace-delivery"] == second.headers["x-marketplace-delivery"]

    body = supplier_api.get(f"/webhooks/{hook['id']}/deliveries").get_json()
    log = body["items"][0]["attempt_log"]
    assert [attempt["status_code"] for attempt in log] == [500, 200]
    assert log[0]["error"] == "HTTP 500" and all(a["duration_ms"] >= 0 for a in log)

    # Delivered is final: no sweep, no stray task and no expired lease sends it again.
    make_due(delivery.id)
    assert webhook_outbox.dispatch_due() == 0
    webhook_delivery.attempt_delivery(delivery.id)
    assert len(receiver.received) == 2
    fresh()
    assert db.session.get(Webhook, hook["id"]).failures_in_a_row == 0


def test_a_delivery_is_given_up_after_its_last_attempt(
    supplier_api, shop, receiver, private_ok, monkeypatch
):
    monkeypatch.setattr(webhook_delivery, "MAX_ATTEMPTS", 3)
    register(supplier_api, receiver.url, ["lead.created"])
    receiver.statuses = [503, 503, 503, 200]
    enquire(shop)
    [delivery] = delivery_rows()
    for _ in range(2):
        make_due(delivery.id)
        webhook_outbox.dispatch_due()
    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert delivery.next_attempt_at is None
    make_due(delivery.id)
    assert webhook_outbox.dispatch_due() == 0 and len(receiver.received) == 3


def test_backoff_grows_exponentially_with_full_jitter():
    highest = [webhook_delivery.backoff(n, rng=lambda low, high: high) for n in range(1, 14)]
    assert highest[:4] == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert all(later >= earlier for earlier, later in itertools.pairwise(highest))
    assert highest[-1] == webhook_delivery.BACKOFF_CAP == timedelta(hours=6)
    assert (
        webhook_delivery.backoff(10**6, rng=lambda low, high: high) == webhook_delivery.BACKOFF_CAP
    )
    lowest = webhook_delivery.backoff(5, rng=lambda low, high: low)
    assert lowest == webhook_delivery.BACKOFF_FLOOR  # never the same sweep again

    rng = random.Random(7)
    samples = [webhook_delivery.backoff(4, rng=rng.uniform) for _ in range(200)]
    assert all(webhook_delivery.BACKOFF_FLOOR <= s <= timedelta(seconds=480) for s in samples)
    assert len(set(samples)) == 200  # jittered: no two receivers retry in lockstep
    assert max(samples) > timedelta(seconds=400) and min(samples) < timedelta(seconds=80)


def test_a_redirect_is_a_failure_and_is_not_followed(supplier_api, shop, receiver, private_ok):
    register(supplier_api, receiver.url, ["lead.created"])
    receiver.statuses = [302]
    enquire(shop)
    [delivery] = delivery_rows()
    assert [got.path for got in receiver.received] == ["/hooks/tradesetu"]
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 302
    assert "redirects are not followed" in delivery.last_error


def test_an_unreachable_receiver_is_a_failed_attempt(supplier_api, shop, private_ok):
    register(supplier_api, f"http://127.0.0.1:{free_port()}/nobody-listens", ["lead.created"])
    enquire(shop)
    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error == "could not connect: Connection refused"


@pytest.fixture()
def self_signed_receiver(tmp_path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate nobody signed."""
    import ssl
    from datetime import UTC, datetime
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "receiver.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    server = HTTPServer(("127.0.0.1", free_port()), BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/hooks"
    server.shutdown()
    server.server_close()


def test_a_receiver_whose_certificate_fails_is_a_failed_attempt_that_says_why(
    supplier_api, shop, private_ok, self_signed_receiver
):
    register(supplier_api, self_signed_receiver, ["lead.created"])
    enquire(shop)
    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_error is not None and delivery.last_error.startswith("TLS failed: ")
    assert "certificate" in delivery.last_error.lower(), delivery.last_error


# --- 410 and disabling -----------------------------------------------------------------------


def test_410_deletes_the_webhook_and_gives_up_its_deliveries(
    supplier_api, shop, receiver, private_ok
):
    hook = register(supplier_api, receiver.url, ["lead.created", "lead.updated"])
    receiver.statuses = [500, 410]
    lead_id = enquire(shop)  # 500: waits for a retry
    touch(shop, lead_id)  # 410: the receiver says this URL is over

    waiting, gone = delivery_rows()
    assert gone.status == DeliveryStatus.FAILED and gone.last_status_code == 410
    assert "deleted" in gone.last_error
    assert waiting.status == DeliveryStatus.FAILED and "410" in waiting.last_error
    assert db.session.get(Webhook, hook["id"]).deleted_at is not None
    assert supplier_api.get("/webhooks").get_json()["items"] == []
    assert supplier_api.get(f"/webhooks/{hook['id']}/deliveries").status_code == 404
    assert audit_actions() == ["webhook.created", "webhook.deleted"]

    touch(shop, lead_id, "Another note.")
    make_due(waiting.id)
    assert webhook_outbox.dispatch_due() == 0
    assert len(delivery_rows()) == 2 and len(receiver.received) == 2


def test_repeated_failures_disable_the_webhook_with_a_notice(
    app, supplier, supplier_api, shop, receiver, private_ok, monkeypatch
):
    assert webhook_delivery.DISABLE_AFTER_FAILURES == 20
    monkeypatch.setattr(webhook_delivery, "DISABLE_AFTER_FAILURES", 3)  # the same rule, sooner
    hook = register(supplier_api, receiver.url + "?token=crm-access-token", ["lead.updated"])
    receiver.statuses = [500] * 3
    lead_id = enquire(shop)  # lead.created: not subscribed
    touch(shop, lead_id, "one")
    touch(shop, lead_id, "two")
    first, second = delivery_rows()
    assert first.status == second.status == DeliveryStatus.PENDING
    make_due(first.id)  # a retry that fails counts too: the third failure in a row
    webhook_outbox.dispatch_due()

    fresh()
    webhook = db.session.get(Webhook, hook["id"])
    assert webhook.disabled_at is not None and webhook.failures_in_a_row == 3
    assert webhook.disabled_reason.startswith("3 delivery attempts in a row failed")
    # Every waiting delivery is given up, the one that tipped it over included.
    first, second = delivery_rows()
    assert first.status == second.status == DeliveryStatus.FAILED
    assert first.attempts == 2 and first.last_error == "HTTP 500; the webhook was disabled"
    assert second.attempts == 1 and second.last_error == "the webhook was disabled"
    assert audit_actions() == ["webhook.created", "webhook.disabled"]

    [notice] = [mail for mail in outbox(app) if "webhook was turned off" in mail]
    assert f"To: {supplier.email}" in notice
    assert "HTTP 500" in notice and "turn the webhook back on" in notice
    assert "/api/" not in notice and f"/account/webhooks/{hook['id']}" in notice  # its page
    assert "crm-access-token" not in notice  # the URL's query may be a credential

    listed = supplier_api.get("/webhooks").get_json()["items"][0]
    assert listed["active"] is False and listed["disabled_at"] and listed["disabled_reason"]

    touch(shop, lead_id, "while disabled")
    assert len(delivery_rows()) == 2 and len(receiver.received) == 3

    enabled = supplier_api.post(f"/webhooks/{hook['id']}/enable")
    assert enabled.status_code == 200, enabled.get_json()
    assert enabled.get_json()["active"] is True
    assert enabled.get_json()["failures_in_a_row"] == 0
    assert audit_actions()[-1] == "webhook.enabled"
    touch(shop, lead_id, "back on")
    assert delivery_rows()[-1].status == DeliveryStatus.DELIVERED


def test_deleting_a_webhook_stops_its_deliveries(supplier_api, shop, receiver, private_ok):
    hook = register(supplier_api, receiver.url, ["lead.created", "lead.updated"])
    receiver.statuses = [500]
    lead_id = enquire(shop)
    assert supplier_api.delete(f"/webhooks/{hook['id']}").status_code == 204
    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.FAILED and "deleted" in delivery.last_error
    touch(shop, lead_id)
    assert len(delivery_rows()) == 1 and len(receiver.received) == 1
    assert supplier_api.delete(f"/webhooks/{hook['id']}").status_code == 404
    assert supplier_api.get("/webhooks").get_json()["items"] == []
    assert audit_actions() == ["webhook.created", "webhook.deleted"]


# --- the claim: one sender at a time ---------------------------------------------------------


def test_two_workers_never_send_one_delivery_at_once(
    app, supplier_api, shop, receiver, private_ok, monkeypatch
):
    register(supplier_api, receiver.url, ["lead.created"])
    # No hand-over after the commit (as with a broker down): the row waits for a sender.
    monkeypatch.setattr(webhook_outbox, "_hand_over", lambda ids: None)
    enquire(shop)
    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.PENDING and receiver.received == []

    receiver.gate = threading.Event()

    def first_worker() -> None:
        with app.app_context():
            webhook_delivery.attempt_delivery(delivery.id)
            db.session.remove()

    worker = threading.Thread(target=first_worker)
    worker.start()
    assert receiver.arrived.wait(10)  # the first worker is mid-request, holding the claim
    webhook_delivery.attempt_delivery(
        delivery.id
    )  # a second worker, or a stray task: nothing to do
    assert webhook_outbox.dispatch_due() == 0  # the sweep does not see a claimed row as due
    receiver.gate.set()
    worker.join(10)

    [delivery] = delivery_rows()
    assert len(receiver.received) == 1
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1


def test_a_broker_outage_delays_a_delivery_and_the_sweep_sends_it(
    supplier_api, shop, receiver, private_ok, monkeypatch
):
    import workers

    register(supplier_api, receiver.url, ["lead.created"])

    class DeadBroker:
        def delay(self, *args: object) -> None:
            raise OperationalError("broker down")

    bound = workers._bound
    monkeypatch.setattr(
        workers,
        "_bound",
        lambda task: DeadBroker() if task.name.endswith("deliver_webhook") else bound(task),
    )
    enquire(shop)  # the enquiry itself succeeds
    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.PENDING and receiver.received == []

    monkeypatch.setattr(workers, "_bound", bound)
    from marketplace.leads.tasks import send_due_webhooks

    assert send_due_webhooks() == 1  # what beat runs
    [delivery] = delivery_rows()
    assert delivery.status == DeliveryStatus.DELIVERED and len(receiver.received) == 1


# --- the SSRF rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
        "https://100.64.0.1/hook",
        "http://localhost:5000/hook",
        "http://2130706433/hook",  # 127.0.0.1 as one number
    ],
)
def test_private_targets_are_refused_at_registration(supplier_api, url):
    response = supplier_api.post("/webhooks", {"url": url, "events": ["lead.created"]})
    assert response.status_code == 422, response.get_json()
    [message] = response.get_json()["errors"]["url"]
    assert "private, loopback or link-local" in message
    assert supplier_api.get("/webhooks").get_json()["items"] == []


def test_a_host_name_is_judged_by_every_address_it_resolves_to(supplier_api, monkeypatch):
    answers = {
        "crm.example.com": ["93.184.216.34"],
        "sneaky.example.com": ["93.184.216.34", "10.0.0.7"],
        "inside.example.com": ["172.16.5.4"],
    }

    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("no such host")
        return answers[host]

    monkeypatch.setattr(webhook_targets, "_resolve", resolve)
    ok = supplier_api.post(
        "/webhooks", {"url": "https://crm.example.com/hook", "events": ["lead.created"]}
    )
    assert ok.status_code == 201, ok.get_json()
    for host, address in (("sneaky", "10.0.0.7"), ("inside", "172.16.5.4")):
        refused = supplier_api.post(
            "/webhooks", {"url": f"https://{host}.example.com/hook", "events": ["lead.created"]}
        )
        assert refused.status_code == 422
        assert address in refused.get_json()["errors"]["url"][0]
    unknown = supplier_api.post(
        "/webhooks", {"url": "https://nothing.invalid/hook", "events": ["lead.created"]}
    )
    assert unknown.status_code == 422
    assert "could not be resolved" in unknown.get_json()["errors"]["url"][0]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.31.255.255", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:93.184.216.34", False),  # not global as IPv6, whatever it maps to
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("not an address", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert webhook_targets.is_public_address(address) is public


def test_a_delivery_to_a_private_address_fails_without_a_request(
    app, supplier_api, shop, receiver, private_ok
):
    register(supplier_api, receiver.url, ["lead.created"])
    app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = False  # as in production
    enquire(shop)
    [delivery] = delivery_rows()
    assert receiver.received == []
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_status_code is None
    assert "127.0.0.1, a private, loopback or link-local address" in delivery.last_error
    assert delivery.attempt_log[0].error == delivery.last_error


def test_dns_rebinding_is_caught_at_the_connection(
    app, supplier_api, shop, receiver, private_ok, monkeypatch
):
    """The name resolved to a public address when checked, then to loopback when connecting:
    the address the socket actually reached is what counts."""
    register(supplier_api, receiver.url, ["lead.created"])
    app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = False
    monkeypatch.setattr(webhook_targets, "_resolve", lambda host, port: ["93.184.216.34"])
    enquire(shop)
    [delivery] = delivery_rows()
    assert receiver.received == []
    assert delivery.last_error.startswith("connected to 127.0.0.1")


# --- who may do what -------------------------------------------------------------------------


def _key(api: Api, scopes: list[str]) -> Api:
    created = api.post("/api-keys", {"name": "CRM", "scopes": scopes})
    assert created.status_code == 201, created.get_json()
    return Api(api.client, created.get_json()["key"])


def test_integration_keys_read_with_the_scope_and_never_manage(supplier_api, receiver, private_ok):
    hook = register(supplier_api, receiver.url)
    managing = _key(supplier_api, ["webhooks:manage"])
    assert managing.get("/webhooks").get_json()["total"] == 1
    deliveries = managing.get(f"/webhooks/{hook['id']}/deliveries")
    assert deliveries.status_code == 200 and deliveries.get_json()["items"] == []
    create = managing.post("/webhooks", {"url": receiver.url, "events": ["lead.created"]})
    assert create.status_code == 403
    assert managing.post(f"/webhooks/{hook['id']}/enable").status_code == 403
    assert managing.delete(f"/webhooks/{hook['id']}").status_code == 403

    reading_leads = _key(supplier_api, ["leads:read"])
    assert reading_leads.get("/webhooks").status_code == 403
    assert reading_leads.get(f"/webhooks/{hook['id']}/deliveries").status_code == 403
    assert "webhooks:manage" in reading_leads.get("/webhooks").get_json()["detail"]


def test_buyers_and_strangers_cannot_use_webhooks(api, buyer_api, receiver, private_ok):
    assert buyer_api.post("/webhooks", {"url": receiver.url, "events": ALL_EVENTS}).status_code == (
        403
    )
    assert buyer_api.get("/webhooks").status_code == 403
    assert api.get("/webhooks").status_code == 401


def test_another_suppliers_webhook_is_not_found(api, supplier_api, ctx, receiver, private_ok):
    hook = register(supplier_api, receiver.url)
    other = api.sign_in(factories.supplier().email)
    assert other.get("/webhooks").get_json()["items"] == []
    assert other.get(f"/webhooks/{hook['id']}/deliveries").status_code == 404
    assert other.post(f"/webhooks/{hook['id']}/enable").status_code == 404
    assert other.delete(f"/webhooks/{hook['id']}").status_code == 404
    assert supplier_api.get(f"/webhooks/{hook['id']}/deliveries").status_code == 200


# --- input -----------------------------------------------------------------------------------

GOOD = "http://127.0.0.1:9/hook"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"events": ["lead.created"]}, "url", "required"),
        ({"url": 42, "events": ["lead.created"]}, "url", "must be a string"),
        ({"url": "ftp://127.0.0.1/hook", "events": ["lead.created"]}, "url", "https://"),
        ({"url": "127.0.0.1/hook", "events": ["lead.created"]}, "url", "https://"),
        ({"url": "https://", "events": ["lead.created"]}, "url", "must name a host"),
        ({"url": "http://crm:pw@127.0.0.1/", "events": ["lead.created"]}, "url", "password"),
        ({"url": "http://127.0.0.1:99999/", "events": ["lead.created"]}, "url", "not a valid"),
        ({"url": "http://127.0.0.1/a b", "events": ["lead.created"]}, "url", "spaces"),
        ({"url": GOOD + "?" + "x" * 2000, "events": ["lead.created"]}, "url", "at most 2000"),
        ({"url": GOOD}, "events", "required"),
        ({"url": GOOD, "events": []}, "events", "non-empty list"),
        ({"url": GOOD, "events": "lead.created"}, "events", "non-empty list"),
        ({"url": GOOD, "events": ["lead.deleted"]}, "events", "unknown event"),
        ({"url": GOOD, "events": [1]}, "events", "unknown event"),
        ({"url": GOOD, "events": ["lead.created", "lead.created"]}, "events", "twice"),
        ({"url": GOOD, "events": ALL_EVENTS, "format": "indiamart"}, "events", "new leads only"),
        ({"url": GOOD, "events": ALL_EVENTS, "format": "xml"}, "format", "native"),
        ({"url": GOOD, "events": ALL_EVENTS, "format": 1}, "format", "native"),
        ({"url": GOOD, "events": ALL_EVENTS, "secret": "mine"}, "secret", "unknown field"),
        (["not", "an", "object"], "body", "object"),
    ],
)
def test_bad_input_is_422_naming_the_field(supplier_api, private_ok, body, field, message):
    response = supplier_api.post("/webhooks", body)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors and message in " ".join(errors[field]), errors


def test_the_format_may_be_named_and_is_kept(supplier_api, private_ok):
    created = supplier_api.post(
        "/webhooks", {"url": GOOD, "events": ["lead.created"], "format": "native"}
    )
    assert created.status_code == 201 and created.get_json()["format"] == "native"


def test_a_supplier_has_at_most_ten_webhooks(supplier_api, private_ok):
    ids = [register(supplier_api, f"{GOOD}/{n}")["id"] for n in range(10)]
    refused = supplier_api.post("/webhooks", {"url": GOOD, "events": ["lead.created"]})
    assert refused.status_code == 409 and "at most 10" in refused.get_json()["detail"]
    assert supplier_api.delete(f"/webhooks/{ids[0]}").status_code == 204
    register(supplier_api, GOOD)  # a deleted one does not count


def test_deliveries_are_paged_newest_first(supplier_api, shop, receiver, private_ok):
    hook = register(supplier_api, receiver.url, ["lead.updated"])
    lead_id = enquire(shop)
    for n in range(3):
        touch(shop, lead_id, f"note {n}")
    page = supplier_api.get(f"/webhooks/{hook['id']}/deliveries?per_page=2").get_json()
    assert page["total"] == 3 and page["page"] == 1 and page["per_page"] == 2
    ids = [item["id"] for item in page["items"]]
    assert ids == sorted(ids, reverse=True)
    rest = supplier_api.get(f"/webhooks/{hook['id']}/deliveries?per_page=2&page=2").get_json()
    assert len(rest["items"]) == 1 and rest["items"][0]["id"] < ids[-1]
    bad = supplier_api.get(f"/webhooks/{hook['id']}/deliveries?per_page=500")
    assert bad.status_code == 422 and "per_page" in bad.get_json()["errors"]
