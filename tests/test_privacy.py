"""Privacy: requests end to end (password re-check, due dates, status history, the officer's
decision), the deletion workflow (legal holds, the statutory archive with computed retention,
every domain's eraser, the certificate), the scan that proves nothing personal survives outside
the archive, the purge, the access export (pinned by a snapshot), consents and their checks."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from marketplace.accounts import photos
from marketplace.accounts.models import BusinessPhoto, User
from marketplace.audit import AuditEvent
from marketplace.catalog import services as catalog
from marketplace.catalog.inputs import ProductIn
from marketplace.credits.models import Invoice
from marketplace.db import commit, utcnow
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.grievances.sub_processors import sub_processors
from marketplace.leads import conversations, pipeline
from marketplace.leads.inputs import LeadChange, MessageIn
from marketplace.leads.models import Lead, Message
from marketplace.privacy import archive as statutory_archive
from marketplace.privacy import clock as privacy_clock
from marketplace.privacy import decisions, holds, inactive, marketing
from marketplace.privacy.inputs import DecisionIn
from marketplace.privacy.models import (
    ArchivedRecord,
    PrivacyRequest,
    RequestStatus,
    RequestType,
)
from marketplace.privacy.retention import annual_return_due, gst_retention
from marketplace.privacy.services import may_process
from tests import factories
from tests.conftest import Api, enquire, outbox

INDIA = "+05:30"


class Clock:
    """The privacy domain reads the time through marketplace.privacy.clock: tests move it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta()
        monkeypatch.setattr(privacy_clock, "now", lambda: utcnow() + self.offset)

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def set(self, moment: datetime) -> None:
        self.offset = moment - utcnow()


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture()
def officer(ctx) -> factories.Registered:  # type: ignore[no-untyped-def]
    return factories.staff()


@pytest.fixture()
def officer_api(api: Api, officer: factories.Registered) -> Api:
    return api.sign_in(officer.email)


# --- retention rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "due", "kept_until"),
    [
        # FY 2026-27 (April 2026 to March 2027): annual return due 31 Dec 2027, + 72 months.
        ("2026-05-15T10:00:00+05:30", "2027-12-31", "2033-12-31"),
        ("2027-03-31T23:59:00+05:30", "2027-12-31", "2033-12-31"),
        # 1 April in India (still 31 March in UTC) opens FY 2027-28.
        ("2027-04-01T00:30:00+05:30", "2028-12-31", "2034-12-31"),
        ("2026-01-10T12:00:00+05:30", "2026-12-31", "2032-12-31"),
    ],
)
def test_invoices_are_kept_72_months_from_the_annual_returns_due_date(
    issued: str, due: str, kept_until: str
) -> None:
    moment = datetime.fromisoformat(issued)
    assert annual_return_due(moment).isoformat() == due
    until = gst_retention(moment)
    assert until.tzinfo is not None
    assert until.astimezone(datetime.fromisoformat(issued).tzinfo).date().isoformat() == kept_until


# --- requests --------------------------------------------------------------------------------


def test_a_request_needs_the_password_again_and_is_due_in_90_days(ctx, buyer, buyer_api, clock):
    wrong = buyer_api.post("/privacy/requests", {"type": "deletion", "password": "not-it-at-all"})
    assert wrong.status_code == 403
    missing = buyer_api.post("/privacy/requests", {"type": "erase-me"})
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"type", "password"}
    made = buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    assert made.status_code == 202
    body = made.get_json()
    assert body["status"] == "pending"
    due = datetime.fromisoformat(body["due_at"].replace("Z", "+00:00"))
    assert abs(due - (privacy_clock.now() + timedelta(days=90))) < timedelta(minutes=1)
    again = buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    assert again.status_code == 409
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.request_refused")
    ).all()
    assert len(refused) == 1 and buyer.email not in json.dumps(refused[0].details)


def test_a_persons_own_requests_are_paged_newest_first(ctx, buyer, buyer_api):
    for purpose in ("analytics", "marketing"):
        objection = {"type": "objection", "purpose": purpose, "password": buyer.password}
        assert buyer_api.post("/privacy/requests", objection).status_code in (201, 202)
    buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    first = buyer_api.get("/privacy/requests?per_page=2").get_json()
    second = buyer_api.get("/privacy/requests?per_page=2&page=2").get_json()
    assert (first["total"], second["total"]) == (3, 3)
    assert [row["type"] for row in first["items"]] == ["deletion", "objection"]
    assert [row["type"] for row in second["items"]] == ["objection"]
    assert buyer_api.get("/privacy/requests?status=pending").status_code == 422  # officer only


def test_the_officer_decides_and_a_denial_needs_a_reason(
    ctx, buyer, buyer_api, supplier_api, officer_api
):
    made = buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    request_id = made.get_json()["id"]
    assert (
        supplier_api.post(
            f"/privacy/requests/{request_id}/decision", {"decision": "deny", "reason": "x"}
        ).status_code
        == 403
    )
    assert officer_api.get("/privacy/requests?status=pending").get_json()["total"] == 1
    no_reason = officer_api.post(f"/privacy/requests/{request_id}/decision", {"decision": "deny"})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    denied = officer_api.post(
        f"/privacy/requests/{request_id}/decision",
        {"decision": "deny", "reason": "An open dispute about order 12 must be settled first."},
    )
    assert denied.status_code == 200
    mine = buyer_api.get(f"/privacy/requests/{request_id}").get_json()
    assert mine["status"] == "denied"
    assert [step["status"] for step in mine["history"]] == ["pending", "denied"]
    assert mine["decision_reason"].startswith("An open dispute")
    assert any("We will not delete your account" in mail for mail in outbox(ctx))
    twice = officer_api.post(f"/privacy/requests/{request_id}/decision", {"decision": "approve"})
    assert twice.status_code == 409


def test_another_persons_request_is_not_found(ctx, buyer, buyer_api, api):
    other = factories.buyer()
    other_api = api.sign_in(other.email)
    made = buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    assert other_api.get(f"/privacy/requests/{made.get_json()['id']}").status_code == 404


# --- a real history, then deletion ----------------------------------------------------------


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(data, "PNG")
    data.seek(0)
    return data


def _history(app, shop, supplier_email: str):  # type: ignore[no-untyped-def]
    """A product with a photo, business photos (one captioned with the supplier's name), an
    enquiry with a conversation that quotes the buyer's contact, a supplier's note, a paid
    credit order with its tax invoice."""
    from tests.test_credits import _paid_order

    owner = db.session.get(User, shop.supplier_id)
    catalog.add_image(owner, shop.product_id, _png())
    photos.add_photo(owner, _png(), {"caption": f"{owner.name} at our Pune works"})
    photos.add_photo(owner, _png())
    commit()
    lead_id = enquire(shop)
    buyer = db.session.get(User, shop.buyer_id)
    conversations.post_message(
        buyer,
        lead_id,
        MessageIn.model_validate({"text": f"Call me on {buyer.phone} or write to {buyer.email}."}),
    )
    commit()
    owner = db.session.get(User, shop.supplier_id)
    conversations.post_message(
        owner,
        lead_id,
        MessageIn.model_validate({"text": f"Thank you {buyer.name}, quoting today."}),
    )
    pipeline.update_lead(
        owner, lead_id, LeadChange.model_validate({"note": f"{buyer.name} sounds serious"})
    )
    commit()
    supplier = factories.Registered(shop.supplier_id, supplier_email, factories.PASSWORD)
    order = _paid_order(supplier)
    return lead_id, order


def _identifiers(user: User) -> list[str]:
    values = [user.email, user.name]
    if user.phone:
        values += [user.phone, user.phone.removeprefix("+91")]
    return values


def _scan_tables(identifiers: list[str]) -> list[str]:
    """Every row of every table but the archive, decrypted, searched for the identifiers."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name == "privacy_archive":
            continue
        for row in db.session.execute(select(table)).mappings():
            blob = " ".join(str(value) for value in row.values()).lower()
            for value in identifiers:
                if value.lower() in blob:
                    found.append(f"{table.name}: {value}")
    return found


def _scan_files(app, identifiers: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    folders = {
        Path(os.environ["INSTANCE_PATH"]),
        Path(app.config["UPLOAD_PATH"]),
        Path(app.config["SEARCH_INDEX_PATH"]),
        Path(app.config["PRIVACY_EXPORT_PATH"]),
    }
    found = []
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes().lower()
            for value in identifiers:
                if value.lower().encode() in data:
                    found.append(f"{path}: {value}")
    return found


def test_deleting_a_supplier_and_a_buyer_with_a_real_history(
    app, ctx, categories, api, officer_api, clock, monkeypatch
):
    supplier = factories.supplier(name="Zubin Qadirwala")
    buyer = factories.buyer(name="Farida Noorani")
    owner = db.session.get(User, supplier.id)
    product = catalog.create_product(
        owner,
        ProductIn.model_validate(
            {
                "name": "Galvanised Cable Tray",
                "category": "stainless-steel-pipes",
                "description": "Perforated tray, 100 mm.",
                "price": "410.00",
                "unit": "piece",
                "moq": 10,
            }
        ),
    )
    commit()
    from tests.conftest import Shop

    shop = Shop(supplier.id, buyer.id, product.id)
    lead_id, order = _history(app, shop, supplier.email)
    from marketplace.grievances import decisions, filing
    from marketplace.grievances.inputs import GrievanceChange, GrievanceIn

    complaint = filing.file_grievance(
        db.session.get(User, buyer.id),
        GrievanceIn.model_validate(
            {
                "category": "lead_quality",
                "subject": "No reply to my enquiry",
                "description": f"Please ask them to call {db.session.get(User, buyer.id).phone}.",
            }
        ),
    )
    commit()
    complaint_id = complaint.id
    supplier_user = db.session.get(User, supplier.id)
    buyer_user = db.session.get(User, buyer.id)
    who = {"supplier": _identifiers(supplier_user), "buyer": _identifiers(buyer_user)}

    invoice_issued = db.session.scalars(
        select(Invoice.issued_at).where(Invoice.order_id == order.id)
    ).one()
    assert len(list(Path(app.config["UPLOAD_PATH"], "business").glob("*"))) == 2
    db.session.remove()
    assert api.get("/search?q=cable+tray").get_json()["total"] == 1

    supplier_api = api.sign_in(supplier.email)
    buyer_api = api.sign_in(buyer.email)
    ids = {}
    for role, person, client in (
        ("supplier", supplier, supplier_api),
        ("buyer", buyer, buyer_api),
    ):
        made = client.post("/privacy/requests", {"type": "deletion", "password": person.password})
        assert made.status_code == 202
        ids[role] = made.get_json()["id"]

    # The supplier's order was paid moments ago: it may still be refunded, so erasure waits.
    approve = {"decision": "approve", "reason": "Verified by phone."}
    decided = officer_api.post(f"/privacy/requests/{ids['supplier']}/decision", approve)
    assert decided.status_code == 200
    held = officer_api.get(f"/privacy/requests/{ids['supplier']}").get_json()
    assert held["status"] == "paused" and "refunded" in held["hold_reason"]
    assert db.session.get(User, supplier.id).erased_at is None
    # The buyer's grievance is still open: their erasure waits too.
    officer_api.post(f"/privacy/requests/{ids['buyer']}/decision", approve)
    held = officer_api.get(f"/privacy/requests/{ids['buyer']}").get_json()
    assert held["status"] == "paused" and "grievance" in held["hold_reason"]
    officer = db.session.scalars(select(User).where(User.email.like("officer%"))).first()
    decisions.update_grievance(
        officer,
        complaint_id,
        GrievanceChange.model_validate(
            {"status": "resolved", "response": "The supplier will call."}
        ),
    )
    commit()
    db.session.remove()

    clock.advance(timedelta(days=8))
    for role in ("supplier", "buyer"):
        decided = officer_api.post(f"/privacy/requests/{ids[role]}/decision", approve)
        assert decided.status_code == 200, decided.get_json()
        done = officer_api.get(f"/privacy/requests/{ids[role]}").get_json()
        assert done["status"] == "complete_with_retention", done
    db.session.remove()

    # The certificate went to each address as it was, and says what was kept and why.
    mails = outbox(app)
    for person, statutes in ((supplier, ("CGST Act", "r.3(1)(h)")), (buyer, ("r.3(1)(h)",))):
        certificate = [m for m in mails if f"To: {person.email}" in m and "deleted" in m]
        assert len(certificate) == 1
        assert all(statute in certificate[0] for statute in statutes)
        assert "as proof of consent" in certificate[0]  # the ledger's metadata is kept, and said

    # Nothing personal survives outside the archive: tables, files, the search index.
    everyone = who["supplier"] + who["buyer"]
    assert _scan_tables(everyone) == []
    assert _scan_files(app, everyone) == []
    assert api.get("/search?q=cable+tray").get_json()["total"] == 0
    assert not list(Path(app.config["UPLOAD_PATH"], "products").glob("*"))
    # The business photos too (a photo of the premises can show people): rows and files.
    assert db.session.scalar(select(func.count()).select_from(BusinessPhoto)) == 0
    assert not list(Path(app.config["UPLOAD_PATH"], "business").glob("*"))

    # The supplier's old tokens are dead; the lead the supplier held is redacted, not gone.
    assert supplier_api.get("/me").status_code == 401
    lead = db.session.get(Lead, lead_id)
    assert lead is not None and lead.buyer_id is None and lead.message == "[erased]"
    texts = [m.text for m in db.session.scalars(select(Message).where(Message.lead_id == lead_id))]
    assert texts[0] == "[erased]" and "[erased]" in texts[1]
    invoice_number = db.session.execute(text("SELECT number FROM invoices")).scalar_one()

    # The archive holds exactly the statutory records, with their computed retention.
    archive = officer_api.get(f"/privacy/archives?subject={supplier.id}").get_json()
    kinds = sorted(record["record_type"] for record in archive)
    assert kinds == ["account_registration", "gst_registration", "processing_log", "tax_invoice"]
    by_kind = {record["record_type"]: record for record in archive}
    assert by_kind["tax_invoice"]["reference"] == f"invoice:{invoice_number}"
    expected = gst_retention(invoice_issued)
    assert by_kind["tax_invoice"]["retain_until"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "s.36" in by_kind["tax_invoice"]["legal_basis"]
    assert "r.3(1)(h)" in by_kind["account_registration"]["legal_basis"]
    buyer_kinds = sorted(
        r["record_type"]
        for r in officer_api.get(f"/privacy/archives?subject={buyer.id}").get_json()
    )
    assert buyer_kinds == ["account_registration", "processing_log"]

    # The purge removes each record after its date, and only then.
    clock.advance(timedelta(days=100))
    assert statutory_archive.purge_archive() == {}
    clock.advance(timedelta(days=90))  # past 180 days after cancellation
    assert statutory_archive.purge_archive() == {"account_registration": 2}
    clock.advance(timedelta(days=366))
    assert statutory_archive.purge_archive() == {"processing_log": 2}
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 1  # kept, unchanged
    clock.set(expected + timedelta(seconds=1))
    assert statutory_archive.purge_archive() == {
        "gst_registration": 1,
        "tax_invoice": 1,
        "credits_originals": 1,  # the invoice itself goes once its 72 months are over
    }
    assert db.session.scalars(select(ArchivedRecord)).all() == []
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_a_legal_hold_pauses_the_erasure_until_released(ctx, buyer, buyer_api, officer_api):
    officer = db.session.scalars(select(User).where(User.email.like("officer%"))).first()
    hold = holds.place_hold(officer, buyer.id, "Police request 42/2026")
    commit()
    made = buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    request_id = made.get_json()["id"]
    officer_api.post(f"/privacy/requests/{request_id}/decision", {"decision": "approve"})
    row = officer_api.get(f"/privacy/requests/{request_id}").get_json()
    assert row["status"] == "paused" and "Police request" in row["hold_reason"]
    officer = db.session.get(User, officer.id)
    holds.release_hold(officer, hold.id)
    commit()
    again = officer_api.post(f"/privacy/requests/{request_id}/decision", {"decision": "approve"})
    assert again.status_code == 200
    done = officer_api.get(f"/privacy/requests/{request_id}").get_json()
    assert done["status"] == "complete_with_retention"


def test_a_failing_eraser_rolls_everything_back(ctx, buyer, buyer_api, officer_api, monkeypatch):
    from marketplace.privacy import erasure

    def broken(subject):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    erasure.erasers()
    original = erasure._REGISTRY["leads"]
    monkeypatch.setitem(
        erasure._REGISTRY, "leads", erasure.Eraser("leads", erase=broken, order=original.order)
    )
    made = buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    request_id = made.get_json()["id"]
    officer_api.post(f"/privacy/requests/{request_id}/decision", {"decision": "approve"})
    assert db.session.get(PrivacyRequest, request_id).status == RequestStatus.FAILED
    assert db.session.get(User, buyer.id).email == buyer.email
    assert db.session.scalars(select(ArchivedRecord)).all() == []


# --- access export ---------------------------------------------------------------------------

EXPORT_SNAPSHOT = {
    "profile": [
        {
            "id": "<id>",
            "name": "Farida Noorani",
            "email": "<email>",
            "phone": "<phone>",
            "email_verified_at": None,
            "phone_verified_at": None,
            "roles": "buyer",
            "registered_at": "<time>",
            "last_sign_in_at": "<time>",
        }
    ],
    "business": [],
    "business_photos": [],
    "products": [],
    "enquiries": [
        {
            "id": "<id>",
            "supplier": "<company>",
            "product": "SS 304 Seamless Pipe",
            "quantity": "10.000",
            "unit": "kg",
            "message": "Please quote for 10 kg.",
            "city": None,
            "sent_at": "<time>",
        }
    ],
    "leads": [],
    "messages": [
        {
            "id": "<id>",
            "lead_id": "<id>",
            "side": "buyer",
            "text": "Is 20 kg possible?",
            "quote_price": None,
            "sent_at": "<time>",
        }
    ],
    "buy_requirements": [],
    "credits": [],
    "orders": [],
    "invoices": [],
    "consent_history": [
        *(
            {
                "purpose": purpose,
                "granted": purpose in ("service", "verification", "security"),
                "policy_version": "2026-11",
                "source": "registration",
                "recorded_at": "<time>",
                "ip_address": None,  # registered by a factory, outside a request
                "browser": None,
                "through_consent_manager": None,
            }
            for purpose in (
                "service",
                "verification",
                "security",
                "marketing",
                "newsletters",
                "partner_offers",
                "affiliate_sharing",
                "analytics",
                "credit_assessment",
                "channel_email",
                "channel_sms",
                "channel_whatsapp",
            )
        ),
        *(
            {
                "purpose": "newsletters",
                "granted": granted,
                "policy_version": "2026-11",
                "source": "api",
                "recorded_at": "<time>",
                "ip_address": "127.0.0.1",
                "browser": "<browser>",
                "through_consent_manager": None,
            }
            for granted in (True, False)
        ),
    ],
    "privacy_requests": [
        {
            "id": "<id>",
            "type": "access",
            "status": "in_progress",
            "due_at": "<time>",
            "created_at": "<time>",
        }
    ],
    "grievances": [],
    "reviews": [],
    "review_replies": [],
    "review_reports": [],
    "sign_in_history": [
        {"action": "auth.signed_in", "at": "<time>", "ip_address": "127.0.0.1", "channel": "api"},
        {"action": "auth.token_issued", "at": "<time>", "ip_address": "127.0.0.1", "channel": None},
    ],
    "shared_with": [
        {
            "recipient": "<company>",
            "kind": "supplier",
            "gstin": "<gstin>",
            "what": "your name, email address and mobile number, and your enquiry about "
            "SS 304 Seamless Pipe",
            "why": "you sent it an enquiry",
            "at": "<time>",
        },
        # then the processors of the running configuration: _with_processors
    ],
    "lead_notes": [],
    "credit_account": [],
    "webhooks": [],
    "api_keys_and_tokens": [
        {
            "kind": "session",
            "name": None,
            "prefix": "<prefix>",
            "scopes": "",
            "created_at": "<time>",
            "last_used_at": "<time>",
            "revoked_at": None,
        }
    ],
    "sessions": [],
    "activity": [
        {
            "action": "account.registered",
            "at": "<time>",
            "by_you": True,
            "about": "your account",
            "ip_address": None,
        },
        *(
            {
                "action": f"privacy.consent_{change}",
                "at": "<time>",
                "by_you": True,
                "about": "your account",
                "ip_address": "127.0.0.1",
            }
            for change in ("granted", "withdrawn")
        ),
        {
            "action": "privacy.request_pending",
            "at": "<time>",
            "by_you": True,
            "about": "privacy request <id>",
            "ip_address": "127.0.0.1",
        },
    ],
    "gst_checks": [],  # a buyer's: no business, no receipts
    "team_membership": [],
    "newsletters": [],
    "buylead_reports": [],
    "buylead_preferences": [],
}


def _normalise(sections: dict, user: User, company: str, gstin: str) -> dict:  # type: ignore[type-arg]
    out: dict = {}  # type: ignore[type-arg]
    for name, rows in sections.items():
        out[name] = []
        for row in rows:
            fixed = {}
            for key, value in row.items():
                if key in ("id", "lead_id") and value is not None:
                    value = "<id>"
                elif isinstance(value, str) and value.endswith("Z") and value[:2] == "20":
                    value = "<time>"
                elif value == user.email:
                    value = "<email>"
                elif value in (user.phone, f"'{user.phone}"):
                    value = "<phone>"
                elif value == company:
                    value = "<company>"
                elif value == gstin:
                    value = "<gstin>"
                elif key == "prefix" and value:
                    value = "<prefix>"
                elif key == "browser" and value:
                    value = "<browser>"
                elif key == "about" and value:
                    value = re.sub(r"\d+$", "<id>", value)
                fixed[key] = value
            out[name].append(fixed)
    return out


def _with_processors(snapshot: dict, config) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The snapshot with the processors the test app's configuration uses (the PostgreSQL run
    has a database service that the SQLite run has not)."""
    processors = [
        {
            "recipient": processor.name,
            "kind": "processor",
            "gstin": None,
            "what": processor.data,
            "why": processor.purpose,
            "at": None,
        }
        for processor in sub_processors(config)
    ]
    return {**snapshot, "shared_with": [*snapshot["shared_with"], *processors]}


def test_the_access_export_holds_everything_about_the_person(ctx, app, shop, api, monkeypatch):
    person = db.session.get(User, shop.buyer_id)
    person.name = "Farida Noorani"

    commit()
    lead_id = enquire(shop)
    conversations.post_message(
        db.session.get(User, shop.buyer_id),
        lead_id,
        MessageIn.model_validate({"text": "Is 20 kg possible?"}),
    )
    commit()
    email = db.session.get(User, shop.buyer_id).email
    client = api.sign_in(email)
    for granted in (True, False):
        change = client.request("PUT", "/privacy/consents/newsletters", {"granted": granted})
        assert change.status_code == 200
    made = client.post("/privacy/requests", {"type": "access", "password": factories.PASSWORD})
    assert made.status_code == 202
    row = client.get(f"/privacy/requests/{made.get_json()['id']}").get_json()
    assert row["status"] == "complete" and row["download_url"].endswith("/download")
    response = client.client.get(
        row["download_url"], headers={"Authorization": f"Bearer {client.token}"}
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(
        ["export.json", *(f"{name}.csv" for name in EXPORT_SNAPSHOT)]
    )
    sections = json.loads(archive.read("export.json"))
    person = db.session.get(User, shop.buyer_id)
    supplier = db.session.get(User, shop.supplier_id).supplier
    assert _normalise(sections, person, supplier.company_name, supplier.gstin) == _with_processors(
        EXPORT_SNAPSHOT, app.config
    )
    blob = b"".join(archive.read(name) for name in archive.namelist())
    assert person.password_hash.encode() not in blob
    supplier_user = db.session.get(User, shop.supplier_id)
    assert supplier_user.email.encode() not in blob and supplier_user.phone.encode() not in blob
    assert b"Please quote for 10 kg." in archive.read("enquiries.csv")

    # Its maker alone, for 7 days.
    other = api.sign_in(factories.buyer().email)
    assert other.get(row["download_url"].removeprefix("/api/v1")).status_code == 404
    monkeypatch.setattr(privacy_clock, "now", lambda: utcnow() + timedelta(days=7, seconds=5))
    late = client.get(row["download_url"].removeprefix("/api/v1"))
    assert late.status_code == 410
    name = db.session.get(PrivacyRequest, row["id"]).export_name
    assert name and (Path(app.config["PRIVACY_EXPORT_PATH"]) / name).exists()
    assert statutory_archive.purge_archive() == {"access_export": 1}
    assert not (Path(app.config["PRIVACY_EXPORT_PATH"]) / name).exists()


def test_a_suppliers_export_masks_the_pan_and_leaves_out_buyers_contacts(ctx, shop, api):
    enquire(shop)
    owner = db.session.get(User, shop.supplier_id)
    buyer = db.session.get(User, shop.buyer_id)
    client = api.sign_in(owner.email)
    made = client.post("/privacy/requests", {"type": "access", "password": factories.PASSWORD})
    url = client.get(f"/privacy/requests/{made.get_json()['id']}").get_json()["download_url"]
    data = client.get(url.removeprefix("/api/v1")).data
    sections = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("export.json"))
    pan = owner.supplier.pan
    assert sections["business"][0]["pan"] == "XXXXXX" + pan[-4:]
    assert len(sections["leads"]) == 1 and len(sections["products"]) == 1
    archive = zipfile.ZipFile(io.BytesIO(data))
    blob = b"".join(archive.read(member) for member in archive.namelist()).decode()
    assert owner.email in blob  # the search below reads the text, not the compressed bytes
    assert buyer.email not in blob and buyer.name not in json.dumps(sections["leads"])


# --- consents --------------------------------------------------------------------------------


def test_withdrawing_a_purpose_takes_one_step_and_stops_its_processing(ctx, shop, api):
    buyer = db.session.get(User, shop.buyer_id)
    from marketplace.privacy.services import record_consents

    record_consents(
        buyer.id,
        dict.fromkeys(
            (
                "marketing",
                "newsletters",
                "partner_offers",
                "affiliate_sharing",
                "analytics",
                "credit_assessment",
                "channel_email",
                "channel_sms",
                "channel_whatsapp",
            ),
            True,
        ),
        source="settings",
    )
    commit()
    for purpose in ("marketing", "newsletters", "partner_offers"):
        for channel in ("email", "sms", "whatsapp"):
            assert may_process(buyer.id, purpose, channel)
    client = api.sign_in(buyer.email)
    for purpose in (
        "marketing",
        "partner_offers",
        "affiliate_sharing",
        "analytics",
        "credit_assessment",
        "channel_sms",
    ):
        response = client.request("PUT", f"/privacy/consents/{purpose}", {"granted": False})
        assert response.status_code == 200
        state = {p["purpose"]: p["granted"] for p in response.get_json()["purposes"]}
        assert state[purpose] is False
    for purpose in ("marketing", "partner_offers"):
        for channel in ("email", "sms", "whatsapp"):
            assert not may_process(buyer.id, purpose, channel)
    assert may_process(buyer.id, "newsletters", "email")
    assert not may_process(buyer.id, "newsletters", "sms")  # the channel was withdrawn
    assert marketing.eligible([buyer.id], "affiliate_sharing") == []
    assert marketing.eligible([buyer.id], "credit_assessment") == []
    assert marketing.record_analytics(buyer.id, "search") is False
    sent = marketing.send_campaign([buyer.id], purpose="marketing", subject="Offer", text="Hi")
    assert sent.sent == []
    sent = marketing.send_campaign([buyer.id], purpose="newsletters", subject="News", text="Hi")
    assert sent.sent == [(buyer.id, "email"), (buyer.id, "whatsapp")]
    # Transactional messages are the service itself: an enquiry still reaches the supplier.
    before = len(outbox(ctx))
    enquire(shop)
    assert len(outbox(ctx)) > before
    # A required purpose is objected to through a request, not withdrawn here.
    refused = client.request("PUT", "/privacy/consents/service", {"granted": False})
    assert refused.status_code == 422 and "granted" in refused.get_json()["errors"]
    assert client.request("PUT", "/privacy/consents/nonsense", {"granted": False}).status_code in (
        404,
    )
    assert (
        client.request("PUT", "/privacy/consents/marketing", {"granted": "no"}).status_code == 422
    )


def test_the_consent_ledger_is_append_only_in_the_database(ctx, buyer):
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE consent_records SET granted = true"))
        db.session.flush()
    db.session.rollback()


def test_an_objection_to_an_optional_purpose_is_a_withdrawal(ctx, buyer, buyer_api):
    made = buyer_api.post(
        "/privacy/requests",
        {"type": "objection", "purpose": "analytics", "password": buyer.password},
    )
    assert made.get_json()["status"] == "complete"
    assert not may_process(buyer.id, "analytics")


def test_an_upheld_objection_to_a_required_purpose_discontinues_the_service(
    ctx, buyer, buyer_api, officer, officer_api
):
    missing = buyer_api.post(
        "/privacy/requests",
        {"type": "objection", "purpose": "verification", "password": buyer.password},
    )
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    made = buyer_api.post(
        "/privacy/requests",
        {
            "type": "objection",
            "purpose": "verification",
            "reason": "I will not share my mobile.",
            "password": buyer.password,
        },
    )
    assert made.get_json()["status"] == "pending"
    request_id = made.get_json()["id"]
    decided = officer_api.post(
        f"/privacy/requests/{request_id}/decision", {"decision": "approve", "reason": "Upheld."}
    )
    assert decided.get_json()["status"] == "complete"
    user = db.session.get(User, buyer.id)
    assert user.is_active_account is False
    again = buyer_api.post("/auth/tokens", {"email": buyer.email, "password": buyer.password})
    assert again.status_code == 401  # signing in does not undo an upheld objection
    _suspended_once_by(officer, buyer.id)
    opened = db.session.scalars(
        select(PrivacyRequest).where(
            PrivacyRequest.user_id == buyer.id, PrivacyRequest.type == "deletion"
        )
    ).one()
    assert opened.status == RequestStatus.PENDING


def test_a_correction_is_applied_once_approved(ctx, buyer, buyer_api, officer_api):
    made = buyer_api.post(
        "/privacy/requests",
        {"type": "correction", "field": "name", "value": "Asha R. Rao", "password": buyer.password},
    )
    assert made.status_code == 202
    officer_api.post(f"/privacy/requests/{made.get_json()['id']}/decision", {"decision": "approve"})
    assert db.session.get(User, buyer.id).name == "Asha R. Rao"
    bad = buyer_api.post(
        "/privacy/requests", {"type": "correction", "field": "gstin", "password": buyer.password}
    )
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) >= {"field"}


def test_a_correction_that_cannot_apply_is_refused_before_anything_is_written(ctx, buyer, officer):
    """A page shows a refusal and still commits its request: nothing may be half-written."""
    row = PrivacyRequest(
        user_id=buyer.id,
        type=RequestType.CORRECTION,
        status=RequestStatus.PENDING,
        details={"field": "city", "value": "Pune"},  # a business field; a buyer has none
        due_at=utcnow() + timedelta(days=90),
        created_at=utcnow(),
    )
    db.session.add(row)
    commit()
    approve = DecisionIn.model_validate({"decision": "approve"})
    with pytest.raises(Conflict, match="no business details"):
        decisions.decide(db.session.get_one(User, officer.id), row.id, approve)
    assert (row.status, row.decided_by_id, row.decided_at) == (RequestStatus.PENDING, None, None)


def test_deactivation_hides_listings_and_signing_in_reactivates(ctx, shop, api):
    owner = db.session.get(User, shop.supplier_id)
    client = api.sign_in(owner.email)
    made = client.post(
        "/privacy/requests", {"type": "deactivation", "password": factories.PASSWORD}
    )
    assert made.get_json()["status"] == "complete"
    assert client.get("/me").status_code == 401
    assert api.get(f"/products/{shop.product_id}").status_code == 404
    db.session.remove()
    again = api.sign_in(owner.email)
    assert again.get("/me").status_code == 200
    assert api.get(f"/products/{shop.product_id}").status_code == 200


# --- the foundation's fixes ------------------------------------------------------------------


def test_failed_sign_ins_never_write_the_email_into_the_audit_log(ctx, buyer, api):
    api.post("/auth/tokens", {"email": "nobody-here@example.in", "password": "wrong-password-1"})
    api.post("/auth/tokens", {"email": buyer.email, "password": "wrong-password-1"})
    details = [row.details for row in db.session.scalars(select(AuditEvent))]
    blob = json.dumps(details)
    assert "nobody-here@example.in" not in blob and buyer.email not in blob


def test_the_phone_index_has_its_own_key(ctx, app, buyer, monkeypatch):
    from marketplace.crypto import blind_index

    user = db.session.get(User, buyer.id)
    assert user.phone_digest == blind_index(user.phone)
    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated-" + "x" * 40)
    assert blind_index(user.phone) == user.phone_digest  # a new session secret breaks nothing
    monkeypatch.setitem(app.config, "FIELD_INDEX_KEY", "new-index-key-" + "y" * 40)
    from marketplace.privacy.rekey import rehash_phone_digests

    assert rehash_phone_digests() >= 1
    assert db.session.get(User, buyer.id).phone_digest == blind_index(user.phone)


# --- inactive accounts, under-18 reports -----------------------------------------------------


def test_an_unused_account_is_warned_then_erased_48_hours_later(app, ctx, clock):
    idle = factories.buyer(name="Ravi Idle")
    active = factories.buyer()
    clock.advance(timedelta(days=app.config["PRIVACY_INACTIVE_DAYS"] + 1))
    db.session.get(User, active.id).last_sign_in_at = privacy_clock.now()
    commit()
    assert inactive.sweep_inactive() == {"warned": 1, "erased": 0}
    warning = [m for m in outbox(app) if f"To: {idle.email}" in m and "deleted in 48 hours" in m]
    assert len(warning) == 1 and "48 hours" in warning[0]
    clock.advance(timedelta(hours=47))
    assert inactive.sweep_inactive() == {"warned": 0, "erased": 0}
    clock.advance(timedelta(hours=2))
    assert inactive.sweep_inactive() == {"warned": 0, "erased": 1}
    assert db.session.get(User, idle.id).erased_at is not None
    assert db.session.get(User, active.id).erased_at is None


def test_signing_in_answers_the_inactivity_warning(app, ctx, api, clock):
    person = factories.buyer()
    clock.advance(timedelta(days=app.config["PRIVACY_INACTIVE_DAYS"] + 1))
    assert inactive.sweep_inactive()["warned"] == 1
    api.sign_in(person.email)
    db.session.remove()
    assert db.session.get(User, person.id).inactivity_warned_at is None


def test_a_reported_child_is_suspended_at_once_and_erased_once_confirmed(
    ctx, categories, officer, officer_api, api
):
    from marketplace.accounts.api_keys import create_integration_key
    from marketplace.accounts.inputs import IntegrationKeyIn
    from marketplace.catalog.models import Product, ProductStatus

    child, product_id = _supplier_with_a_listing()
    owner = db.session.get_one(User, child.id)
    key, _credential = create_integration_key(
        owner, IntegrationKeyIn.model_validate({"name": "CRM", "scopes": ["leads:read"]})
    )
    commit()
    child_api = api.sign_in(child.email)
    missing = officer_api.post("/privacy/minor-reports", {"user_id": child.id})
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    reported = officer_api.post(
        "/privacy/minor-reports", {"user_id": child.id, "reason": "Parent wrote in, age 16."}
    )
    assert reported.status_code == 201
    assert child_api.get("/me").status_code == 401
    assert api.get("/leads", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    refused = api.post("/auth/tokens", {"email": child.email, "password": child.password})
    assert refused.status_code == 401  # suspended: signing in does not reactivate it
    db.session.remove()
    assert db.session.get_one(Product, product_id).status == ProductStatus.PAUSED
    _suspended_once_by(officer, child.id)
    request_id = reported.get_json()["id"]
    seen = officer_api.get(f"/privacy/requests/{request_id}").get_json()
    assert seen["details"] == {"reason": "reported as under 18: Parent wrote in, age 16."}
    officer_page = officer_api.client.get("/privacy/officer").get_data(as_text=True)
    assert "lift_if_denied" not in officer_page
    officer_api.post(f"/privacy/requests/{request_id}/decision", {"decision": "approve"})
    db.session.remove()
    assert db.session.get(User, child.id).erased_at is not None


def test_a_wrong_child_report_denied_lifts_the_suspension(
    ctx, categories, officer, officer_api, api
):
    from marketplace.accounts.api_keys import create_integration_key
    from marketplace.accounts.inputs import IntegrationKeyIn
    from marketplace.catalog.models import Product, ProductStatus

    adult, product_id = _supplier_with_a_listing()
    key, _credential = create_integration_key(
        db.session.get_one(User, adult.id),
        IntegrationKeyIn.model_validate({"name": "CRM", "scopes": ["leads:read"]}),
    )
    commit()
    _report_then_deny(officer_api, adult.id)
    signing_in = {"email": adult.email, "password": adult.password}
    assert api.post("/auth/tokens", signing_in).status_code == 201
    # Its integration keys stay revoked: the supplier makes new ones.
    assert api.get("/leads", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    db.session.remove()
    assert db.session.get_one(Product, product_id).status == ProductStatus.ACTIVE
    assert db.session.get_one(User, adult.id).erased_at is None
    reinstated = db.session.scalars(
        select(AuditEvent.actor_id).where(
            AuditEvent.action == "account.reinstated", AuditEvent.subject_id == str(adult.id)
        )
    ).all()
    assert reinstated == [officer.id]


def _report_then_deny(officer_api: Api, user_id: int) -> None:
    reported = officer_api.post(
        "/privacy/minor-reports", {"user_id": user_id, "reason": "A buyer says they are 15."}
    )
    assert reported.status_code == 201, reported.get_json()
    denied = officer_api.post(
        f"/privacy/requests/{reported.get_json()['id']}/decision",
        {"decision": "deny", "reason": "Proof of age received: born 1990."},
    )
    assert denied.get_json()["status"] == "denied"


def test_a_denied_child_report_leaves_an_owners_deactivation_as_it_was(
    ctx, categories, officer_api, api
):
    """Closed by its owner before the report: after the denial it is still the owner's to
    reopen, by signing in, and its listings come back then."""
    from marketplace.catalog.models import Product, ProductStatus

    owner, product_id = _supplier_with_a_listing()
    closed = api.sign_in(owner.email).post(
        "/privacy/requests", {"type": "deactivation", "password": owner.password}
    )
    assert closed.get_json()["status"] == "complete"
    _report_then_deny(officer_api, owner.id)
    db.session.remove()
    account = db.session.get_one(User, owner.id)
    assert account.is_active_account is False and account.deactivated_at is not None
    assert api.sign_in(owner.email).get("/me").status_code == 200  # the owner reopens it
    db.session.remove()
    assert db.session.get_one(Product, product_id).status == ProductStatus.ACTIVE


def test_a_denied_child_report_does_not_reopen_an_account_another_deletion_holds(
    ctx, buyer, buyer_api, officer_api, api
):
    """An upheld objection closed the account until its deletion is decided: denying a child
    report made meanwhile does not reopen it."""
    made = buyer_api.post(
        "/privacy/requests",
        {
            "type": "objection",
            "purpose": "verification",
            "reason": "I will not share my mobile.",
            "password": buyer.password,
        },
    )
    upheld = officer_api.post(
        f"/privacy/requests/{made.get_json()['id']}/decision", {"decision": "approve"}
    )
    assert upheld.get_json()["status"] == "complete"
    _report_then_deny(officer_api, buyer.id)
    signing_in = {"email": buyer.email, "password": buyer.password}
    assert api.post("/auth/tokens", signing_in).status_code == 401
    assert db.session.get_one(User, buyer.id).is_active_account is False


def _supplier_with_a_listing() -> tuple[factories.Registered, int]:
    person = factories.supplier()
    product = catalog.create_product(
        db.session.get_one(User, person.id),
        ProductIn.model_validate(
            {
                "name": "SS Door Handle",
                "category": "stainless-steel-pipes",
                "price": "120.00",
                "unit": "piece",
                "moq": 10,
            }
        ),
    )
    commit()
    return person, product.id


def _suspended_once_by(officer: factories.Registered, user_id: int) -> None:
    """The account was closed by the officer, in one audited step: not also as a deactivation
    by its owner."""
    closed = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id).where(
            AuditEvent.action.in_(("account.suspended", "account.deactivated")),
            AuditEvent.subject_id == str(user_id),
        )
    ).all()
    assert closed == [("account.suspended", officer.id)]


# --- the privacy notice ----------------------------------------------------------------------


def test_a_material_notice_is_announced_30_days_ahead_and_accepted_once_in_effect(
    app, ctx, client, buyer, clock, monkeypatch
):
    from datetime import date

    from marketplace.privacy import notice
    from marketplace.privacy.models import ConsentRecord
    from tests.conftest import sign_in_page

    with pytest.raises(ValueError, match="30 days"):
        notice.Notice("2027-02", date(2027, 1, 10), date(2027, 2, 1), True, "Too soon.")
    today = privacy_clock.now().date()
    changed = notice.Notice(
        "2099-01",
        today + timedelta(days=1),
        today + timedelta(days=40),
        True,
        "Analytics partners.",
    )
    monkeypatch.setattr(notice, "NOTICES", (*notice.NOTICES, changed))
    sign_in_page(client, buyer)
    assert client.get("/account/").status_code == 200  # not in effect: nothing to accept
    clock.advance(timedelta(days=2))
    assert "Analytics partners." in client.get("/privacy/").get_data(as_text=True)
    clock.advance(timedelta(days=40))
    page = client.get("/account/")
    assert page.status_code == 302 and "/privacy/notice" in page.headers["Location"]
    form = client.get("/privacy/notice").get_data(as_text=True)
    from tests.conftest import csrf_token

    accepted = client.post(
        "/privacy/notice", data={"csrf_token": csrf_token(form), "next": "/account/"}
    )
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/account/")
    assert client.get("/account/").status_code == 200
    row = db.session.scalars(
        select(ConsentRecord).where(
            ConsentRecord.user_id == buyer.id, ConsentRecord.purpose == "privacy_notice"
        )
    ).one()
    assert row.policy_version == "2099-01" and row.source == "re-consent"


def test_bad_json_is_a_400_before_any_role_check(ctx, supplier_api):
    for method, path in (
        ("PUT", "/privacy/consents/marketing"),
        ("POST", "/privacy/requests"),
        ("POST", "/privacy/requests/1/decision"),
        ("POST", "/privacy/minor-reports"),
    ):
        response = supplier_api.request(
            method, path, None, data="NaN", content_type="application/json"
        )
        assert response.status_code == 400, (path, response.get_json())


def test_requests_awaiting_a_decision_are_on_the_officers_desk(app, ctx, buyer, buyer_api):
    from marketplace import desk

    made = buyer_api.post("/privacy/requests", {"type": "deletion", "password": buyer.password})
    buyer_api.post("/privacy/requests", {"type": "access", "password": buyer.password})
    with app.test_request_context():
        items = [item for item in desk.open_items() if item.kind == "privacy_request"]
    assert [item.id for item in items] == [made.get_json()["id"]]
    assert items[0].resolve_by is not None and items[0].url.startswith("/privacy/officer")


def test_redaction_catches_every_copy_whatever_the_case_and_the_text_around_it():
    from marketplace.privacy.erasure import ERASED, Subject

    subject = Subject(
        user=None,  # type: ignore[arg-type]
        now=datetime.now(UTC),
        email="ravi@example.in",
        name="Ravi Kumar",
        phone="+919876543210",
        phone_digest=None,
        supplier_id=None,
    )
    # 'İ' is two characters once lower-cased: positions found in a lowered copy would drift.
    text = "İİİİ Call Ravi Kumar on 9876543210 or RAVI@example.in, ravi kumar."
    assert subject.redact(text) == f"İİİİ Call {ERASED} on {ERASED} or {ERASED}, {ERASED}."
    assert subject.redact("") == "" and subject.redact(None) is None
