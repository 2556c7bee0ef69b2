"""The erasure finds a person however they were written, wherever anyone wrote them.

A buyer and a supplier are written about, in several forms each (their phone spaced, dashed and
with a country code, their email in capitals, the GSTIN spaced, the PAN in small letters, the
business name without "Pvt Ltd", the address, the first name alone), by themselves and by their
counterparts, in every free-text field a person or an officer fills: enquiries, messages, lead
notes, buy requirements, complaints, officer notes and replies, attachments' names, guests'
drafts, webhook payloads, privacy requests and holds, listings, profiles, key names, captions.
Both are erased; then every text column of every table (walked from the metadata, so a new
column is covered without touching this test), the search index's documents, the uploads and
the exports are scanned for any surviving form. The archive is the one place they may stay."""

from __future__ import annotations

import importlib.util
import json
import re
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import tantivy
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask import Flask
from sqlalchemy import select

from marketplace.accounts.models import ApiCredential, BusinessPhoto, CredentialKind, User
from marketplace.catalog import services as catalog
from marketplace.catalog.inputs import ProductIn
from marketplace.credits import orders
from marketplace.credits.inputs import OrderIn
from marketplace.credits.models import OrderStatus
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.grievances.models import (
    Category,
    EventKind,
    Grievance,
    GrievanceAttachment,
    GrievanceEvent,
    GuestGrievance,
    RelatedKind,
    Status,
)
from marketplace.leads import conversations, pipeline, requirements
from marketplace.leads.enquiries import send_enquiry
from marketplace.leads.inputs import EnquiryIn, LeadChange, MessageIn, RequirementIn
from marketplace.leads.models import GuestEnquiry, LeadSource, Webhook, WebhookDelivery
from marketplace.privacy import deletion, filing
from marketplace.privacy.inputs import PrivacyRequestIn
from marketplace.privacy.models import ArchivedRecord, LegalHold, PrivacyRequest, RequestStatus
from marketplace.reviews.models import Basis, Review, ReviewReport
from tests import factories
from tests.conftest import sign_in_page

ALLOWED = {"privacy_archive"}  # the statutory archive: the one place the person may stay


@dataclass
class Person:
    """Someone to erase, and every form they will be written in."""

    user_id: int
    email: str
    phone: str  # E.164
    name: str
    gstin: str | None = None
    company: str | None = None
    address: str | None = None

    @property
    def national(self) -> str:
        return self.phone[-10:]

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def forms(self) -> list[str]:
        n = self.national
        written = [
            f"+91 {n[:5]} {n[5:]}",
            f"0{n[:5]}-{n[5:]}",
            f"{n[:5]} {n[5:]}",
            n,
            f"(+91) {n[:5]}-{n[5:]}",
            f"91-{n}",
            self.email.upper(),
            self.email,
            self.name.lower(),
        ]
        if self.gstin and self.company and self.address:
            written += [
                self.gstin,
                f"{self.gstin[:2]} {self.gstin[2:12]} {self.gstin[12:]}",
                self.gstin[2:12].lower(),
                self.company.upper(),
                self.company.replace(" Pvt Ltd", "").replace(" ", "  "),
                self.address,
            ]
        return written

    def text(self, before: str = "Details") -> str:
        """One note holding every form."""
        return f"{before}: " + "; ".join(self.forms()) + "."

    def survivors(self, value: str) -> list[str]:
        """Which of the person's identifiers `value` still holds, in any form: the national
        number's digits however separated, the GSTIN or PAN however spaced, the email, and
        each part of the name as a word."""
        found = []
        if self.national in re.sub(r"\D", "", value):
            found.append("phone")
        squeezed = re.sub(r"[\W_]", "", value).upper()
        if self.gstin and (self.gstin in squeezed or self.gstin[2:12] in squeezed):
            found.append("gstin/pan")
        if self.email.lower() in value.lower():
            found.append("email")
        for word in {*self.name.split(), *(self.company or "").split()[:1]}:
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", value, re.IGNORECASE):
                found.append(word)
        if self.address and self.address.lower() in value.lower():
            found.append("address")
        return found


def _person(user_id: int) -> Person:
    user = db.session.get(User, user_id)
    assert user is not None and user.phone
    profile = user.supplier
    return Person(
        user.id,
        user.email,
        user.phone,
        user.name,
        profile.gstin if profile else None,
        profile.company_name if profile else None,
        profile.address_line1 if profile else None,
    )


def _product(owner_id: int, name: str, description: str) -> int:
    product = catalog.create_product(
        db.session.get(User, owner_id),
        ProductIn.model_validate(
            {
                "name": name,
                "category": "stainless-steel-pipes",
                "description": description,
                "price": "410.00",
                "unit": "piece",
                "moq": 1,
            }
        ),
    )
    commit()
    return product.id


def _enquiry(buyer_id: int, product_id: int, message: str) -> int:
    lead_id, _ = send_enquiry(
        buyer_id,
        EnquiryIn.model_validate({"product_id": product_id, "message": message, "quantity": "5"}),
        source=LeadSource.API,
    )
    commit()
    return lead_id


def _say(user_id: int, lead_id: int, text: str) -> None:
    conversations.post_message(
        db.session.get(User, user_id), lead_id, MessageIn.model_validate({"text": text})
    )
    commit()


def _note(user_id: int, lead_id: int, text: str) -> None:
    pipeline.update_lead(
        db.session.get(User, user_id), lead_id, LeadChange.model_validate({"note": text})
    )
    commit()


def _requirement(buyer_id: int, description: str) -> None:
    requirements.post_requirement(
        db.session.get(User, buyer_id),
        RequirementIn.model_validate(
            {
                "product_name": "Cable trays",
                "description": description,
                "quantity": "100",
                "unit": "piece",
                "city": "Pune",
                "state": "Maharashtra",
            }
        ),
    )
    commit()


def _grievance(
    by: User, text: str, related: tuple[RelatedKind, int] | None = None, subject: str = "Help"
) -> Grievance:
    now = utcnow()
    row = Grievance(
        reference=f"GR-{secrets.token_hex(4)}",
        complainant_id=by.id,
        complainant_name=by.name,
        complainant_email=by.email,
        category=Category.LEAD_QUALITY,
        subject=subject,
        description=text,
        related_kind=related[0] if related else None,
        related_id=related[1] if related else None,
        status=Status.RESOLVED,  # settled: no hold on the erasure
        acknowledge_by=now,
        resolve_by=now + timedelta(days=15),
        resolved_at=now,
        response=text,
    )
    db.session.add(row)
    db.session.flush()
    for kind, public in ((EventKind.NOTE, False), (EventKind.REPLY, True)):
        db.session.add(GrievanceEvent(grievance_id=row.id, kind=kind, text=text, public=public))
    return row


def _plant(app: Flask, buyer: Person, supplier: Person) -> dict[str, int]:
    """Every free-text field, written by the person and by their counterparts."""
    s2 = factories.supplier()
    b2 = factories.buyer()
    officer = factories.staff()
    both = f"{buyer.text('Me')} {supplier.text('Them')}"
    own = _product(supplier.user_id, "Galvanised Cable Tray", "Perforated tray, 100 mm.")
    other = _product(s2.id, "Cable Tray Covers", f"Fits {supplier.text('trays by')}")

    # The buyer's enquiry to the supplier: both write about each other.
    l1 = _enquiry(buyer.user_id, own, both)
    _say(buyer.user_id, l1, buyer.text("Call me"))
    _say(supplier.user_id, l1, f"{buyer.first_name}, thanks. {both}")
    _note(supplier.user_id, l1, f"{buyer.first_name} wants it by Friday. {buyer.text()}")
    # The buyer's enquiry to another supplier, who notes and quotes the buyer's contact.
    l2 = _enquiry(buyer.user_id, other, both)
    _say(s2.id, l2, f"Dear {buyer.first_name}, we will call. {buyer.text()}")
    _note(s2.id, l2, f"{buyer.first_name} {buyer.name.split()[1]} sounds serious")
    _note(s2.id, l2, buyer.text("Reach"))
    # Another buyer's enquiry to the supplier, naming the supplier's firm.
    l3 = _enquiry(b2.id, own, supplier.text("For"))
    _say(b2.id, l3, f"{supplier.first_name} promised a discount. {supplier.text()}")
    _requirement(buyer.user_id, buyer.text("Call"))
    _requirement(b2.id, f"Like the trays of {supplier.text()}")

    b2_user = db.session.get(User, b2.id)
    s2_user = db.session.get(User, s2.id)
    buyer_user = db.session.get(User, buyer.user_id)
    db.session.add(
        GuestEnquiry(
            id=secrets.token_hex(8),
            name="Guest",
            email="guest@example.in",
            phone="+919000000001",
            phone_digest=secrets.token_hex(32),
            enquiry={"product_id": own, "message": both},
            code_digest="x",
            expires_at=utcnow() + timedelta(minutes=10),
        )
    )
    for supplier_id, text in ((s2_user.supplier.id, buyer.text()), (None, supplier.text())):
        hook = Webhook(
            supplier_id=supplier_id or db.session.get(User, supplier.user_id).supplier.id,
            url=f"https://{(supplier.company or '').split()[0].lower()}.example.in/hook"
            if supplier_id is None
            else "https://crm.example.in/hook",
            events=["lead.created"],
            secret="s" * 32,
        )
        db.session.add(hook)
        db.session.flush()
        body = json.dumps({"buyer": {"name": buyer.name, "phone": buyer.phone}, "note": text})
        db.session.add(
            WebhookDelivery(webhook_id=hook.id, event="lead.created", event_id="e", body=body)
        )

    # Complaints: the buyer's own, another supplier's about the buyer's lead, another buyer's
    # about the supplier's listing; officers' notes and replies; attachments' names.
    mine = _grievance(buyer_user, both, subject=f"{buyer.first_name}'s complaint")
    about_buyer = _grievance(s2_user, buyer.text(), (RelatedKind.LEAD, l2))
    db.session.add(
        GrievanceEvent(
            grievance_id=about_buyer.id,
            kind=EventKind.NOTE,
            text=f"{buyer.first_name} called twice",
        )
    )
    _grievance(b2_user, supplier.text(), (RelatedKind.PRODUCT, own))
    for grievance in (mine, about_buyer):
        db.session.add(
            GrievanceAttachment(
                grievance_id=grievance.id,
                filename=f"{secrets.token_hex(8)}.jpg",
                original_name=f"{buyer.name} {buyer.national}.png",
                width=10,
                height=10,
            )
        )
    db.session.add(
        GuestGrievance(
            id=secrets.token_hex(8),
            email="guest@example.in",
            name="Guest",
            payload={"subject": "About a buyer", "description": both},
            expires_at=utcnow() + timedelta(minutes=30),
        )
    )

    # Privacy requests and holds: officers' reasons, another person's objection.
    hold = LegalHold(subject_id=buyer.user_id, reason=buyer.text("Police asked about"))
    hold.released_at = utcnow()
    db.session.add(hold)
    objection = PrivacyRequest(
        user_id=b2.id,
        type="objection",
        status=RequestStatus.DENIED,
        details={"purpose": "marketing", "reason": supplier.text("They shared")},
        decision_reason=supplier.text("Checked with"),
        due_at=utcnow() + timedelta(days=90),
    )
    db.session.add(objection)

    # Profiles, keys, captions, an officer's reason for hiding a listing.
    s2_user.supplier.about = f"Formerly the agents of {supplier.text()}"
    db.session.add(
        BusinessPhoto(
            supplier_id=s2_user.supplier.id,
            stored_name=f"{secrets.token_hex(8)}.jpg",
            caption=f"With {supplier.name} at Pune"[:120],
            width=10,
            height=10,
        )
    )
    db.session.add(
        ApiCredential(
            user_id=supplier.user_id,
            kind=CredentialKind.INTEGRATION,
            name=f"{supplier.first_name}'s CRM {supplier.national}",
            token_digest=secrets.token_hex(32),
            prefix="mkk_x",
            session_nonce="n",
        )
    )
    # Reviews: another buyer's review of the supplier and the supplier's reply naming the
    # buyer; the buyer's review of another supplier; a report naming the buyer.
    supplier_profile_id = db.session.get(User, supplier.user_id).supplier.id
    of_supplier = Review(
        supplier_id=supplier_profile_id,
        author_id=b2.id,
        rating=2,
        text=f"Slow to deliver. {supplier.text()}",
        basis=Basis.ANSWERED_ENQUIRY,
        reply_text=f"We called {buyer.text()} about it",
    )
    by_buyer = Review(
        supplier_id=s2_user.supplier.id,
        author_id=buyer.user_id,
        rating=5,
        text=buyer.text("Good trade with"),
        basis=Basis.ANSWERED_ENQUIRY,
    )
    db.session.add_all([of_supplier, by_buyer])
    db.session.flush()
    db.session.add(ReviewReport(review_id=by_buyer.id, reporter_id=s2.id, reason=both))
    # An old order that was never paid (no hold; it holds the GSTIN it was priced for).
    order, _ = orders.create_order(
        db.session.get(User, supplier.user_id), OrderIn.model_validate({"pack": "credits-10"})
    )
    order.status = OrderStatus.FAILED
    order.created_at = utcnow() - timedelta(days=3)
    catalog_row = db.session.get(catalog.Product, other)
    catalog_row.hidden_reason = buyer.text("Reported by")[:300]
    commit()

    # Another buyer's access export holds their enquiry naming the supplier.
    filing.submit_request(
        b2_user, PrivacyRequestIn.model_validate({"type": "access", "password": b2.password})
    )
    commit()
    del officer
    return {"s2": s2.id, "b2": b2.id, "l2": l2}


# --- the scans -------------------------------------------------------------------------------


def _text_of(value: Any) -> str | None:
    if value is None or isinstance(value, bool | int | float):
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _database() -> Iterator[tuple[str, str]]:
    """Every value of every column of every table but the archive, decrypted, as text."""
    for table in db.metadata.sorted_tables:
        if table.name in ALLOWED:
            continue
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                text = _text_of(value)
                if text:
                    yield f"{table.name}.{column}", text


def _search_index(app: Flask) -> Iterator[tuple[str, str]]:
    """Every document the embedded search index still returns."""
    index = tantivy.Index.open(app.config["SEARCH_INDEX_PATH"])
    index.reload()
    searcher = index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=10_000).hits
    for _, address in hits:
        yield "search index", json.dumps(searcher.doc(address).to_dict(), ensure_ascii=False)


def _files(app: Flask) -> Iterator[tuple[str, str]]:
    """Every upload and export, ZIPs opened."""
    for key in ("UPLOAD_PATH", "PRIVACY_EXPORT_PATH"):
        folder = Path(app.config[key])
        for path in folder.rglob("*") if folder.exists() else ():
            if not path.is_file():
                continue
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    for member in archive.namelist():
                        text = archive.read(member).decode("utf-8", "replace")
                        yield f"{path.name}/{member}", text
            else:
                yield str(path), path.name + " " + path.read_bytes().decode("latin-1")


def _survivors(app: Flask, people: list[Person]) -> list[str]:
    found = []
    for place, text in (*_database(), *_search_index(app), *_files(app)):
        for person in people:
            found += [f"{place}: {what}" for what in person.survivors(text)]
    return found


def _erase(user_id: int) -> None:
    row = deletion.open_system_deletion(
        db.session.get(User, user_id), "Asked by the person", approved=True
    )
    commit()
    assert deletion.run_deletion(row.id) in (
        RequestStatus.COMPLETE,
        RequestStatus.COMPLETE_WITH_RETENTION,
    )


def test_an_erased_buyer_and_supplier_survive_nowhere_in_any_form(app, ctx, api, categories):
    supplier_id = factories.supplier(
        name="Zubin Qadirwala",
        company_name="Qadirwala Cable Works Pvt Ltd",
        address={
            "line1": "Shed 7, Kudalwadi Chikhli Road",
            "city": "Pune",
            "state": "Maharashtra",
            "pincode": "411062",
        },
    ).id
    buyer_id = factories.buyer(name="Farida Noorani").id
    buyer, supplier = _person(buyer_id), _person(supplier_id)
    others = _plant(app, buyer, supplier)
    db.session.remove()

    planted = _survivors(app, [buyer, supplier])
    # The scan sees what was planted: in the leads, the complaints, the index and the export.
    for place in (
        "leads.message",
        "grievance_events.text",
        "credit_orders.recipient_gstin",
        "search index",
        "export.json",
    ):
        assert any(place in line for line in planted), place

    _erase(buyer_id)
    _erase(supplier_id)
    db.session.remove()
    assert _survivors(app, [buyer, supplier]) == []
    # What the other supplier sees of the erased buyer's enquiry: the API and the page.
    s2 = factories.Registered(
        others["s2"], db.session.get(User, others["s2"]).email, factories.PASSWORD
    )
    seen = api.sign_in(s2.email).get(f"/leads/{others['l2']}")
    assert seen.status_code == 200
    page_client = app.test_client()
    sign_in_page(page_client, s2)
    page = page_client.get(f"/leads/{others['l2']}")
    assert page.status_code == 200 and "Deleted account" in page.text
    for shown in (seen.get_data(as_text=True), page.text):
        assert buyer.survivors(shown) == [] and supplier.survivors(shown) == []
    # The certificate and its copies outside the archive name no identifier.
    certificates = db.session.scalars(
        select(PrivacyRequest.certificate).where(PrivacyRequest.certificate.is_not(None))
    ).all()
    assert len(certificates) == 2
    references = {item["reference"] for c in certificates for item in c["kept"]}
    supplier_profile = db.session.get(User, supplier_id).supplier
    assert f"supplier:{supplier_profile.id}" in references  # the profile, never its GSTIN
    assert not any(ref.startswith("gstin:") for ref in references)


def test_the_migration_takes_gstins_out_of_earlier_certificates(ctx):
    """Certificates written before the fix named `gstin:<GSTIN>`: migration 0020 names the
    supplier profile instead, in the certificate and in the archive's record alike."""
    person = factories.supplier()
    profile_id = db.session.get(User, person.id).supplier.id
    stale = f"gstin:{person.gstin}"
    kept = {"record_type": "gst_registration", "reference": stale, "legal_basis": "x"}
    request = PrivacyRequest(
        user_id=person.id,
        type="deletion",
        status=RequestStatus.COMPLETE_WITH_RETENTION,
        due_at=utcnow(),
        certificate={"request_id": 1, "erased": [], "kept": [kept]},
    )
    db.session.add(request)
    db.session.add(
        ArchivedRecord(
            subject_id=person.id,
            record_type="gst_registration",
            reference=stale,
            legal_basis="x",
            retain_until=utcnow(),
            data="{}",
        )
    )
    commit()
    path = Path(__file__).parent.parent / "migrations/versions/0020_certificates_without_gstin.py"
    spec = importlib.util.spec_from_file_location("migration_0020", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with (
        db.engine.begin() as connection,
        Operations.context(MigrationContext.configure(connection)),
    ):
        migration.upgrade()
    db.session.expire_all()
    certificate = db.session.get(PrivacyRequest, request.id).certificate
    assert certificate["kept"][0]["reference"] == f"supplier:{profile_id}"
    assert person.gstin not in json.dumps(certificate)
    assert db.session.scalars(select(ArchivedRecord.reference)).all() == [f"supplier:{profile_id}"]
