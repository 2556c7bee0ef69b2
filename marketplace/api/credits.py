"""Credits, credit packs, orders, invoices and the payment gateways' webhooks over JSON."""

from __future__ import annotations

from flask import jsonify, request

from marketplace.accounts.models import Role
from marketplace.api import authenticated, bp, current_api_user, json_body, page_body, pagination
from marketplace.credits import invoices as documents
from marketplace.credits import ledger, payments, policy, queries, schemas
from marketplace.credits import orders as pack_orders
from marketplace.credits.plans import packs


@bp.get("/credits")
@authenticated(Role.SUPPLIER)
def credits():  # type: ignore[no-untyped-def]
    supplier = policy.supplier_of(current_api_user())
    page, per_page = pagination()
    rows, total = queries.ledger(supplier.id, page=page, per_page=per_page)
    return jsonify(schemas.credits(ledger.summary(supplier.id), rows, total, page, per_page))


@bp.get("/credit-packs")
def credit_packs():  # type: ignore[no-untyped-def]
    return jsonify([schemas.pack(pack) for pack in packs()])


@bp.post("/orders")
@authenticated(Role.SUPPLIER)
def create_order():  # type: ignore[no-untyped-def]
    order, checkout = pack_orders.create_order(current_api_user(), json_body())
    return jsonify(schemas.order(order, checkout)), 201


@bp.get("/orders")
@authenticated(Role.SUPPLIER)
def orders():  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    rows, total = queries.supplier_orders(current_api_user(), page=page, per_page=per_page)
    invoices = queries.invoices_of(rows)
    items = [
        schemas.order(row, pack_orders.checkout_for(row), invoices.get(row.id)) for row in rows
    ]
    return jsonify(page_body(items, total, page, per_page))


@bp.get("/orders/<int:order_id>")
@authenticated(Role.SUPPLIER)
def order(order_id: int):  # type: ignore[no-untyped-def]
    row = queries.supplier_order(current_api_user(), order_id)
    return jsonify(schemas.order(row, pack_orders.checkout_for(row), queries.invoice_of(row)))


@bp.get("/invoices")
@authenticated(Role.SUPPLIER)
def invoices():  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    rows, total = queries.supplier_invoices(current_api_user(), page=page, per_page=per_page)
    return jsonify(page_body([schemas.invoice(row) for row in rows], total, page, per_page))


@bp.get("/invoices/<int:invoice_id>")
@authenticated(Role.SUPPLIER, Role.ADMIN)
def invoice(invoice_id: int):  # type: ignore[no-untyped-def]
    return jsonify(schemas.invoice(queries.visible_invoice(current_api_user(), invoice_id)))


@bp.get("/invoices/<int:invoice_id>.pdf")
@authenticated(Role.SUPPLIER, Role.ADMIN)
def invoice_pdf(invoice_id: int):  # type: ignore[no-untyped-def]
    return documents.pdf_response(queries.visible_invoice(current_api_user(), invoice_id))


@bp.post("/payments/sandbox/webhook", defaults={"gateway": "sandbox"})
@bp.post("/payments/razorpay/webhook", defaults={"gateway": "razorpay"})
def payment_webhook(gateway: str):  # type: ignore[no-untyped-def]
    """A gateway's signed callback. The body is read as JSON first (a malformed one is a 400
    like anywhere in the API), then its exact bytes are checked against the signature."""
    json_body()
    result = payments.receive_callback(gateway, request.get_data(), request.headers)
    return jsonify(
        {
            "result": result.result,
            "order_id": result.order.id if result.order else None,
            "invoice": result.invoice.number if result.invoice else None,
        }
    )
