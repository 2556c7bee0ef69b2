"""What credits pages and the API read: a supplier's ledger, orders and invoices (always scoped
to the caller's business through the policy), and every order for the admins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.credits import invoices, policy
from marketplace.credits.ledger import summary
from marketplace.credits.models import CreditEntry, CreditOrder, Invoice, InvoiceKind, OrderStatus
from marketplace.credits.plans import packs, plans
from marketplace.db import get_owned, paginate
from marketplace.errors import NotFound
from marketplace.extensions import db


def page_of(query: Select[Any], *order_by: Any, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of a query, newest first by `order_by`, and how many rows it has in all."""
    return paginate(
        query.order_by(*(column.desc() for column in order_by)), page=page, per_page=per_page
    )


def ledger(supplier_id: int, *, page: int, per_page: int) -> tuple[list[CreditEntry], int]:
    return page_of(
        select(CreditEntry).where(CreditEntry.supplier_id == supplier_id),
        CreditEntry.created_at,
        CreditEntry.id,
        page=page,
        per_page=per_page,
    )


def overview(user: User, *, page: int, per_page: int) -> dict[str, Any]:
    """Everything the supplier's credits page shows: balance, plan, a page of the ledger, the
    packs priced for its state, and its latest orders and invoices."""
    supplier = policy.supplier_of(user)
    rows, total = ledger(supplier.id, page=page, per_page=per_page)
    orders, _count = supplier_orders(user, page=1, per_page=10)
    documents, _count = supplier_invoices(user, page=1, per_page=10)
    return {
        "supplier": supplier,
        "summary": summary(supplier.id),
        "plans": plans(),
        "ledger": rows,
        "total": total,
        "page": page,
        "per_page": per_page,
        "packs": [(pack, invoices.tax_split(pack.price, supplier.gstin)) for pack in packs()],
        "orders": orders,
        "invoices": documents,
        "portal_state": invoices.portal_state().name,
    }


def supplier_order(user: User, order_id: int) -> CreditOrder:
    supplier = policy.supplier_of(user)
    return get_owned(CreditOrder, order_id, CreditOrder.supplier_id == supplier.id)


def supplier_orders(user: User, *, page: int, per_page: int) -> tuple[list[CreditOrder], int]:
    supplier = policy.supplier_of(user)
    return page_of(
        select(CreditOrder).where(CreditOrder.supplier_id == supplier.id),
        CreditOrder.created_at,
        CreditOrder.id,
        page=page,
        per_page=per_page,
    )


def all_orders(*, status: str | None, page: int, per_page: int) -> tuple[list[CreditOrder], int]:
    """Every supplier's orders, for admins, each with its supplier (the page names them)."""
    query = select(CreditOrder).options(joinedload(CreditOrder.supplier))
    if status in {str(s) for s in OrderStatus}:
        query = query.where(CreditOrder.status == status)
    return page_of(query, CreditOrder.created_at, CreditOrder.id, page=page, per_page=per_page)


def invoice_of(order: CreditOrder) -> Invoice | None:
    """An order's tax invoice (its credit note, if refunded, is another document)."""
    return db.session.scalar(
        select(Invoice).where(Invoice.order_id == order.id, Invoice.kind == InvoiceKind.INVOICE)
    )


def invoices_of(orders: Sequence[CreditOrder]) -> dict[int, Invoice]:
    """The tax invoice of each order that has one, by order id: one query for a page."""
    if not orders:
        return {}
    rows = db.session.scalars(
        select(Invoice).where(
            Invoice.order_id.in_([order.id for order in orders]),
            Invoice.kind == InvoiceKind.INVOICE,
        )
    )
    return {row.order_id: row for row in rows}


def visible_invoice(user: User, invoice_id: int) -> Invoice:
    """An invoice of the caller's business, or any for an admin; anyone else's is not found."""
    if policy.sees_every_invoice(user):
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound(_("No such invoice."))
        return invoice
    supplier = policy.supplier_of(user)
    return get_owned(Invoice, invoice_id, Invoice.supplier_id == supplier.id)


def supplier_invoices(user: User, *, page: int, per_page: int) -> tuple[list[Invoice], int]:
    supplier = policy.supplier_of(user)
    return page_of(
        select(Invoice).where(Invoice.supplier_id == supplier.id),
        Invoice.issued_at,
        Invoice.id,
        page=page,
        per_page=per_page,
    )
