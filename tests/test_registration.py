"""Registration through POST /api/v1/accounts: the contract, every refusal, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from marketplace.accounts.models import SupplierProfile, User
from marketplace.audit import AuditEvent
from marketplace.extensions import db
from marketplace.privacy.models import ConsentRecord
from tests import factories
from tests.conftest import outbox


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_buyer_registers(api, ctx):
    data = factories.registration("buyer", consents={"newsletters": True})
    response = api.post("/accounts", data)
    assert response.status_code == 201
    body = response.get_json()
    assert body["roles"] == ["buyer"]
    assert body["email"] == data["email"]
    assert body["supplier"] is None
    user = db.session.get(User, body["id"])
    assert user.password_hash.startswith("$2b$")
    assert user.age_confirmed_at is not None


def test_supplier_registers_with_a_valid_gstin(api, ctx):
    pan = factories.make_pan("C")
    gstin = factories.make_gstin("29", pan)
    data = factories.registration(
        "supplier",
        gstin=gstin.lower(),
        pan=pan,
        address={
            "line1": "4th Cross, Peenya",
            "city": "Bengaluru",
            "state": "KA",
            "pincode": "560058",
        },
    )
    response = api.post("/accounts", data)
    assert response.status_code == 201, response.get_json()
    supplier = response.get_json()["supplier"]
    assert response.get_json()["roles"] == ["buyer", "supplier"]
    assert supplier["gstin"] == gstin
    assert supplier["gst_state"] == "Karnataka"
    assert supplier["pan"] == pan[:5] + "XXXX" + pan[-1]
    assert supplier["gst_verification"] == "pending"
    assert supplier["address"]["state"] == "Karnataka"


def test_optional_consents_start_off_and_are_the_first_ledger_entries(api, ctx):
    data = factories.registration("buyer", consents={"marketing": True, "analytics": False})
    user_id = api.post("/accounts", data).get_json()["id"]
    rows = db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == user_id)).all()
    granted = {row.purpose: row.granted for row in rows}
    assert granted["service"] and granted["verification"] and granted["security"]
    assert granted["marketing"] is True
    assert granted["analytics"] is False
    assert granted["partner_offers"] is False and granted["channel_whatsapp"] is False
    assert {row.source for row in rows} == {"registration"}
    assert len(rows) == 12


def test_registration_is_audited_and_sends_a_confirmation_link(api, ctx, app):
    data = factories.registration("buyer")
    user_id = api.post("/accounts", data).get_json()["id"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.registered"))
    assert event.subject_id == str(user_id)
    mails = outbox(app)
    assert len(mails) == 1
    assert data["email"] in mails[0] and "/account/verify-email/" in mails[0]


def test_sensitive_fields_are_encrypted_at_rest(api, ctx):
    pan = factories.make_pan("F")
    data = factories.registration(
        "supplier", gstin=factories.make_gstin("27", pan), phone="+91 91234 56789"
    )
    api.post("/accounts", data)
    raw_phone = db.session.execute(text("SELECT phone FROM users")).scalar()
    raw_pan = db.session.execute(text("SELECT pan FROM supplier_profiles")).scalar()
    assert "91234" not in raw_phone and raw_phone.startswith("gAAAA")
    assert pan not in raw_pan and raw_pan.startswith("gAAAA")
    assert db.session.scalar(select(User.phone)) == "+919123456789"


SUPPLIER_FAILURES = [
    ({"gstin": "27AAPFU0939F1ZW"}, "gstin", "check character"),
    ({"gstin": "27AAPFU0939F1Z"}, "gstin", "15 characters"),
    ({"gstin": "99AAPFU0939F1ZV"}, "gstin", "not a GST state code"),
    ({"gstin": None}, "gstin", "required"),
    ({"gstin": 27}, "gstin", "must be a string"),
    ({"pan": "AAPFU0939G"}, "pan", "does not match the PAN inside the GSTIN"),
    ({"pan": "AAP"}, "pan", "10 characters"),
    ({"company_name": ""}, "company_name", "required"),
    ({"address": None}, "address", "required"),
    ({"address": "Pune"}, "address", "must be an object"),
]


@pytest.mark.parametrize("change, field, message", SUPPLIER_FAILURES)
def test_supplier_registration_failures_name_the_field(api, ctx, change, field, message):
    data = factories.registration("supplier", gstin="27AAPFU0939F1ZV")
    data.update(change)
    response = api.post("/accounts", data)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert message in " ".join(problem["errors"][field])
    assert _count(User) == 0


def test_gstin_state_must_match_the_address(api, ctx):
    data = factories.registration("supplier", gstin=factories.make_gstin("07"))
    response = api.post("/accounts", data)
    assert response.status_code == 422
    assert response.get_json()["errors"]["address.state"] == [
        "the GSTIN is registered in Delhi (state code 07), not in Maharashtra"
    ]


def test_address_fields_are_each_checked(api, ctx):
    data = factories.registration(
        "supplier",
        address={"line1": "x", "city": "", "state": "Narnia", "pincode": "12"},
    )
    errors = api.post("/accounts", data).get_json()["errors"]
    assert set(errors) >= {"address.line1", "address.city", "address.state", "address.pincode"}


def test_pincode_must_be_in_the_address_state(api, ctx):
    data = factories.registration("supplier")
    data["address"]["pincode"] = "110001"
    errors = api.post("/accounts", data).get_json()["errors"]
    assert "is not in Maharashtra" in errors["address.pincode"][0]


PERSON_FAILURES = [
    ({"role": "admin"}, "role", "must be buyer or supplier"),
    ({"role": None}, "role", "required"),
    ({"name": "7"}, "name", "at least 2"),
    ({"name": "12345"}, "name", "must contain letters"),
    ({"name": "A" * 101}, "name", "at most 100"),
    ({"name": "Asha\x00Rao"}, "name", "control characters"),
    ({"email": "not-an-email"}, "email", "@"),
    ({"email": ["a@b.in"]}, "email", "must be a string"),
    ({"phone": "12345"}, "phone", "10-digit Indian mobile"),
    ({"phone": "+44 7911 123456"}, "phone", "Indian number"),
    ({"password": "password123"}, "password", "too weak"),
    ({"password": "short"}, "password", "at least 10"),
    ({"password": 1234567890}, "password", "must be a string"),
    ({"age_confirmed": False}, "age_confirmed", "18 or older"),
    ({"age_confirmed": None}, "age_confirmed", "required"),
    ({"age_confirmed": "maybe"}, "age_confirmed", "true or false"),
    ({"accept_terms": False}, "accept_terms", "accept the terms"),
    ({"consents": {"telepathy": True}}, "consents.telepathy", "unknown purpose"),
    ({"consents": {"marketing": "yes"}}, "consents.marketing", "true or false"),
    ({"consents": {"security": False}}, "consents.security", "needed to run your account"),
    ({"consents": ["marketing"]}, "consents", "must be an object"),
]


@pytest.mark.parametrize("change, field, message", PERSON_FAILURES)
def test_registration_failures_name_the_field(api, ctx, change, field, message):
    data = factories.registration("buyer")
    data.update(change)
    response = api.post("/accounts", data)
    assert response.status_code == 422, response.get_json()
    assert message in " ".join(response.get_json()["errors"][field])
    assert _count(User) == 0


def test_password_may_not_contain_the_email(api, ctx):
    data = factories.registration(
        "buyer", email="ravi.kumar@example.in", password="ravi.kumar-2026!"
    )
    errors = api.post("/accounts", data).get_json()["errors"]
    assert "must not contain your email" in errors["password"][0]


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("{not json", "application/json", 400),
        ("name=asha", "application/x-www-form-urlencoded", 400),
        ("[1, 2]", "application/json", 422),
        ('"text"', "application/json", 422),
        ("\xff\xfe", "application/json", 400),
    ],
)
def test_malformed_bodies_get_a_problem_not_a_500(client, ctx, body, content_type, status):
    response = client.post("/api/v1/accounts", data=body, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == status


@pytest.mark.parametrize(
    "field, make_duplicate",
    [
        ("email", lambda first: {"email": first["email"].upper()}),
        ("phone", lambda first: {"phone": "0" + first["phone"][3:]}),
        ("gstin", lambda first: {"gstin": first["gstin"].lower()}),
    ],
)
def test_duplicates_are_a_409_and_the_first_account_is_untouched(api, ctx, field, make_duplicate):
    first = factories.registration("supplier")
    assert api.post("/accounts", first).status_code == 201
    second = factories.registration("supplier", **make_duplicate(first))
    response = api.post("/accounts", second)
    assert response.status_code == 409
    assert response.get_json()["errors"] == {field: ["already registered to another account"]}
    assert _count(User) == 1 and _count(SupplierProfile) == 1
    assert api.sign_in(first["email"], first["password"]).token


def test_a_buyers_supplier_fields_are_ignored(api, ctx):
    data = factories.registration("buyer", gstin="nonsense", company_name="X")
    response = api.post("/accounts", data)
    assert response.status_code == 201
    assert response.get_json()["supplier"] is None
