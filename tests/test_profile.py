"""PATCH /api/v1/me: correction of one's own data, validated as strictly as registration."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import SupplierProfile, User
from marketplace.audit import AuditEvent
from marketplace.extensions import db
from tests import factories
from tests.conftest import outbox


def test_name_and_phone_are_corrected(buyer_api, buyer):
    response = buyer_api.patch(
        "/me",
        {"name": "Asha R. Rao", "phone": "+91 99887 76655", "current_password": buyer.password},
    )
    assert response.status_code == 200
    assert response.get_json()["name"] == "Asha R. Rao"
    assert response.get_json()["phone"] == "+919988776655"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.updated"))
    assert event.details["fields"] == ["name", "phone"]


def test_changed_gstin_is_validated_again(supplier_api, supplier):
    response = supplier_api.patch("/me", {"gstin": "27AAPFU0939F1ZW"})
    assert response.status_code == 422
    assert "check character" in response.get_json()["errors"]["gstin"][0]
    stored = db.session.scalar(select(SupplierProfile.gstin))
    assert stored == supplier.gstin


def test_new_gstin_in_another_state_needs_an_address_there(supplier_api, supplier):
    delhi_gstin = factories.make_gstin("07")
    refused = supplier_api.patch("/me", {"gstin": delhi_gstin})
    assert refused.status_code == 422
    assert "registered in Delhi" in refused.get_json()["errors"]["address.state"][0]
    moved = supplier_api.patch(
        "/me",
        {
            "gstin": delhi_gstin,
            "address": {
                "line1": "22 Okhla Phase II",
                "city": "New Delhi",
                "state": "Delhi",
                "pincode": "110020",
            },
        },
    )
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()["supplier"]
    assert body["gstin"] == delhi_gstin and body["gst_state"] == "Delhi"
    assert body["gst_verification"] == "pending"


def test_pan_must_match_the_gstin_on_change(supplier_api):
    response = supplier_api.patch("/me", {"pan": "ABCPE1234F"})
    assert response.status_code == 422
    assert "does not match" in response.get_json()["errors"]["pan"][0]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"roles": ["admin"]}, "roles"),
        ({"id": 99}, "id"),
        ({"gstin": factories.make_gstin()}, "gstin"),  # a buyer has no GSTIN to change
        ({"email": "nope"}, "email"),
        ({"name": ""}, "name"),
        ({"phone": 9876543210}, "phone"),
    ],
)
def test_refused_changes_name_the_field_and_change_nothing(buyer_api, buyer, body, field):
    response = buyer_api.patch("/me", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    user = db.session.get(User, buyer.id)
    assert user.name == "Asha Rao" and user.email == buyer.email


def test_taking_someone_elses_email_or_gstin_is_a_409(api, ctx):
    first, second = factories.supplier(), factories.supplier()
    second_api = api.sign_in(second.email)
    taken = {"email": first.email, "current_password": second.password}
    assert second_api.patch("/me", taken).status_code == 409
    assert second_api.patch("/me", {"gstin": first.gstin}).status_code == 409
    assert second_api.get("/me").get_json()["email"] == second.email


def test_resending_ones_own_email_is_not_a_change(buyer_api, buyer, app):
    mails_before = len(outbox(app))
    response = buyer_api.patch("/me", {"email": buyer.email.upper(), "name": "Asha"})
    assert response.status_code == 200
    assert db.session.get(User, buyer.id).email == buyer.email
    assert len(outbox(app)) == mails_before  # no new confirmation for the same address


def test_a_new_email_waits_for_confirmation_from_its_inbox(buyer_api, buyer, app):
    body = {"email": "asha.new@example.in", "current_password": buyer.password}
    response = buyer_api.patch("/me", body)
    assert response.get_json()["email"] == buyer.email
    assert response.get_json()["pending_email"] == "asha.new@example.in"
    assert "To: asha.new@example.in" in outbox(app)[-2]


def test_body_must_be_an_object(buyer_api):
    response = buyer_api.patch("/me", ["name"])
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"body": ["must be an object"]}
