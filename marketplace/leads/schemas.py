"""What each party sees of a lead: the supplier (the buyer's contact and trust signals, its own
notes), the buyer (status and replies, never the supplier's notes or spam verdicts), and what a
matched supplier sees of a BuyLead (the buyer masked until unlocked).

The builders return the declared types the API answers with. The webhook payloads and the pages
use the same builders, so times stay ISO 8601 UTC strings ("2026-11-22T10:15:00Z")."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal, NotRequired

from flask import current_app
from pydantic import Field, WithJsonSchema
from typing_extensions import TypedDict

from marketplace.accounts.models import SupplierProfile
from marketplace.accounts.schemas import SupplierCard, supplier_public
from marketplace.catalog.units import UNITS
from marketplace.db import utcnow
from marketplace.formatting import iso_utc, mask_email, mask_name, mask_phone
from marketplace.leads.masking import masked_words
from marketplace.leads.models import BuyRequirement, LeadSource, LeadStatus, LeadType
from marketplace.leads.models import Lead as LeadRow
from marketplace.leads.models import Message as MessageRow
from marketplace.leads.queries import Trust as Signals


def _schema(schema: dict[str, Any], kind: Any = str) -> Any:
    return Annotated[kind, WithJsonSchema(schema)]


def _words(values: Iterable[Any], description: str = "") -> Any:
    schema: dict[str, Any] = {"type": "string", "enum": [str(value) for value in values]}
    if description:
        schema["description"] = description
    return _schema(schema)


# Moments as iso_utc writes them, and days as date.isoformat() does.
Time = _schema({"type": "string", "format": "date-time"})
MaybeTime = _schema({"type": ["string", "null"], "format": "date-time"}, str | None)
Day = _schema({"type": "string", "format": "date"})
MaybeDay = _schema({"type": ["string", "null"], "format": "date"}, str | None)
Quantity = _schema(
    {"type": ["string", "null"], "description": 'a decimal string, e.g. "500" or "2.5"'},
    str | None,
)
Unit = _schema({"enum": [*UNITS, None]}, str | None)


class ProductRef(TypedDict):
    """The product an enquiry is about (its name kept should the listing go)."""

    id: int | None
    name: str | None


class Trust(TypedDict):
    mobile_verified: bool
    email_verified: bool
    gst_verified: Annotated[bool, Field(description="a GST-verified business")]
    member_since: MaybeTime
    enquiries_last_30_days: int


class BuyerContact(TypedDict):
    """The buyer in full, as IndiaMART shows it; an erased buyer is "Deleted account"."""

    id: int | None
    name: str
    email: str | None
    phone: str | None
    company_name: NotRequired[str | None]
    city: NotRequired[str | None]


class LeadNote(TypedDict):
    id: int
    text: str
    created_at: Time


class Lead(TypedDict):
    """A lead as its supplier sees it."""

    id: int
    type: _words(LeadType)
    source: _words(LeadSource)
    created_at: Time
    updated_at: Time
    status: _words(LeadStatus)
    product: ProductRef | None
    quantity: Quantity
    unit: Unit
    message: str
    city: str | None
    follow_up_on: MaybeDay
    unread: Annotated[bool, Field(description="new, or the buyer wrote since")]
    assignee_id: Annotated[
        int | None, Field(description="the account id of the person who works this lead")
    ]
    buyer: BuyerContact
    trust: Trust
    notes: NotRequired[
        Annotated[
            list[LeadNote], Field(description="the supplier's private notes (single lead only)")
        ]
    ]


class Window(TypedDict):
    """The window read: a CRM polls on from its end_time."""

    start_time: Time
    end_time: Time


class LeadPull(TypedDict):
    """A page of the supplier's leads in a window, oldest first."""

    items: list[Lead]
    total: int
    page: int
    per_page: int
    window: Annotated[Window, Field(description="the window read; poll on from its end_time")]


class Quotation(TypedDict):
    price: Annotated[str | None, Field(description="rupees per unit")]
    quantity: str | None
    unit: str | None
    valid_until: MaybeDay


# A message on a lead, from either side; a supplier's may carry a quotation. ("from" is a
# Python keyword, hence the functional form.)
Message = TypedDict(
    "Message",
    {
        "id": int,
        "lead_id": int,
        "from": Literal["buyer", "supplier"],
        "text": str,
        "quotation": "Quotation | None",
        "created_at": Time,
    },
)


class Conversation(TypedDict):
    items: list[Message]
    total: int


class Enquiry(TypedDict):
    """An enquiry as the buyer who sent it sees it."""

    id: int
    lead_id: int
    created_at: Time
    status: _words(
        ("sent", "seen", "replied"), "what the buyer is told; never the supplier's pipeline"
    )
    unread: Annotated[bool, Field(description="the supplier replied since")]
    product: ProductRef | None
    quantity: Quantity
    unit: Unit
    message: str
    city: str | None
    supplier: SupplierCard
    replies: NotRequired[list[Message]]


class EnquiryCreated(TypedDict):
    id: int
    lead_id: int
    duplicate: NotRequired[
        Annotated[Literal[True], Field(description="the same enquiry within 24 hours")]
    ]


class GuestEnquiryStarted(TypedDict):
    """The enquiry waits for the code sent by SMS to the mobile."""

    verification_id: str
    expires_at: Time


def quantity_text(value: Decimal | None) -> str | None:
    """500.000 -> "500", 2.500 -> "2.5": as a person writes a quantity."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def product_ref(lead: LeadRow) -> ProductRef | None:
    if lead.product_id is None and lead.product_name is None:
        return None
    return {"id": lead.product_id, "name": lead.product_name}


def trust(signals: Signals) -> Trust:
    return {
        "mobile_verified": signals.mobile_verified,
        "email_verified": signals.email_verified,
        "gst_verified": signals.gst_verified,
        "member_since": iso_utc(signals.member_since),
        "enquiries_last_30_days": signals.enquiries_last_30_days,
    }


def buyer_contact(lead: LeadRow) -> BuyerContact:
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


def lead_for_supplier(lead: LeadRow, signals: Signals, *, notes: bool = False) -> Lead:
    body: Lead = {
        "id": lead.id,
        "type": str(lead.type),
        "source": str(lead.source),
        "created_at": iso_utc(lead.created_at) or "",
        "updated_at": iso_utc(lead.updated_at) or "",
        "status": str(lead.status),
        "product": product_ref(lead),
        "quantity": quantity_text(lead.quantity),
        "unit": lead.unit,
        "message": lead.message,
        "city": lead.city,
        "follow_up_on": lead.follow_up_on.isoformat() if lead.follow_up_on else None,
        "unread": supplier_unread(lead),
        "assignee_id": lead.assignee_id,
        "buyer": buyer_contact(lead),
        "trust": trust(signals),
    }
    if notes:
        body["notes"] = [
            {"id": note.id, "text": note.text, "created_at": iso_utc(note.created_at) or ""}
            for note in lead.notes
        ]
    return body


def supplier_unread(lead: LeadRow) -> bool:
    return lead.supplier_seen_at is None or lead.buyer_activity_at > lead.supplier_seen_at


def buyer_unread(lead: LeadRow) -> bool:
    return lead.supplier_activity_at is not None and (
        lead.buyer_seen_at is None or lead.supplier_activity_at > lead.buyer_seen_at
    )


def buyer_status(lead: LeadRow) -> str:
    """What the buyer is told: sent, seen or replied. Never the supplier's pipeline (a buyer
    need not learn that it was marked lost, or spam)."""
    if lead.supplier_activity_at is not None:
        return "replied"
    if lead.supplier_seen_at is not None and lead.status != LeadStatus.SPAM:
        return "seen"
    return "sent"


def enquiry_for_buyer(lead: LeadRow, replies: list[MessageRow] | None = None) -> Enquiry:
    body: Enquiry = {
        "id": lead.id,
        "lead_id": lead.id,
        "created_at": iso_utc(lead.created_at) or "",
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


def message(entry: MessageRow) -> Message:
    quotation: Quotation | None = None
    if entry.is_quotation:
        valid_until = entry.quote_valid_until
        quotation = {
            "price": money(entry.quote_price),
            "quantity": quantity_text(entry.quote_quantity),
            "unit": entry.quote_unit,
            "valid_until": valid_until.isoformat() if valid_until else None,
        }
    return {
        "id": entry.id,
        "lead_id": entry.lead_id,
        "from": str(entry.side),
        "text": entry.text,
        "quotation": quotation,
        "created_at": iso_utc(entry.created_at) or "",
    }


def created(lead_id: int, *, duplicate: bool = False) -> EnquiryCreated:
    body: EnquiryCreated = {"id": lead_id, "lead_id": lead_id}
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


class RequirementFacts(TypedDict):
    """What the buyer and the matched suppliers alike see of a requirement."""

    id: int
    product_name: str
    description: str
    category: Annotated[str | None, Field(description="a category slug")]
    quantity: Annotated[str, Field(description='a decimal string, e.g. "500" or "2.5"')]
    unit: str
    budget: Annotated[str | None, Field(description="rupees")]
    city: str
    state: str
    status: _words(
        ("open", "closed", "expired", "full"), "full: as many suppliers unlocked it as it allows"
    )
    unlocks: int
    created_at: Time
    expires_at: Time


class Requirement(RequirementFacts):
    """A buy requirement as the buyer who posted it sees it."""

    matched_suppliers: int
    matching: _words(
        ("done", "waiting"),
        "waiting: search was down when it was posted; it is matched, and the suppliers told, "
        "as soon as search is back",
    )
    unlocked_by: list[SupplierCard]


class BuyLeadContact(TypedDict):
    """Masked (Ra***h, r***@gmail.com, +91 98XXXXXX10) until unlocked."""

    name: str
    email: str | None
    phone: str | None


class BuyLead(RequirementFacts):
    """A requirement in a matched supplier's feed."""

    unlocked: bool
    lead_id: int | None
    why_shown: Annotated[
        str, Field(description='why it is in my list: "Pune, Air Compressors, above ₹50,000"')
    ]
    buyer: Annotated[
        BuyLeadContact,
        Field(description="masked (Ra***h, r***@gmail.com, +91 98XXXXXX10) until unlocked"),
    ]


def _requirement(requirement: BuyRequirement) -> RequirementFacts:
    return {
        "id": requirement.id,
        "product_name": requirement.product_name,
        "description": requirement.description,
        "category": requirement.category.slug if requirement.category else None,
        "quantity": quantity_text(requirement.quantity) or "",
        "unit": requirement.unit,
        "budget": money(requirement.budget),
        "city": requirement.city,
        "state": requirement.state,
        "status": requirement_status(requirement),
        "unlocks": requirement.unlocks,
        "created_at": iso_utc(requirement.created_at) or "",
        "expires_at": iso_utc(requirement.expires_at) or "",
    }


def requirement_for_buyer(
    requirement: BuyRequirement, unlocked_by: list[SupplierProfile]
) -> Requirement:
    return {
        **_requirement(requirement),
        "matched_suppliers": requirement.matched,
        "matching": "waiting" if requirement.matched_at is None else "done",
        "unlocked_by": [supplier_public(profile) for profile in unlocked_by],
    }


def buylead_for_supplier(
    requirement: BuyRequirement, lead: LeadRow | None, why_shown: str = ""
) -> BuyLead:
    """A BuyLead in a matched supplier's feed: the buyer masked until this supplier unlocks it
    (their name, email and phone, and any contact typed into the requirement's words), then the
    full contact and the lead it became; `why_shown` says which of its preferences it met."""
    buyer = requirement.buyer
    contact: BuyLeadContact
    if buyer is None:
        contact = {"name": "Deleted account", "email": None, "phone": None}
    elif lead is not None:
        contact = {"name": buyer.name, "email": buyer.email, "phone": buyer.phone}
    else:
        contact = {
            "name": mask_name(buyer.name) or "",
            "email": mask_email(buyer.email),
            "phone": mask_phone(buyer.phone),
        }
    facts = _requirement(requirement)
    if lead is None:  # the contact typed into the words is hidden too, until unlocked
        facts = {**facts, **masked_words(requirement)}
    return {
        **facts,
        "unlocked": lead is not None,
        "lead_id": lead.id if lead else None,
        "why_shown": why_shown,
        "buyer": contact,
    }
