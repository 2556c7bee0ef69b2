"""What the supplier (and an admin) sees of credits, orders and invoices, as JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import url_for

from marketplace.credits.ledger import Summary
from marketplace.credits.models import CreditEntry, CreditOrder, Invoice
from marketplace.credits.plans import Pack
from marketplace.formatting import iso_utc


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def entry(row: CreditEntry) -> dict[str, Any]:
    return {
        "id": row.id,
        "delta": row.delta,
        "kind": str(row.kind),
        "reason": row.reason,
        "reference": row.reference,
        "created_at": iso_utc(row.created_at),
        "expires_at": iso_utc(row.expires_at),
    }


def credits(
    summary: Summary, rows: list[CreditEntry], total: int, page: int, per_page: int
) -> dict[str, Any]:
    return {
        "balance": summary.balance,
        "plan": summary.plan.id,
        "plan_name": summary.plan.name,
        "weekly_allocation": summary.plan.weekly_credits,
        "expiring": {"credits": summary.expiring, "at": iso_utc(summary.expires_at)},
        "ledger": [entry(row) for row in rows],
        "ledger_total": total,
        "page": page,
        "per_page": per_page,
    }


def pack(item: Pack) -> dict[str, Any]:
    return {"id": item.id, "credits": item.credits, "price": money(item.price)}


def order(
    row: CreditOrder, checkout: dict[str, Any] | None = None, invoice: Invoice | None = None
) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": str(row.status),
        "pack": row.pack_id,
        "credits": row.credits,
        "taxable_value": money(row.taxable_value),
        "cgst": money(row.cgst),
        "sgst": money(row.sgst),
        "igst": money(row.igst),
        "total": money(row.total),
        "gateway": row.gateway,
        "checkout": checkout,
        "invoice_id": invoice.id if invoice else None,
        "created_at": iso_utc(row.created_at),
        "paid_at": iso_utc(row.paid_at),
        "refunded_at": iso_utc(row.refunded_at),
    }


def _party(name: str, gstin: str, address: str, state: str, code: str) -> dict[str, str]:
    return {"name": name, "gstin": gstin, "address": address, "state": state, "state_code": code}


def invoice(row: Invoice) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": str(row.kind),
        "number": row.number,
        "financial_year": row.financial_year,
        "issued_at": iso_utc(row.issued_at),
        "order_id": row.order_id,
        "original_invoice": row.original.number if row.original else None,
        "reason": row.reason,
        "seller": _party(
            row.seller_name,
            row.seller_gstin,
            row.seller_address,
            row.seller_state,
            row.seller_state_code,
        ),
        "recipient": _party(
            row.recipient_name,
            row.recipient_gstin,
            row.recipient_address,
            row.recipient_state,
            row.recipient_state_code,
        ),
        "place_of_supply": {"state": row.place_of_supply, "state_code": row.place_of_supply_code},
        "reverse_charge": False,
        "sac": row.sac,
        "description": row.description,
        "credits": row.credits,
        "taxable_value": money(row.taxable_value),
        "cgst_rate": money(row.cgst_rate),
        "cgst": money(row.cgst),
        "sgst_rate": money(row.sgst_rate),
        "sgst": money(row.sgst),
        "igst_rate": money(row.igst_rate),
        "igst": money(row.igst),
        "total": money(row.total),
        "html_url": url_for("credits.invoice_page", invoice_id=row.id, _external=True),
        "pdf_url": url_for("api.invoice_pdf", invoice_id=row.id, _external=True),
    }
