"""What each party sees of a lead: the supplier (the buyer's contact and trust signals, its own
notes), the buyer (status and replies, never the supplier's notes or spam verdicts)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app

from marketplace.accounts.models import SupplierProfile
from marketplace.accounts.schemas import supplier_public
from marketplace.db import utcnow
from marketplace.formatting import iso_utc, mask_email, mask_name, mask_phone
from marketplace.leads.models import BuyRequirement, Lead, LeadStatus, Message
from marketplace.leads.queries import Trust


def quantity_text(value: Decimal | None) -> str | None:
    """500.000 -> "500", 2.500 -> "2.5": as a person writes a quantity."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def product_ref(lead: Lead) -> dict[str, Any] | None:
    if lead.product_id is None and lead.product_name is None:
        return None
    return {"id": lead.product_id, "name": lead.product_name}


def trust(signals: Trust) -> dict[str, Any]:
    return {
        "mobile_verified": signals.mobile_verified,
        "email_verified": signals.email_verified,
        "gst_verified": signals.gst_verified,
        "member_since": iso_utc(signals.member_since),
        "enquiries_last_30_days": signals.enquiries_last_30_days,
    }


def buyer_contact(lead: Lead) -> dict[str, Any]:
    """The buyer as the supplier of an enquiry sees them: in full, as IndiaMART shows it. An
    erased buyer (no account any more) shows as such."""
    buyer = lead.buyer
    if buyer is None:
        return {"id": None, "name": "Deleted account", "email": None, "phone": None}
    business = buyer.supplier
    return {
        "id": buyer.id,
        "name": buyer.name,
        "email": buyer.email,
        "phone": buyer.phone,
        "company_name": business.company_name if business else None,
        "city": lead.city,
    }


def lead_for_supplier(lead: Lead, signals: Trust, *, notes: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": lead.id,
        "type": str(lead.type),
        "source": str(lead.source),
        "created_at": iso_utc(lead.created_at),
        "updated_at": iso_utc(lead.updated_at),
        "status": str(lead.status),
        "product": product_ref(lead),
        "quantity": quantity_text(lead.quantity),
        "unit": lead.unit,
        "message": lead.message,
        "city": lead.city,
        "follow_up_on": lead.follow_up_on.isoformat() if lead.follow_up_on else None,
        "unread": supplier_unread(lead),
        "buyer": buyer_contact(lead),
        "trust": trust(signals),
    }
    if notes:
        body["notes"] = [
            {"id": note.id, "text": note.text, "created_at": iso_utc(note.created_at)}
            for note in lead.notes
        ]
    return body


def supplier_unread(lead: Lead) -> bool:
    return lead.supplier_seen_at is None or lead.buyer_activity_at > lead.supplier_seen_at


def buyer_unread(lead: Lead) -> bool:
    return lead.supplier_activity_at is not None and (
        lead.buyer_seen_at is None or lead.supplier_activity_at > lead.buyer_seen_at
    )


def buyer_status(lead: Lead) -> str:
    """What the buyer is told: sent, seen or replied. Never the supplier's pipeline (a buyer
    need not learn that it was marked lost, or spam)."""
    if lead.supplier_activity_at is not None:
        return "replied"
    if lead.supplier_seen_at is not None and lead.status != LeadStatus.SPAM:
        return "seen"
    return "sent"


def enquiry_for_buyer(lead: Lead, replies: list[Message] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": lead.id,
        "lead_id": lead.id,
        "created_at": iso_utc(lead.created_at),
        "status": buyer_status(lead),
        "unread": buyer_unread(lead),
        "product": product_ref(lead),
        "quantity": quantity_text(lead.quantity),
        "unit": lead.unit,
        "message": lead.message,
        "city": lead.city,
        "supplier": supplier_public(lead.supplier),
    }
    if replies is not None:
        body["replies"] = [message(m) for m in replies]
    return body


def message(entry: Message) -> dict[str, Any]:
    return {
        "id": entry.id,
        "lead_id": entry.lead_id,
        "from": str(entry.side),
        "text": entry.text,
        "quotation": (
            {
                "price": money(entry.quote_price),
                "quantity": quantity_text(entry.quote_quantity),
                "unit": entry.quote_unit,
                "valid_until": entry.quote_valid_until.isoformat()
                if entry.quote_valid_until
                else None,
            }
            if entry.is_quotation
            else None
        ),
        "created_at": iso_utc(entry.created_at),
    }


def created(lead_id: int, *, duplicate: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"id": lead_id, "lead_id": lead_id}
    if duplicate:
        body["duplicate"] = True
    return body


# --- buy requirements ------------------------------------------------------------------------


def requirement_status(requirement: BuyRequirement) -> str:
    """open, closed (by the buyer), expired, or full (it reached its unlock cap)."""
    if requirement.closed_at is not None:
        return "closed"
    if requirement.expires_at <= utcnow():
        return "expired"
    if requirement.unlocks >= current_app.config["BUYLEAD_UNLOCK_CAP"]:
        return "full"
    return "open"


def _requirement(requirement: BuyRequirement) -> dict[str, Any]:
    """What the buyer and the matched suppliers alike see of a requirement."""
    return {
        "id": requirement.id,
        "product_name": requirement.product_name,
        "description": requirement.description,
        "category": requirement.category.slug if requirement.category else None,
        "quantity": quantity_text(requirement.quantity),
        "unit": requirement.unit,
        "budget": money(requirement.budget),
        "city": requirement.city,
        "state": requirement.state,
        "status": requirement_status(requirement),
        "unlocks": requirement.unlocks,
        "created_at": iso_utc(requirement.created_at),
        "expires_at": iso_utc(requirement.expires_at),
    }


def requirement_for_buyer(
    requirement: BuyRequirement, unlocked_by: list[SupplierProfile]
) -> dict[str, Any]:
    return {
        **_requirement(requirement),
        "matched_suppliers": requirement.matched,
        "unlocked_by": [supplier_public(profile) for profile in unlocked_by],
    }


def buylead_for_supplier(requirement: BuyRequirement, lead: Lead | None) -> dict[str, Any]:
    """A BuyLead in a matched supplier's feed: the buyer masked until this supplier unlocks it,
    then the full contact and the lead it became."""
    buyer = requirement.buyer
    if buyer is None:
        contact = {"name": "Deleted account", "email": None, "phone": None}
    elif lead is not None:
        contact = {"name": buyer.name, "email": buyer.email, "phone": buyer.phone}
    else:
        contact = {
            "name": mask_name(buyer.name),
            "email": mask_email(buyer.email),
            "phone": mask_phone(buyer.phone),
        }
    return {
        **_requirement(requirement),
        "unlocked": lead is not None,
        "lead_id": lead.id if lead else None,
        "buyer": contact,
    }
