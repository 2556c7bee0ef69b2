"""What the supplier (and an admin) sees of credits, orders and invoices, as JSON: one TypedDict
per answer, which also writes its part of the served OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal, NotRequired

from flask import url_for
from pydantic import Field, PlainSerializer, WithJsonSchema
from typing_extensions import TypedDict

from marketplace.credits.ledger import Summary
from marketplace.credits.models import CreditEntry as CreditEntryRow
from marketplace.credits.models import CreditKind, CreditOrder, InvoiceKind, OrderStatus
from marketplace.credits.models import Invoice as InvoiceRow
from marketplace.credits.plans import Pack
from marketplace.fields import MaybeTimestamp, Rupees, Timestamp


def _one_of(values: Iterable[Any], description: str = "") -> Any:
    """A word from a fixed set (an enum's values), sent as the string it is."""
    schema: dict[str, Any] = {"type": "string", "enum": [str(value) for value in values]}
    if description:
        schema["description"] = description
    return Annotated[str, WithJsonSchema(schema)]


def _money(description: str) -> Any:
    return Annotated[Rupees, WithJsonSchema({"type": "string", "description": description})]


# A GST rate as the invoice prints it: "9.00" per cent.
Percent = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "description": 'per cent, e.g. "9.00"'}),
]


class CreditEntry(TypedDict):
    """One line of the credit ledger."""

    id: int
    delta: Annotated[int, Field(description="+ a grant, - a debit")]
    kind: _one_of(CreditKind)
    reason: str
    reference: Annotated[str, Field(description="e.g. buylead:12, order:7")]
    created_at: Timestamp
    expires_at: Annotated[
        MaybeTimestamp,
        Field(
            description="a weekly allocation's end (and, on a debit, the end of the credits it "
            "used); null: never"
        ),
    ]


class Expiring(TypedDict):
    """Allocated credits that expire at the end of this week."""

    credits: int
    at: MaybeTimestamp


class Credits(TypedDict):
    """The supplier's balance, plan and a page of its ledger."""

    balance: Annotated[int, Field(ge=0)]
    plan: Annotated[str, Field(description="the plan's id, e.g. silver")]
    plan_name: str
    weekly_allocation: Annotated[int, Field(description="credits every Monday")]
    expiring: Annotated[
        Expiring, Field(description="allocated credits that expire at the end of this week")
    ]
    ledger: Annotated[list[CreditEntry], Field(description="newest first, a page at a time")]
    ledger_total: int
    page: int
    per_page: int


class CreditPack(TypedDict):
    id: Annotated[str, Field(description="e.g. credits-50")]
    credits: int
    price: _money("rupees, GST excluded")


class Checkout(TypedDict):
    """How to pay: open url in the signed-in browser; for Razorpay also what its Checkout SDKs
    take."""

    url: str
    key_id: NotRequired[str]
    order_id: NotRequired[str | None]
    amount: NotRequired[Annotated[int, Field(description="paise")]]
    currency: NotRequired[Literal["INR"]]


class Order(TypedDict):
    """An order for a credit pack, priced with GST for the supplier's state."""

    id: int
    status: _one_of(OrderStatus)
    pack: str
    credits: int
    taxable_value: _money('rupees, e.g. "1178.82"')
    cgst: _money("rupees: 9% in the portal's state, else 0.00")
    sgst: _money("rupees: 9% in the portal's state, else 0.00")
    igst: _money("rupees: 18% from another state, else 0.00")
    total: _money('rupees, e.g. "1178.82"')
    gateway: _one_of(("sandbox", "razorpay"))
    checkout: Annotated[Checkout | None, Field(description="how to pay; null once paid")]
    invoice_id: int | None
    created_at: Timestamp
    paid_at: MaybeTimestamp
    refunded_at: MaybeTimestamp
    refund_amount: Annotated[
        Rupees | None,
        WithJsonSchema(
            {
                "type": ["string", "null"],
                "description": "rupees returned: what the unspent credits were worth; null "
                "unless refunded",
            }
        ),
    ]


class Party(TypedDict):
    name: str
    gstin: str
    address: str
    state: str
    state_code: Annotated[str, Field(description="the GST state code, e.g. 27")]


class PlaceOfSupply(TypedDict):
    state: str
    state_code: str


class Invoice(TypedDict):
    """A tax invoice or a credit note."""

    id: int
    kind: _one_of(InvoiceKind)
    number: Annotated[str, Field(max_length=16, description="e.g. TS/26-27/000123")]
    financial_year: Annotated[str, Field(description="e.g. 2026-27")]
    issued_at: Timestamp
    order_id: int
    original_invoice: Annotated[str | None, Field(description="a credit note's invoice")]
    reason: str | None
    seller: Party
    recipient: Party
    place_of_supply: PlaceOfSupply
    reverse_charge: bool
    sac: str
    description: str
    credits: int
    taxable_value: Rupees
    cgst_rate: Percent
    cgst: Rupees
    sgst_rate: Percent
    sgst: Rupees
    igst_rate: Percent
    igst: Rupees
    total: Rupees
    html_url: str
    pdf_url: str


class PaymentCallbackResult(TypedDict):
    result: _one_of(
        ("granted", "already_granted", "payment_failed", "ignored"),
        "already_granted: a repeated delivery, nothing granted again",
    )
    order_id: int | None
    invoice: Annotated[str | None, Field(description="the tax invoice's number")]


def entry(row: CreditEntryRow) -> CreditEntry:
    return {
        "id": row.id,
        "delta": row.delta,
        "kind": str(row.kind),
        "reason": row.reason,
        "reference": row.reference,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
    }


def credits(
    summary: Summary, rows: list[CreditEntryRow], total: int, page: int, per_page: int
) -> Credits:
    return {
        "balance": summary.balance,
        "plan": summary.plan.id,
        "plan_name": summary.plan.name,
        "weekly_allocation": summary.plan.weekly_credits,
        "expiring": {"credits": summary.expiring, "at": summary.expires_at},
        "ledger": [entry(row) for row in rows],
        "ledger_total": total,
        "page": page,
        "per_page": per_page,
    }


def pack(item: Pack) -> CreditPack:
    return {"id": item.id, "credits": item.credits, "price": item.price}


def order(
    row: CreditOrder, checkout: dict[str, Any] | None = None, invoice: InvoiceRow | None = None
) -> Order:
    return {
        "id": row.id,
        "status": str(row.status),
        "pack": row.pack_id,
        "credits": row.credits,
        "taxable_value": row.taxable_value,
        "cgst": row.cgst,
        "sgst": row.sgst,
        "igst": row.igst,
        "total": row.total,
        "gateway": row.gateway,
        "checkout": checkout,  # type: ignore[typeddict-item]  (a gateway's own dict)
        "invoice_id": invoice.id if invoice else None,
        "created_at": row.created_at,
        "paid_at": row.paid_at,
        "refunded_at": row.refunded_at,
        "refund_amount": row.refund_amount,
    }


def _party(name: str, gstin: str, address: str, state: str, code: str) -> Party:
    return {"name": name, "gstin": gstin, "address": address, "state": state, "state_code": code}


def invoice(row: InvoiceRow) -> Invoice:
    return {
        "id": row.id,
        "kind": str(row.kind),
        "number": row.number,
        "financial_year": row.financial_year,
        "issued_at": row.issued_at,
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
        "taxable_value": row.taxable_value,
        "cgst_rate": row.cgst_rate,
        "cgst": row.cgst,
        "sgst_rate": row.sgst_rate,
        "sgst": row.sgst,
        "igst_rate": row.igst_rate,
        "igst": row.igst,
        "total": row.total,
        "html_url": url_for("credits.invoice_page", invoice_id=row.id, _external=True),
        "pdf_url": url_for("api.invoice_pdf", invoice_id=row.id, _external=True),
    }
