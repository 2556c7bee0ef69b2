"""Leads: a buyer's enquiry (or an unlocked buy requirement) for one supplier, its
conversation, and how it reaches the supplier's CRM (webhooks)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.models import Category, Product
from marketplace.db import EncryptedText, UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class LeadType(enum.StrEnum):
    ENQUIRY = "enquiry"  # a buyer asked this supplier directly
    BUYLEAD = "buylead"  # a buy requirement this supplier unlocked


class LeadStatus(enum.StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    QUOTED = "quoted"
    WON = "won"
    LOST = "lost"
    SPAM = "spam"


class LeadSource(enum.StrEnum):
    PRODUCT_PAGE = "product_page"
    STOREFRONT = "storefront"
    API = "api"
    GUEST = "guest"  # a visitor without an account, mobile confirmed by a one-time code
    BUY_REQUIREMENT = "buy_requirement"


class Lead(db.Model):
    __tablename__ = "leads"
    __table_args__ = (
        # The CRM pull and the lead manager read a supplier's leads in creation order.
        Index("ix_leads_supplier_created", "supplier_id", "created_at", "id"),
        Index("ix_leads_buyer_created", "buyer_id", "created_at"),
        # A supplier unlocks a buy requirement once: a second unlock is the same lead.
        UniqueConstraint("supplier_id", "requirement_id"),
        # The enquiries whose supplier is still to be told: the queue of new-enquiry notices.
        Index(
            "ix_leads_to_notify",
            "id",
            postgresql_where=text("supplier_notified_at IS NULL"),
            sqlite_where=text("supplier_notified_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"))
    # No cascade: erasing a buyer redacts the lead the supplier holds, it never vanishes.
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    type: Mapped[LeadType] = mapped_column(string_enum(LeadType, 16), default=LeadType.ENQUIRY)
    status: Mapped[LeadStatus] = mapped_column(string_enum(LeadStatus, 16), default=LeadStatus.NEW)
    source: Mapped[LeadSource] = mapped_column(string_enum(LeadSource, 24))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    # For a BuyLead: the buy requirement this supplier unlocked.
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("buy_requirements.id"))
    # What the buyer asked about, as it was named then: a listing may be renamed or deleted.
    product_name: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    unit: Mapped[str | None] = mapped_column(String(24))
    message: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str | None] = mapped_column(String(100))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    # The follow-up date a reminder was sent for: a reminder goes once per date.
    follow_up_reminded_on: Mapped[date | None] = mapped_column(Date)
    # When the supplier was mailed and texted about this enquiry. Empty means "to be told": the
    # lead is its own durable notice, written in the enquiry's transaction, and a periodic task
    # tells the supplier (once: it claims the lead first). A lead born in the spam folder, and a
    # BuyLead (the supplier unlocked it), are stamped at birth: nobody is told of them.
    supplier_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a notice that failed is tried again: a lead that cannot be told (a bug, bad data)
    # waits longer each time, instead of being tried, and logged, on every run.
    notice_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Unread state per side: the last time each side opened the lead, and the last time the
    # other side wrote.
    buyer_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    supplier_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supplier_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    buyer_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[SupplierProfile] = relationship()
    buyer: Mapped[User | None] = relationship()
    product: Mapped[Product | None] = relationship()
    requirement: Mapped[BuyRequirement | None] = relationship()
    notes: Mapped[list[LeadNote]] = relationship(
        back_populates="lead", order_by="LeadNote.id", cascade="all, delete-orphan"
    )


class LeadNote(db.Model):
    """The supplier's private notes on a lead; never shown to the buyer."""

    __tablename__ = "lead_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="notes")


class EnquiryGuard(db.Model):
    """One row per buyer and subject (a product, or a storefront): the row lock that makes
    "the same enquiry within 24 hours is the same lead" hold under concurrent submits."""

    __tablename__ = "enquiry_guards"

    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(40), primary_key=True)  # "product:12"
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    # The lead's own time, on this row: the 24 hours are decided inside the upsert, on the row.
    lead_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageSide(enum.StrEnum):
    BUYER = "buyer"
    SUPPLIER = "supplier"


class Message(db.Model):
    """One entry of a lead's conversation: text, or a quotation (price, quantity, validity)."""

    __tablename__ = "lead_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    side: Mapped[MessageSide] = mapped_column(string_enum(MessageSide, 16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    quote_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    quote_quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    quote_unit: Mapped[str | None] = mapped_column(String(24))
    quote_valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_quotation(self) -> bool:
        return self.quote_price is not None


class SupplierBlock(db.Model):
    """A buyer this supplier no longer wants to hear from: their enquiries land in spam."""

    __tablename__ = "supplier_blocks"
    __table_args__ = (UniqueConstraint("supplier_id", "buyer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuestEnquiry(db.Model):
    """A visitor's enquiry waiting for the one-time code sent to their mobile. Only a keyed
    digest of the code is stored; the contact details are encrypted."""

    __tablename__ = "guest_enquiries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the verification id
    name: Mapped[str] = mapped_column(EncryptedText)
    email: Mapped[str] = mapped_column(EncryptedText)
    phone: Mapped[str] = mapped_column(EncryptedText)
    phone_digest: Mapped[str] = mapped_column(String(64), index=True)
    enquiry: Mapped[dict[str, Any]] = mapped_column(JSON)  # the checked enquiry fields
    code_digest: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# --- buy requirements (BuyLeads) ----------------------------------------------------------


class BuyRequirement(db.Model):
    """What a buyer needs, matched to suppliers who unlock the buyer's contact with a credit."""

    __tablename__ = "buy_requirements"
    __table_args__ = (
        Index("ix_buy_requirements_buyer_created", "buyer_id", "created_at"),
        Index(
            "ix_buy_requirements_unmatched",
            "created_at",
            postgresql_where=text("matched_at IS NULL"),
            sqlite_where=text("matched_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # no cascade, as leads
    product_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(24))
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(64))
    # Unlocks so far; raised in the unlocking transaction under a condition on the cap, so the
    # cap holds under concurrent unlocks.
    unlocks: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    # When it was matched to suppliers; None while matching waits for search to come back.
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buyer: Mapped[User | None] = relationship()
    category: Mapped[Category | None] = relationship()


class RequirementMatch(db.Model):
    """A supplier a buy requirement was matched to: its BuyLead feed."""

    __tablename__ = "requirement_matches"
    __table_args__ = (
        UniqueConstraint("requirement_id", "supplier_id"),
        Index("ix_requirement_matches_supplier", "supplier_id", "requirement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("buy_requirements.id", ondelete="CASCADE")
    )
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"))
    rank: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requirement: Mapped[BuyRequirement] = relationship()


# --- webhooks --------------------------------------------------------------------------------


class WebhookEvent(enum.StrEnum):
    LEAD_CREATED = "lead.created"
    LEAD_UPDATED = "lead.updated"
    MESSAGE_CREATED = "message.created"


class Webhook(db.Model):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    format: Mapped[str] = mapped_column(String(16), default="native")
    secret: Mapped[str] = mapped_column(EncryptedText)  # needed to sign: encrypted, not hashed
    failures_in_a_row: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # the receiver answered 2xx: never sent again
    FAILED = "failed"  # out of attempts, the webhook was disabled, or the receiver said 410


class WebhookDelivery(db.Model):
    """One event for one webhook, written in the transaction that caused it: the durable
    outbox that the delivery task works from."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(36))  # the receiver's idempotency key
    body: Mapped[str] = mapped_column(Text)  # the exact bytes that are signed and sent
    status: Mapped[DeliveryStatus] = mapped_column(
        string_enum(DeliveryStatus, 16), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_duration_ms: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_id: Mapped[str | None] = mapped_column(String(64))  # of the request that caused it

    webhook: Mapped[Webhook] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.id", cascade="all, delete-orphan"
    )


class WebhookAttempt(db.Model):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None]
    duration_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(300))
