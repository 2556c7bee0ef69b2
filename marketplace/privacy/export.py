"""The access export (DPDP Act 2023 s.11): everything held about a person, as JSON and CSV in
one ZIP. Never password hashes, key digests or other people's personal data; identity and bank
numbers masked to their last four characters. Each section is a list of flat records, so the
same rows become `<section>.csv` and one `export.json`."""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from marketplace.accounts.models import User
from marketplace.audit import AuditEvent
from marketplace.catalog.models import Product
from marketplace.credits.models import CreditEntry, CreditOrder, Invoice
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.grievances.models import Grievance
from marketplace.leads.models import BuyRequirement, Lead, Message
from marketplace.privacy import clock
from marketplace.privacy.models import ConsentRecord, PrivacyRequest
from marketplace.reviews import queries as reviews
from marketplace.spreadsheets import safe_cell

EXPORT_DAYS = 7


def last_four(value: str | None) -> str | None:
    if not value:
        return value
    return "X" * max(len(value) - 4, 0) + value[-4:]


def _text(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "tzinfo"):
        return iso_utc(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: _text(value) for key, value in row.items()} for row in rows]


def collect(user: User) -> dict[str, list[dict[str, Any]]]:
    """The export's sections, in a fixed order (pinned by snapshot tests)."""
    profile = user.supplier
    sections: dict[str, list[dict[str, Any]]] = {}
    sections["profile"] = _rows(
        [
            {
                "id": user.id,
                "name": user.name,
                "email": user.email,
                "phone": user.phone,
                "email_verified_at": user.email_verified_at,
                "phone_verified_at": user.phone_verified_at,
                "roles": " ".join(role.value for role in user.roles),
                "registered_at": user.created_at,
                "last_sign_in_at": user.last_sign_in_at,
            }
        ]
    )
    sections["business"] = _rows(
        [
            {
                "company_name": profile.company_name,
                "gstin": profile.gstin,
                "pan": last_four(profile.pan),
                "gst_verification": profile.gst_verification.value,
                "address_line1": profile.address_line1,
                "city": profile.city,
                "state": profile.state,
                "pincode": profile.pincode,
            }
        ]
        if profile
        else []
    )
    # The photos the supplier put on its storefront (the files are at /media/business/<file>).
    sections["business_photos"] = _rows(
        [
            {
                "id": photo.id,
                "caption": photo.caption,
                "file": photo.stored_name,
                "uploaded_at": photo.created_at,
            }
            for photo in (profile.photos if profile else [])
        ]
    )
    sections["products"] = _rows(
        [
            {
                "id": p.id,
                "name": p.name,
                "description": p.description,
                "price": p.price,
                "unit": p.unit,
                "status": p.status.value,
                "created_at": p.created_at,
            }
            for p in (
                db.session.scalars(
                    select(Product).where(Product.supplier_id == profile.id).order_by(Product.id)
                )
                if profile
                else []
            )
        ]
    )
    sent = db.session.scalars(select(Lead).where(Lead.buyer_id == user.id).order_by(Lead.id)).all()
    sections["enquiries"] = _rows(
        [
            {
                "id": lead.id,
                "supplier": lead.supplier.company_name,
                "product": lead.product_name,
                "quantity": lead.quantity,
                "unit": lead.unit,
                "message": lead.message,
                "city": lead.city,
                "sent_at": lead.created_at,
            }
            for lead in sent
        ]
    )
    # A supplier's leads: its own pipeline, never the buyers' contact details.
    received = (
        db.session.scalars(
            select(Lead).where(Lead.supplier_id == profile.id).order_by(Lead.id)
        ).all()
        if profile
        else []
    )
    sections["leads"] = _rows(
        [
            {
                "id": lead.id,
                "type": lead.type.value,
                "status": lead.status.value,
                "product": lead.product_name,
                "quantity": lead.quantity,
                "unit": lead.unit,
                "received_at": lead.created_at,
            }
            for lead in received
        ]
    )
    sections["messages"] = _rows(
        [
            {
                "id": m.id,
                "lead_id": m.lead_id,
                "side": m.side.value,
                "text": m.text,
                "quote_price": m.quote_price,
                "sent_at": m.created_at,
            }
            for m in db.session.scalars(
                select(Message).where(Message.author_id == user.id).order_by(Message.id)
            )
        ]
    )
    sections["buy_requirements"] = _rows(
        [
            {
                "id": r.id,
                "product_name": r.product_name,
                "description": r.description,
                "quantity": r.quantity,
                "unit": r.unit,
                "budget": r.budget,
                "city": r.city,
                "state": r.state,
                "posted_at": r.created_at,
            }
            for r in db.session.scalars(
                select(BuyRequirement)
                .where(BuyRequirement.buyer_id == user.id)
                .order_by(BuyRequirement.id)
            )
        ]
    )
    supplier_id = profile.id if profile else -1
    sections["credits"] = _rows(
        [
            {"delta": e.delta, "kind": e.kind.value, "reason": e.reason, "at": e.created_at}
            for e in db.session.scalars(
                select(CreditEntry)
                .where(CreditEntry.supplier_id == supplier_id)
                .order_by(CreditEntry.id)
            )
        ]
    )
    sections["orders"] = _rows(
        [
            {
                "id": o.id,
                "pack": o.pack_id,
                "total": o.total,
                "status": o.status.value,
                "paid_at": o.paid_at,
            }
            for o in db.session.scalars(
                select(CreditOrder)
                .where(CreditOrder.supplier_id == supplier_id)
                .order_by(CreditOrder.id)
            )
        ]
    )
    sections["invoices"] = _rows(
        [
            {
                "number": i.number,
                "kind": i.kind.value,
                "issued_at": i.issued_at,
                "total": i.total,
                "recipient_gstin": i.recipient_gstin,
            }
            for i in db.session.scalars(
                select(Invoice).where(Invoice.supplier_id == supplier_id).order_by(Invoice.id)
            )
        ]
    )
    sections["consent_history"] = _rows(
        [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "policy_version": c.policy_version,
                "source": c.source,
                "recorded_at": c.recorded_at,
            }
            for c in db.session.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.user_id == user.id)
                .order_by(ConsentRecord.id)
            )
        ]
    )
    sections["privacy_requests"] = _rows(
        [
            {
                "id": r.id,
                "type": r.type.value,
                "status": r.status.value,
                "due_at": r.due_at,
                "created_at": r.created_at,
            }
            for r in db.session.scalars(
                select(PrivacyRequest)
                .where(PrivacyRequest.user_id == user.id)
                .order_by(PrivacyRequest.id)
            )
        ]
    )
    sections["grievances"] = _grievances(user)
    sections["reviews"] = _rows(reviews.written_by(user.id))
    sections["review_replies"] = _rows(reviews.replies_by(profile.id if profile else None))
    sections["review_reports"] = _rows(reviews.reports_by(user.id))
    sections["sign_in_history"] = _rows(
        [
            {
                "action": e.action,
                "at": e.occurred_at,
                "ip_address": e.ip_address,
                "channel": (e.details or {}).get("channel"),
            }
            for e in db.session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.action.like("auth.%"),
                    or_(
                        AuditEvent.actor_id == user.id,
                        (AuditEvent.subject_type == "users")
                        & (AuditEvent.subject_id == str(user.id)),
                    ),
                )
                .order_by(AuditEvent.id)
            )
        ]
    )
    # The parties the person's contact went to: suppliers their enquiries reached, and those
    # who unlocked their buy requirements.
    sections["shared_with"] = _rows(
        [
            {
                "supplier": lead.supplier.company_name,
                "gstin": lead.supplier.gstin,
                "how": "unlocked your buy requirement"
                if lead.type.value == "buylead"
                else "received your enquiry",
                "at": lead.created_at,
            }
            for lead in sent
        ]
    )
    return sections


def _grievances(user: User) -> list[dict[str, Any]]:
    """The grievances the person filed."""
    rows = db.session.scalars(
        select(Grievance).where(Grievance.complainant_id == user.id).order_by(Grievance.id)
    )
    keep = ("id", "reference", "category", "subject", "description", "status", "created_at")
    return _rows([{key: getattr(row, key, None) for key in keep} for row in rows])


def write_zip(sections: dict[str, list[dict[str, Any]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "export.json", json.dumps(sections, indent=2, ensure_ascii=False, sort_keys=False)
        )
        for name, rows in sections.items():
            text = io.StringIO()
            columns = list(rows[0]) if rows else []
            writer = csv.DictWriter(text, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                # A spreadsheet must never run a cell; numbers stay numbers (-1 is not a formula).
                writer.writerow(
                    {
                        key: safe_cell(value) if isinstance(value, str) else value
                        for key, value in row.items()
                    }
                )
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()


def store(row: PrivacyRequest, payload: bytes) -> None:
    folder = Path(current_app.config["PRIVACY_EXPORT_PATH"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.zip"
    (folder / name).write_bytes(payload)
    row.export_name = name
    row.export_expires_at = clock.now() + timedelta(days=EXPORT_DAYS)
