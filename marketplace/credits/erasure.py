"""The credits domain's eraser. Tax invoices and credit notes are statutory records (CGST Act
s.36): they are copied into the privacy archive with their retention date and never modified;
the ledger holds no personal data, and orders none once their GSTIN is cleared. An order that
may still be paid, or refunded, holds the erasure back until it settles."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select, update

from marketplace.credits.models import RETENTION_PURGE, CreditOrder, Invoice, OrderStatus
from marketplace.extensions import db
from marketplace.formatting import iso_utc
from marketplace.privacy.erasure import ArchiveItem, Eraser, Subject, register

# An unpaid order can still be captured by the gateway for a day; a paid one can be refunded
# (a duplicate payment, a complaint) for a week.
PAYMENT_WINDOW = timedelta(days=1)
REFUND_WINDOW = timedelta(days=7)


def _holds(subject: Subject) -> list[str]:
    if subject.supplier_id is None:
        return []
    reasons = []
    for order in db.session.scalars(
        select(CreditOrder).where(CreditOrder.supplier_id == subject.supplier_id)
    ):
        if order.status in (OrderStatus.CREATED, OrderStatus.FAILED) and (
            order.created_at > subject.now - PAYMENT_WINDOW
        ):
            reasons.append(f"order #{order.id} is unpaid and may still be paid")
        elif (
            order.status == OrderStatus.PAID
            and order.paid_at is not None
            and (order.paid_at > subject.now - REFUND_WINDOW)
        ):
            reasons.append(f"order #{order.id} can still be refunded")
    return reasons


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return iso_utc(value) if hasattr(value, "tzinfo") else value.isoformat()
    return str(value) if hasattr(value, "value") else value


def _archive(subject: Subject) -> list[ArchiveItem]:
    if subject.supplier_id is None:
        return []
    rows = db.session.scalars(
        select(Invoice).where(Invoice.supplier_id == subject.supplier_id).order_by(Invoice.id)
    )
    items = []
    for invoice in rows:
        data = {
            column.key: _plain(getattr(invoice, column.key))
            for column in inspect(Invoice).column_attrs
        }
        items.append(
            ArchiveItem("tax_invoice", f"invoice:{invoice.number}", data, invoice.issued_at)
        )
    return items


def _erase(subject: Subject) -> list[str]:
    if subject.supplier_id is None:
        return []
    db.session.execute(
        update(CreditOrder)
        .where(CreditOrder.supplier_id == subject.supplier_id)
        .values(recipient_gstin=None)
    )
    return [
        "tax invoices kept unchanged (statutory); the GSTIN cleared from orders; the credit "
        "ledger holds no personal data"
    ]


def _purge(references: list[str]) -> int:
    """Delete the original invoices and credit notes whose archive copies reached their
    retain_until: credit notes first, and never an invoice that a kept credit note cites."""
    numbers = [ref.removeprefix("invoice:") for ref in references if ref.startswith("invoice:")]
    if not numbers:
        return 0
    rows = db.session.scalars(select(Invoice).where(Invoice.number.in_(numbers))).all()
    going = {row.id for row in rows}
    cited = set(
        db.session.scalars(
            select(Invoice.original_invoice_id).where(
                Invoice.original_invoice_id.in_(going), Invoice.id.not_in(going)
            )
        )
    )
    db.session.info[RETENTION_PURGE] = True
    try:
        removed = 0
        for row in sorted(rows, key=lambda row: row.original_invoice_id is None):
            if row.id not in cited:
                db.session.delete(row)
                removed += 1
        db.session.flush()
    finally:
        db.session.info.pop(RETENTION_PURGE, None)
    return removed


register(Eraser("credits", holds=_holds, archive=_archive, erase=_erase, purge=_purge, order=30))
