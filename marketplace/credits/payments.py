"""Payments: a gateway's signed callback, or Razorpay Checkout's answer in the browser, verified
and then acted on once: a captured payment marks its order paid, grants its credits and issues
its tax invoice. Functions flush but never commit."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.credits import gateways, invoices
from marketplace.credits.ledger import grant_credits
from marketplace.credits.models import CreditKind, CreditOrder, Invoice, OrderStatus
from marketplace.credits.queries import invoice_of, supplier_order
from marketplace.db import utcnow
from marketplace.errors import Conflict, NotFound, ServiceError
from marketplace.extensions import db
from marketplace.notifications import absolute_url, send_email

log = logging.getLogger(__name__)


class PaymentMismatch(ServiceError):
    status = 422
    title = "Payment does not match the order"


@dataclass(frozen=True)
class CallbackResult:
    result: str  # "granted", "already_granted", "payment_failed", "ignored"
    order: CreditOrder | None = None
    invoice: Invoice | None = None


def receive_callback(gateway_name: str, body: bytes, headers: Mapping[str, str]) -> CallbackResult:
    """A gateway's signed callback (a webhook delivery, or the sandbox page's outcome): verify
    it, then act on it once. A forged or unsigned one raises ForgedCallback and does nothing."""
    gateway = gateways.named(gateway_name)
    try:
        event = gateway.verify_callback(body, headers)
    except gateways.ForgedCallback:
        log.warning("refused a %s callback with a missing or wrong signature", gateway_name)
        raise
    return apply_payment_event(gateway.name, event)


def confirm_checkout(user: User, order_id: int, params: Mapping[str, str]) -> CallbackResult:
    """Razorpay Checkout's answer in the browser (signed with the key secret)."""
    order = supplier_order(user, order_id)
    gateway = gateways.named(order.gateway)
    if not isinstance(gateway, gateways.RazorpayGateway):
        raise NotFound("This order is not paid through Razorpay.")
    # Checked before the gateway is asked anything (verifying captures the payment).
    if params.get("razorpay_order_id") != order.gateway_order_id:
        raise gateways.ForgedCallback("This payment belongs to another order.")
    if order.status == OrderStatus.PAID:  # the same answer again (a reload): nothing to do
        return CallbackResult("already_granted", order, invoice_of(order))
    if order.status == OrderStatus.REFUNDED:
        raise Conflict("This order was refunded; order the pack again to buy it.")
    return apply_payment_event(gateway.name, gateway.verify_checkout(params))


def _order_for(gateway_name: str, gateway_order_id: str | None) -> CreditOrder | None:
    if not gateway_order_id:
        return None
    return db.session.scalar(
        select(CreditOrder).where(
            CreditOrder.gateway == gateway_name, CreditOrder.gateway_order_id == gateway_order_id
        )
    )


def apply_payment_event(gateway_name: str, event: gateways.PaymentEvent) -> CallbackResult:
    """Act on a verified event, idempotently: a captured payment marks its order paid with a
    conditional UPDATE (only one delivery can win it, however many arrive at once), and only
    the winner grants the credits and issues the invoice."""
    if event.outcome == "ignored":
        return CallbackResult("ignored")
    order = _order_for(gateway_name, event.gateway_order_id)
    if order is None:  # not one of ours (another integration on the same gateway account)
        log.info("a %s event for unknown order %s", gateway_name, event.gateway_order_id)
        return CallbackResult("ignored")
    if event.outcome == "failed":
        db.session.execute(
            update(CreditOrder)
            .where(CreditOrder.id == order.id, CreditOrder.status == OrderStatus.CREATED)
            .values(status=OrderStatus.FAILED, failure_reason=event.reason, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(order)
        return CallbackResult("payment_failed", order)
    if event.amount != order.paise or event.currency != gateways.CURRENCY:
        log.error(
            "order %s: %s captured %s %s, the order is %s INR",
            order.id,
            gateway_name,
            event.amount,
            event.currency,
            order.paise,
        )
        raise PaymentMismatch(
            f"The captured amount ({event.amount} {event.currency} paise) is not the order's "
            f"total ({order.paise} INR paise); nothing was granted."
        )
    now = utcnow()
    won = db.session.execute(
        update(CreditOrder)
        .where(
            CreditOrder.id == order.id,
            CreditOrder.status.in_((OrderStatus.CREATED, OrderStatus.FAILED)),
        )
        .values(status=OrderStatus.PAID, payment_id=event.payment_id, paid_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    db.session.refresh(order)
    if not won:
        if order.payment_id != event.payment_id:
            # A second payment for a paid order: the payer was charged twice. Keep a record
            # for an admin to refund it; grant nothing.
            audit.record(
                "credits.extra_payment",
                subject=order,
                gateway=gateway_name,
                payment_id=event.payment_id,
            )
        return CallbackResult("already_granted", order, invoice_of(order))
    grant_credits(
        order.supplier_id,
        order.credits,
        kind=CreditKind.PURCHASE,
        reason=f"Bought {order.credits} credits (order #{order.id})",
        reference=f"order:{order.id}",
    )
    invoice = invoices.issue_invoice(order)
    audit.record(
        "credits.order_paid",
        subject=order,
        gateway=gateway_name,
        payment_id=event.payment_id,
        invoice=invoice.number,
    )
    owner = order.supplier.user
    send_email(
        owner.email,
        _l(
            "Payment received: %(credits)s credits, invoice %(invoice)s",
            credits=order.credits,
            invoice=invoice.number,
        ),
        "credits_purchased",
        language=owner.language,
        order=order,
        invoice=invoice,
        total=order.total,
        link=absolute_url("credits.invoice_page", invoice_id=invoice.id),
    )
    return CallbackResult("granted", order, invoice)
