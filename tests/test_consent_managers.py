"""Consent managers (DPDP Act 2023 s.6(7)-(9), DPDP Rules 2025 r.4), tested against a fake
manager that holds its own Ed25519 private key and signs its calls as a real one would."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.audit import AuditEvent
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.privacy.manager_models import ConsentManagerNonce
from marketplace.privacy.manager_signatures import signing_input
from marketplace.privacy.models import ConsentRecord
from marketplace.privacy.services import may_process
from tests import factories
from tests.conftest import Api, conforms_to_openapi, sign_in_page


def _public(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


class FakeManager:
    """A consent manager as seen from outside: its private key never leaves it."""

    def __init__(self, client: FlaskClient, manager_id: int, key: Ed25519PrivateKey):
        self.client = client
        self.id = manager_id
        self.key = key

    def call(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        timestamp: float | None = None,
        nonce: str | None = None,
        key: Ed25519PrivateKey | None = None,
        signed_body: bytes | None = None,
        manager_id: int | None = None,
    ) -> Any:
        raw = json.dumps(body).encode()
        stamp = str(int(time.time() if timestamp is None else timestamp))
        nonce = nonce or secrets.token_urlsafe(18)
        url = f"/api/v1{path}"
        message = signing_input(
            method, url, stamp, nonce, raw if signed_body is None else signed_body
        )
        signature = (key or self.key).sign(message)
        headers = {
            "X-Consent-Manager-Id": str(manager_id or self.id),
            "X-Consent-Manager-Timestamp": stamp,
            "X-Consent-Manager-Nonce": nonce,
            "X-Consent-Manager-Signature": base64.b64encode(signature).decode(),
        }
        response = self.client.open(
            url, method=method, data=raw, headers=headers, content_type="application/json"
        )
        conforms_to_openapi(method, url, response)
        return response

    def consents(self, person: dict[str, str], **kwargs: Any) -> Any:
        return self.call("POST", "/consent-managers/principal-consents", person, **kwargs)

    def choose(self, purpose: str, body: dict[str, Any], **kwargs: Any) -> Any:
        return self.call("PUT", f"/consent-managers/principal-consents/{purpose}", body, **kwargs)


@pytest.fixture()
def officer_api(api: Api, ctx: Any) -> Api:
    return api.sign_in(factories.staff("grievance_officer").email)


@pytest.fixture()
def manager(officer_api: Api, client: FlaskClient) -> FakeManager:
    key = Ed25519PrivateKey.generate()
    made = officer_api.post(
        "/consent-managers",
        {
            "name": "Sahmati Consents",
            "registration_number": "CM-2026-0007",
            "public_key": _public(key),
        },
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["status"] == "active"
    return FakeManager(client, made.get_json()["id"], key)


def _state(response: Any) -> dict[str, bool]:
    return {row["purpose"]: row["granted"] for row in response.get_json()["purposes"]}


def test_the_officer_registers_lists_and_refuses_bad_keys(officer_api, manager, buyer_api):
    listed = officer_api.get("/consent-managers").get_json()
    assert [row["registration_number"] for row in listed] == ["CM-2026-0007"]
    pem = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    second = officer_api.post(
        "/consent-managers", {"name": "Other", "registration_number": "CM-2", "public_key": pem}
    )
    assert (
        second.status_code == 201 and len(base64.b64decode(second.get_json()["public_key"])) == 32
    )
    duplicate = officer_api.post(
        "/consent-managers",
        {"name": "Copy", "registration_number": "cm-2026-0007", "public_key": pem},
    )
    assert duplicate.status_code == 409
    bad = officer_api.post(
        "/consent-managers",
        {"name": "Bad", "registration_number": "CM-3", "public_key": "c2hvcnQ="},
    )
    assert bad.status_code == 422 and "public_key" in bad.get_json()["errors"]
    assert buyer_api.get("/consent-managers").status_code == 403


def test_a_signed_call_reads_and_records_consents_marked_with_the_manager(app, manager, buyer):
    read = manager.consents({"email": buyer.email.upper()})
    assert read.status_code == 200, read.get_json()
    assert _state(read)["newsletters"] is False
    by_phone = manager.consents({"phone": buyer.phone})
    assert by_phone.status_code == 200
    granted = manager.choose("newsletters", {"phone": buyer.phone, "granted": True})
    assert granted.status_code == 200 and _state(granted)["newsletters"] is True
    withdrawn = manager.choose("analytics", {"email": buyer.email, "granted": False})
    assert withdrawn.status_code == 200
    with app.app_context():
        rows = db.session.scalars(
            select(ConsentRecord).where(ConsentRecord.consent_manager_id == manager.id)
        ).all()
        assert [(row.purpose, row.granted, row.source) for row in rows] == [
            ("newsletters", True, "consent-manager"),
            ("analytics", False, "consent-manager"),
        ]
        assert may_process(buyer.id, "newsletters")
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions.count("privacy.consents_read_by_manager") == 2
    browser = app.test_client()
    sign_in_page(browser, buyer)
    page = browser.get("/privacy/").text
    section = re.search(r'id="manager-choices">.*?</table>', page, re.S)
    assert section, "the person sees which manager did what"
    assert "Sahmati Consents" in section[0] and "CM-2026-0007" in section[0]
    assert "Newsletters" in section[0] and "Granted" in section[0] and "IST" in section[0]
    assert "Withdrawn" in section[0]


def test_a_wrong_key_or_a_changed_body_is_a_401(manager, buyer):
    stranger = Ed25519PrivateKey.generate()
    refused = manager.consents({"email": buyer.email}, key=stranger)
    assert refused.status_code == 401 and "signature" in refused.get_json()["detail"]
    changed = manager.choose(
        "newsletters",
        {"email": buyer.email, "granted": True},
        signed_body=json.dumps({"email": buyer.email, "granted": False}).encode(),
    )
    assert changed.status_code == 401
    unsigned = manager.client.post("/api/v1/consent-managers/principal-consents", json={})
    assert unsigned.status_code == 401
    unknown = manager.consents({"email": buyer.email}, manager_id=999999)
    assert unknown.status_code == 401


@pytest.mark.parametrize("offset", [-330, 330, -3600])
def test_a_timestamp_outside_five_minutes_is_a_401(manager, buyer, offset):
    stale = manager.consents({"email": buyer.email}, timestamp=time.time() + offset)
    assert stale.status_code == 401 and "minutes" in stale.get_json()["detail"]
    assert manager.consents({"email": buyer.email}, timestamp=time.time() - 200).status_code == 200


def test_a_nonce_is_accepted_once_even_when_the_call_was_refused(manager, buyer):
    nonce = secrets.token_urlsafe(18)
    assert manager.consents({"email": buyer.email}, nonce=nonce).status_code == 200
    replay = manager.consents({"email": buyer.email}, nonce=nonce)
    assert replay.status_code == 401 and "used already" in replay.get_json()["detail"]
    other = secrets.token_urlsafe(18)
    assert manager.consents({"email": "nobody@example.in"}, nonce=other).status_code == 404
    assert manager.consents({"email": buyer.email}, nonce=other).status_code == 401


def test_old_nonces_are_purged_as_calls_arrive(app, manager, buyer):
    with app.app_context():
        db.session.add(
            ConsentManagerNonce(
                manager_id=manager.id, nonce="x" * 20, seen_at=utcnow() - timedelta(minutes=11)
            )
        )
        commit()
    assert manager.consents({"email": buyer.email}).status_code == 200
    with app.app_context():
        nonces = db.session.scalars(select(ConsentManagerNonce.nonce)).all()
        assert "x" * 20 not in nonces and len(nonces) == 1


def test_a_suspended_manager_is_refused_with_a_403(officer_api, manager, buyer):
    path = f"/consent-managers/{manager.id}"
    suspended = officer_api.patch(path, {"status": "suspended"})
    assert suspended.status_code == 200 and suspended.get_json()["suspended_at"]
    refused = manager.consents({"email": buyer.email})
    assert refused.status_code == 403 and "suspended" in refused.get_json()["detail"]
    assert officer_api.patch(path, {"status": "active"}).status_code == 200
    assert manager.consents({"email": buyer.email}).status_code == 200
    assert officer_api.delete(path).status_code == 204
    assert manager.choose("newsletters", {"email": buyer.email, "granted": True}).status_code == 403
    assert officer_api.patch("/consent-managers/999999", {"status": "active"}).status_code == 404


def test_bad_requests_from_a_manager_are_clear_and_change_nothing(app, manager, buyer):
    assert manager.consents({"email": "nobody@example.in"}).status_code == 404
    assert manager.consents({"phone": "+91 90000 00001"}).status_code == 404
    neither = manager.consents({})
    assert neither.status_code == 422 and "email" in neither.get_json()["errors"]
    assert manager.choose("newsletters", {"email": buyer.email}).status_code == 422
    assert manager.choose("astrology", {"email": buyer.email, "granted": True}).status_code == 404
    required = manager.choose("security", {"email": buyer.email, "granted": False})
    assert required.status_code == 422
    not_json = manager.client.open(
        "/api/v1/consent-managers/principal-consents", method="POST", data=b"{", headers={}
    )
    assert not_json.status_code == 401  # unsigned: refused before the body is read
    with app.app_context():
        marked = select(func.count()).where(ConsentRecord.consent_manager_id.is_not(None))
        assert db.session.scalar(marked) == 0
