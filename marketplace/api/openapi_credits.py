"""The served document's credits, credit packs, orders, invoices and payment webhooks (joined
into openapi.PATHS)."""

from __future__ import annotations

from typing import Any

from marketplace.api.openapi import (
    PAGE_PARAMETERS,
    PATHS,
    SCHEMAS,
    TIME,
    _json,
    _op,
    _page_of,
    _path_id,
    _ref,
)
from marketplace.credits.models import CreditKind, InvoiceKind, OrderStatus

_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_MONEY = {"type": "string", "description": 'rupees, e.g. "1178.82"'}
_PARTY = {
    "type": "object",
    "required": ["name", "gstin", "address", "state", "state_code"],
    "properties": {
        "name": {"type": "string"},
        "gstin": {"type": "string"},
        "address": {"type": "string"},
        "state": {"type": "string"},
        "state_code": {"type": "string", "description": "the GST state code, e.g. 27"},
    },
}

CREDIT_SCHEMAS: dict[str, Any] = {
    "CreditEntry": {
        "type": "object",
        "required": ["delta", "reason", "created_at", "expires_at"],
        "properties": {
            "id": {"type": "integer"},
            "delta": {"type": "integer", "description": "+ a grant, - a debit"},
            "kind": {"enum": [str(kind) for kind in CreditKind]},
            "reason": {"type": "string"},
            "reference": {"type": "string", "description": "e.g. buylead:12, order:7"},
            "created_at": TIME,
            "expires_at": {
                **_NULLABLE_TIME,
                "description": "a weekly allocation's end (and, on a debit, the end of the "
                "credits it used); null: never",
            },
        },
    },
    "Credits": {
        "type": "object",
        "required": ["balance", "plan", "weekly_allocation", "ledger"],
        "properties": {
            "balance": {"type": "integer", "minimum": 0},
            "plan": {"type": "string", "description": "the plan's id, e.g. silver"},
            "plan_name": {"type": "string"},
            "weekly_allocation": {"type": "integer", "description": "credits every Monday"},
            "expiring": {
                "type": "object",
                "description": "allocated credits that expire at the end of this week",
                "properties": {"credits": {"type": "integer"}, "at": _NULLABLE_TIME},
            },
            "ledger": {
                "type": "array",
                "items": _ref("CreditEntry"),
                "description": "newest first, a page at a time",
            },
            "ledger_total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    },
    "CreditPack": {
        "type": "object",
        "required": ["id", "credits", "price"],
        "properties": {
            "id": {"type": "string", "description": "e.g. credits-50"},
            "credits": {"type": "integer"},
            "price": {**_MONEY, "description": "rupees, GST excluded"},
        },
    },
    "Order": {
        "type": "object",
        "required": [
            "id",
            "status",
            "taxable_value",
            "cgst",
            "sgst",
            "igst",
            "total",
            "gateway",
            "checkout",
        ],
        "properties": {
            "id": {"type": "integer"},
            "status": {"enum": [str(status) for status in OrderStatus]},
            "pack": {"type": "string"},
            "credits": {"type": "integer"},
            "taxable_value": _MONEY,
            "cgst": {**_MONEY, "description": "9% in the portal's state, else 0.00"},
            "sgst": {**_MONEY, "description": "9% in the portal's state, else 0.00"},
            "igst": {**_MONEY, "description": "18% from another state, else 0.00"},
            "total": _MONEY,
            "gateway": {"enum": ["sandbox", "razorpay"]},
            "checkout": {
                "type": ["object", "null"],
                "description": "how to pay (null once paid): open url in the signed-in browser; "
                "for Razorpay also what its Checkout SDKs take",
                "properties": {
                    "url": {"type": "string"},
                    "key_id": {"type": "string"},
                    "order_id": {"type": ["string", "null"]},
                    "amount": {"type": "integer", "description": "paise"},
                    "currency": {"const": "INR"},
                },
            },
            "invoice_id": {"type": ["integer", "null"]},
            "created_at": TIME,
            "paid_at": _NULLABLE_TIME,
            "refunded_at": _NULLABLE_TIME,
        },
    },
    "Invoice": {
        "type": "object",
        "required": [
            "id",
            "kind",
            "number",
            "issued_at",
            "seller",
            "recipient",
            "place_of_supply",
            "sac",
            "taxable_value",
            "cgst",
            "sgst",
            "igst",
            "total",
        ],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": [str(kind) for kind in InvoiceKind]},
            "number": {"type": "string", "maxLength": 16, "description": "e.g. TS/26-27/000123"},
            "financial_year": {"type": "string", "description": "e.g. 2026-27"},
            "issued_at": TIME,
            "order_id": {"type": "integer"},
            "original_invoice": {
                "type": ["string", "null"],
                "description": "a credit note's invoice",
            },
            "reason": {"type": ["string", "null"]},
            "seller": _PARTY,
            "recipient": _PARTY,
            "place_of_supply": {
                "type": "object",
                "properties": {"state": {"type": "string"}, "state_code": {"type": "string"}},
            },
            "reverse_charge": {"type": "boolean"},
            "sac": {"type": "string"},
            "description": {"type": "string"},
            "credits": {"type": "integer"},
            "taxable_value": _MONEY,
            "cgst_rate": {"type": "string"},
            "cgst": _MONEY,
            "sgst_rate": {"type": "string"},
            "sgst": _MONEY,
            "igst_rate": {"type": "string"},
            "igst": _MONEY,
            "total": _MONEY,
            "html_url": {"type": "string"},
            "pdf_url": {"type": "string"},
        },
    },
    "PaymentCallbackResult": {
        "type": "object",
        "required": ["result"],
        "properties": {
            "result": {
                "enum": ["granted", "already_granted", "payment_failed", "ignored"],
                "description": "already_granted: a repeated delivery, nothing granted again",
            },
            "order_id": {"type": ["integer", "null"]},
            "invoice": {"type": ["string", "null"]},
        },
    },
}


def _webhook(gateway: str, header: str, signature: str) -> dict[str, Any]:
    return {
        "post": {
            **_op(
                f"The {gateway} gateway's signed callback (no bearer token: the signature "
                f"authenticates it). {header}: {signature}. An unsigned or forged callback is a "
                "400 and grants nothing; a repeated delivery of a captured payment grants once. "
                "Only the gateway in use (PAYMENT_GATEWAY) is listened to: another is a 404",
                tag="payments",
                auth=False,
                body={
                    "type": "object",
                    "description": "an event in Razorpay's webhook shape: "
                    '{"event": "payment.captured", "payload": {"payment": {"entity": '
                    '{"id", "order_id", "amount", "currency", ...}}}}',
                },
                ok=("200", _json(_ref("PaymentCallbackResult"))),
                problems=("404", "422"),
            ),
            "parameters": [
                {
                    "name": header,
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": signature,
                }
            ],
        }
    }


_PDF = {
    "description": "The document as a PDF",
    "content": {"application/pdf": {"schema": {"contentMediaType": "application/pdf"}}},
}

CREDIT_PATHS: dict[str, Any] = {
    "/credits": {
        "get": _op(
            "My credit balance, plan and ledger (supplier); page and per_page page the ledger",
            tag="credits",
            ok=("200", _json(_ref("Credits"))),
            problems=("403", "422"),
            parameters=PAGE_PARAMETERS,
        ),
    },
    "/credit-packs": {
        "get": _op(
            "The credit packs on sale (prices exclude GST, 18%)",
            tag="credits",
            auth=False,
            ok=("200", _json({"type": "array", "items": _ref("CreditPack")})),
        ),
    },
    "/orders": {
        "post": _op(
            "Order a credit pack (supplier; not an integration key): priced with GST for my "
            "state, registered with the payment gateway; pay at checkout.url",
            tag="credits",
            body={
                "type": "object",
                "required": ["pack"],
                "additionalProperties": False,
                "properties": {"pack": {"type": "string", "description": "a pack's id"}},
            },
            ok=("201", _json(_ref("Order"), "Ordered")),
            problems=("403", "422", "503"),
        ),
        "get": _op(
            "My credit-pack orders, newest first",
            tag="credits",
            ok=("200", _json(_page_of(_ref("Order")))),
            problems=("403", "422"),
            parameters=PAGE_PARAMETERS,
        ),
    },
    "/orders/{order_id}": {
        "get": _op(
            "One of my orders",
            tag="credits",
            ok=("200", _json(_ref("Order"))),
            problems=("403", "404"),
            parameters=[_path_id("order_id")],
        ),
    },
    "/invoices": {
        "get": _op(
            "My tax invoices and credit notes, newest first",
            tag="credits",
            ok=("200", _json(_page_of(_ref("Invoice")))),
            problems=("403", "422"),
            parameters=PAGE_PARAMETERS,
        ),
    },
    # Before /invoices/{invoice_id}, which a test's path matching would also take for a .pdf.
    "/invoices/{invoice_id}.pdf": {
        "get": _op(
            "A tax invoice or credit note as a PDF (its supplier, or an admin)",
            tag="credits",
            ok=("200", _PDF),
            problems=("403", "404"),
            parameters=[_path_id("invoice_id")],
        ),
    },
    "/invoices/{invoice_id}": {
        "get": _op(
            "A tax invoice or credit note (its supplier, or an admin)",
            tag="credits",
            ok=("200", _json(_ref("Invoice"))),
            problems=("403", "404"),
            parameters=[_path_id("invoice_id")],
        ),
    },
    "/payments/sandbox/webhook": _webhook(
        "sandbox",
        "X-Sandbox-Signature",
        "hex HMAC-SHA256 of the exact body with the sandbox's key (derived from SECRET_KEY)",
    ),
    "/payments/razorpay/webhook": _webhook(
        "Razorpay",
        "X-Razorpay-Signature",
        "hex HMAC-SHA256 of the exact body with RAZORPAY_WEBHOOK_SECRET",
    ),
}

SCHEMAS.update(CREDIT_SCHEMAS)
PATHS.update(CREDIT_PATHS)
