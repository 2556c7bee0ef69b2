"""Credits, credit packs, orders, invoices and the payment gateways' webhooks over JSON."""

from __future__ import annotations

from flask import request

from marketplace.accounts.models import Role
from marketplace.accounts.policy import Scope
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.credits import invoices as documents
from marketplace.credits import ledger, payments, policy, queries, schemas
from marketplace.credits import orders as pack_orders
from marketplace.credits.inputs import OrderIn
from marketplace.credits.plans import packs
from marketplace.fields import Page, PageQuery
from marketplace.openapi import Header, Reply, json_body, operation

_PDF = Reply(
    {"type": "string", "format": "binary"}, "The document as a PDF", media="application/pdf"
)
# The gateway's event, read by the gateway's own code after its signature is checked over the
# exact bytes: a model here would read (and could refuse) what the signature vouches for.
_PAYMENT_EVENT = Reply(
    {
        "type": "object",
        "description": "an event in Razorpay's webhook shape: "
        '{"event": "payment.captured", "payload": {"payment": {"entity": '
        '{"id", "order_id", "amount", "currency", ...}}}}',
    }
)
_CALLBACK_NOTE = (
    "No bearer token: the signature authenticates it. An unsigned or forged callback is a 400 "
    "and grants nothing; a repeated delivery of a captured payment grants once. Only the "
    "gateway in use (PAYMENT_GATEWAY) is listened to: another is a 404."
)


@bp.get("/credits")
@authenticated(Role.SUPPLIER, scope=Scope.CREDITS_READ)
@operation(
    "My credit balance, plan and ledger (supplier); page and per_page page the ledger",
    tag="credits",
    query=PageQuery,
    responses={200: schemas.Credits},
)
def credits(query: PageQuery):  # type: ignore[no-untyped-def]
    supplier = policy.supplier_of(current_api_user())
    rows, total = queries.ledger(supplier.id, page=query.page, per_page=query.per_page)
    summary = ledger.summary(supplier.id)
    return schemas.credits(summary, rows, total, query.page, query.per_page)


@bp.get("/credit-packs")
@operation(
    "The credit packs on sale (prices exclude GST, 18%)",
    tag="credits",
    responses={200: list[schemas.CreditPack]},
)
def credit_packs():  # type: ignore[no-untyped-def]
    return [schemas.pack(pack) for pack in packs()]


@bp.post("/orders")
@authenticated(Role.SUPPLIER, person=True)
@operation(
    "Order a credit pack (supplier; not an integration key): priced with GST for my state, "
    "registered with the payment gateway; pay at checkout.url",
    tag="credits",
    body=OrderIn,
    responses={201: Reply(schemas.Order, "Ordered")},
    problems=(503,),
)
def create_order(body: OrderIn):  # type: ignore[no-untyped-def]
    order, checkout = pack_orders.create_order(current_api_user(), body)
    return schemas.order(order, checkout), 201


@bp.get("/orders")
@authenticated(Role.SUPPLIER, scope=Scope.CREDITS_READ)
@operation(
    "My credit-pack orders, newest first",
    tag="credits",
    query=PageQuery,
    responses={200: Page[schemas.Order]},
)
def orders(query: PageQuery):  # type: ignore[no-untyped-def]
    page, per_page = query.page, query.per_page
    rows, total = queries.supplier_orders(current_api_user(), page=page, per_page=per_page)
    invoices = queries.invoices_of(rows)
    items = [
        schemas.order(row, pack_orders.checkout_for(row), invoices.get(row.id)) for row in rows
    ]
    return query.answer(items, total)


@bp.get("/orders/<int:order_id>")
@authenticated(Role.SUPPLIER, scope=Scope.CREDITS_READ)
@operation("One of my orders", tag="credits", responses={200: schemas.Order}, problems=(404,))
def order(order_id: int):  # type: ignore[no-untyped-def]
    row = queries.supplier_order(current_api_user(), order_id)
    return schemas.order(row, pack_orders.checkout_for(row), queries.invoice_of(row))


@bp.get("/invoices")
@authenticated(Role.SUPPLIER, scope=Scope.CREDITS_READ)
@operation(
    "My tax invoices and credit notes, newest first",
    tag="credits",
    query=PageQuery,
    responses={200: Page[schemas.Invoice]},
)
def invoices(query: PageQuery):  # type: ignore[no-untyped-def]
    page, per_page = query.page, query.per_page
    rows, total = queries.supplier_invoices(current_api_user(), page=page, per_page=per_page)
    items = [schemas.invoice(row) for row in rows]
    return query.answer(items, total)


@bp.get("/invoices/<int:invoice_id>")
@authenticated(Role.SUPPLIER, Role.ADMIN, scope=Scope.CREDITS_READ)
@operation(
    "A tax invoice or credit note (its supplier, or an admin)",
    tag="credits",
    responses={200: schemas.Invoice},
    problems=(404,),
)
def invoice(invoice_id: int):  # type: ignore[no-untyped-def]
    return schemas.invoice(queries.visible_invoice(current_api_user(), invoice_id))


@bp.get("/invoices/<int:invoice_id>.pdf")
@authenticated(Role.SUPPLIER, Role.ADMIN, scope=Scope.CREDITS_READ)
@operation(
    "A tax invoice or credit note as a PDF (its supplier, or an admin)",
    tag="credits",
    responses={200: _PDF},
    problems=(404,),
)
def invoice_pdf(invoice_id: int):  # type: ignore[no-untyped-def]
    return documents.pdf_response(queries.visible_invoice(current_api_user(), invoice_id))


def _callback(gateway: str) -> schemas.PaymentCallbackResult:
    """A gateway's signed callback. The body is read as JSON first (a malformed one is a 400
    like anywhere in the API), then its exact bytes are checked against the signature."""
    json_body()
    result = payments.receive_callback(gateway, request.get_data(), request.headers)
    return {
        "result": result.result,
        "order_id": result.order.id if result.order else None,
        "invoice": result.invoice.number if result.invoice else None,
    }


@bp.post("/payments/sandbox/webhook")
@operation(
    "The sandbox gateway's signed callback: X-Sandbox-Signature, the hex HMAC-SHA256 of the "
    "exact body with the sandbox's key (derived from SECRET_KEY)",
    tag="payments",
    description=_CALLBACK_NOTE,
    takes=_PAYMENT_EVENT,
    headers=(
        Header(
            "X-Sandbox-Signature",
            "hex HMAC-SHA256 of the exact body with the sandbox's key (derived from SECRET_KEY)",
        ),
    ),
    responses={200: schemas.PaymentCallbackResult},
    problems=(404,),
)
def sandbox_webhook():  # type: ignore[no-untyped-def]
    return _callback("sandbox")


@bp.post("/payments/razorpay/webhook")
@operation(
    "Razorpay's signed callback: X-Razorpay-Signature, the hex HMAC-SHA256 of the exact body "
    "with RAZORPAY_WEBHOOK_SECRET",
    tag="payments",
    description=_CALLBACK_NOTE,
    takes=_PAYMENT_EVENT,
    headers=(
        Header(
            "X-Razorpay-Signature",
            "hex HMAC-SHA256 of the exact body with RAZORPAY_WEBHOOK_SECRET",
        ),
    ),
    responses={200: schemas.PaymentCallbackResult},
    problems=(404,),
)
def razorpay_webhook():  # type: ignore[no-untyped-def]
    return _callback("razorpay")
