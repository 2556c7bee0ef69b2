"""The audit log: written with each sensitive action, readable by the officer only, append-only."""

from __future__ import annotations

import pytest

from marketplace import audit
from marketplace.audit import AuditEvent, AuditLogIsAppendOnly
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories


def test_officer_reads_the_log_and_others_cannot(api, ctx):
    officer = factories.staff("grievance_officer")
    buyer = factories.buyer()
    api.post("/auth/tokens", {"email": buyer.email, "password": "wrong-password-xx"})
    officer_api = api.sign_in(officer.email)
    response = officer_api.get("/audit-events?per_page=50")
    assert response.status_code == 200
    actions = [item["action"] for item in response.get_json()["items"]]
    assert {
        "account.staff_created",
        "account.registered",
        "auth.sign_in_failed",
        "auth.signed_in",
    } <= set(actions)
    failed = officer_api.get("/audit-events?action=auth.sign_in_failed").get_json()
    assert failed["total"] == 1
    assert failed["items"][0]["details"]["reason"] == "wrong_password"
    assert api.sign_in(buyer.email).get("/audit-events").status_code == 403


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("per_page=500", "per_page"),
        ("actor_id=abc", "actor_id"),
        ("page=x", "page"),
    ],
)
def test_bad_paging_is_a_422(api, ctx, query, field):
    officer = factories.staff("admin")
    response = api.sign_in(officer.email).get(f"/audit-events?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_audit_rows_cannot_be_changed_or_deleted(ctx):
    row = audit.record("test.event", note="original")
    commit()
    row.action = "test.rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, row.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, row.id).action == "test.event"


def test_a_refused_request_leaves_no_audit_row(api, ctx):
    api.post("/accounts", factories.registration("supplier", gstin="bad"))
    assert db.session.query(AuditEvent).count() == 0
