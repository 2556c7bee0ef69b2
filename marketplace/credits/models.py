"""Credits: a supplier's ledger, its credit-pack orders, and the tax invoices that record them.

The ledger is append-only. Every grant is a "lot" (a positive row); every debit draws on one lot
and carries that lot's expiry, so the balance is one sum: the rows whose `expires_at` is unset or
still ahead. When a week's allocation expires, it leaves the sum together with every debit drawn
on it, and what was left of it is gone; purchased and goodwill credits never expire.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from marketplace.accounts.models import SupplierProfile
from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db

MONEY = Numeric(12, 2)


class CreditKind(enum.StrEnum):
    ALLOCATION = "allocation"  # the plan's weekly credits: expire at the end of their week
    PURCHASE = "purchase"  # a paid credit pack: never expires
    GOODWILL = "goodwill"  # granted by an operator (flask credits grant): never expires
    UNLOCK = "unlock"  # a debit: one credit spent on a buy lead
    REFUND = "refund"  # a debit: a refunded order's unspent credits taken back
    EXPIRY = "expiry"  # a record of what was left of an allocation when its week ended
    RETURNED = "returned"  # a credit given back for a BuyLead upheld as bad: never expires


GRANTS = (CreditKind.ALLOCATION, CreditKind.PURCHASE, CreditKind.GOODWILL, CreditKind.RETURNED)


class CreditAccount(db.Model):
    """One row per supplier: its plan, and the row every debit and grant locks first (an UPDATE,
    which queues concurrent writers on PostgreSQL and SQLite alike), so a balance checked under
    it cannot be spent twice."""

    __tablename__ = "credit_accounts"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"), primary_key=True)
    plan: Mapped[str] = mapped_column(String(32))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditEntry(db.Model):
    __tablename__ = "credit_entries"
    __table_args__ = (
        # Idempotency: one entry per supplier and reference ("buylead:12", "order:7", ...), and
        # one weekly allocation per supplier and week, however often the task runs.
        UniqueConstraint("supplier_id", "reference", name="uq_credit_entries_reference"),
        UniqueConstraint("supplier_id", "week", name="uq_credit_entries_week"),
        Index("ix_credit_entries_supplier_expiry", "supplier_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"))
    delta: Mapped[int]  # + a grant (a lot), - a debit
    kind: Mapped[CreditKind] = mapped_column(string_enum(CreditKind, 16))
    reason: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(64))
    # A debit's lot: the grant it draws on (None on a grant).
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id"), index=True)
    # A grant's expiry, and on a debit its lot's: the row counts until then (None: for ever).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    week: Mapped[date | None] = mapped_column(Date)  # an allocation's Monday, in India
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderStatus(enum.StrEnum):
    CREATED = "created"  # waiting for the payment
    PAID = "paid"  # captured: credits granted, invoice issued
    FAILED = "failed"  # the last attempt failed; a later one may still pay it
    REFUNDED = "refunded"  # money returned, unspent credits taken back, credit note issued


class CreditOrder(db.Model):
    """A credit pack bought by a supplier, priced and taxed when it was ordered."""

    __tablename__ = "credit_orders"
    __table_args__ = (
        UniqueConstraint("gateway", "gateway_order_id", name="uq_credit_orders_gateway_order"),
        UniqueConstraint("gateway", "payment_id", name="uq_credit_orders_payment"),
        Index("ix_credit_orders_supplier_created", "supplier_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"))
    pack_id: Mapped[str] = mapped_column(String(32))
    credits: Mapped[int]
    # The registration the order was priced for, and so its place of supply (IGST Act s.12(2)):
    # the invoice states and charges these, even if the supplier's GSTIN changes before it pays.
    # The GSTIN is cleared when the supplier is erased; the state code stays.
    recipient_gstin: Mapped[str | None] = mapped_column(String(15))
    place_of_supply_code: Mapped[str] = mapped_column(String(2))
    taxable_value: Mapped[Decimal] = mapped_column(MONEY)
    cgst: Mapped[Decimal] = mapped_column(MONEY)
    sgst: Mapped[Decimal] = mapped_column(MONEY)
    igst: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    gateway: Mapped[str] = mapped_column(String(16))
    gateway_order_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[OrderStatus] = mapped_column(
        string_enum(OrderStatus, 16), default=OrderStatus.CREATED, index=True
    )
    payment_id: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refund_id: Mapped[str | None] = mapped_column(String(64))
    refund_reason: Mapped[str | None] = mapped_column(String(300))
    # What the refund returned: the unspent credits' share of the total (credits spent stay paid).
    refund_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[SupplierProfile] = relationship()

    @property
    def paise(self) -> int:
        """What the gateway charges: the total in paise."""
        return int(self.total * 100)

    @property
    def refund_paise(self) -> int:
        """What the gateway returns: the refund amount in paise."""
        return int((self.refund_amount or 0) * 100)


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"  # a tax invoice for a paid order
    CREDIT_NOTE = "credit_note"  # reverses an invoice when its order is refunded


class InvoiceSeries(db.Model):
    """The last serial number used in a series and financial year. Numbers are taken with an
    UPDATE of this row in the transaction that issues the invoice: concurrent payments queue
    on it, and a rolled-back payment gives its number back, so a series has no gaps."""

    __tablename__ = "invoice_series"

    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-27"
    last_serial: Mapped[int] = mapped_column(default=0)


class Invoice(db.Model):
    """A GST tax invoice or credit note: every party's details copied as they were when it was
    issued, and never changed afterwards (a flush guard refuses updates and deletes). A
    statutory record: kept 72 months (CGST Act s.36), so an erasure archives it."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("series", "financial_year", "serial"),
        UniqueConstraint("order_id", "kind"),
        Index("ix_invoices_supplier_issued", "supplier_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InvoiceKind] = mapped_column(string_enum(InvoiceKind, 16))
    number: Mapped[str] = mapped_column(String(16), unique=True)
    series: Mapped[str] = mapped_column(String(8))
    financial_year: Mapped[str] = mapped_column(String(7))
    serial: Mapped[int]
    order_id: Mapped[int] = mapped_column(ForeignKey("credit_orders.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"))
    original_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_gstin: Mapped[str] = mapped_column(String(15))
    seller_address: Mapped[str] = mapped_column(String(400))
    seller_state: Mapped[str] = mapped_column(String(64))
    seller_state_code: Mapped[str] = mapped_column(String(2))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_gstin: Mapped[str] = mapped_column(String(15))
    recipient_address: Mapped[str] = mapped_column(String(400))
    recipient_state: Mapped[str] = mapped_column(String(64))
    recipient_state_code: Mapped[str] = mapped_column(String(2))
    place_of_supply: Mapped[str] = mapped_column(String(64))
    place_of_supply_code: Mapped[str] = mapped_column(String(2))
    sac: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(200))
    credits: Mapped[int]
    taxable_value: Mapped[Decimal] = mapped_column(MONEY)
    cgst_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    cgst: Mapped[Decimal] = mapped_column(MONEY)
    sgst_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    sgst: Mapped[Decimal] = mapped_column(MONEY)
    igst_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    igst: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str | None] = mapped_column(String(300))  # a credit note's

    original: Mapped[Invoice | None] = relationship(remote_side=[id])

    @property
    def intra_state(self) -> bool:
        return self.igst == 0


class LedgerIsAppendOnly(RuntimeError):
    pass


class InvoiceIsImmutable(RuntimeError):
    pass


# Set in a session's info by the retention purge alone: it may delete invoices past retention.
RETENTION_PURGE = "invoice_retention_over"


@event.listens_for(Session, "before_flush")
def _refuse_rewrites(session: Session, flush_context: Any, instances: Any) -> None:
    """Issued invoices and ledger entries are records: never changed, never deleted (a refund
    is a credit note and a debit, not an edit)."""
    retention_over = session.info.get(RETENTION_PURGE, False)
    for obj in (*session.dirty, *session.deleted):
        changed = obj in session.deleted or session.is_modified(obj)
        if isinstance(obj, Invoice) and obj in session.deleted and retention_over:
            continue  # kept its 72 months: the privacy purge removes it
        if isinstance(obj, Invoice) and changed:
            raise InvoiceIsImmutable(f"invoice {obj.number} is issued and cannot change")
        if isinstance(obj, CreditEntry) and changed:
            raise LedgerIsAppendOnly("credit ledger entries cannot be changed or deleted")
