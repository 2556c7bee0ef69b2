"""Refunds, by admins: the order's unspent credits are taken back, a credit note reverses their
share of its invoice, and the gateway returns what they are worth (credits already spent were
used, and stay paid). Functions flush but never commit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.credits import gateways, invoices, policy
from marketplace.credits.inputs import RefundIn
from marketplace.credits.ledger import entry_by_reference, lock_account, take_back, unspent_in
from marketplace.credits.models import CreditKind, CreditOrder, Invoice, OrderStatus
from marketplace.credits.queries import invoice_of
from marketplace.db import utcnow
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.notifications import absolute_url, send_email


@dataclass(frozen=True)
class RefundPreview:
    """What a refund would do, for the admin to read before confirming it."""

    order: CreditOrder
    unspent: int  # the credits that would be taken back from the balance
    spent: int
    amount: Decimal  # what the gateway would return: the unspent credits' share of the total


def preview_refund(actor: User, order_id: int) -> RefundPreview:
    """The facts of refunding a paid order now (nothing changes; the refund itself re-reads
    them under the ledger lock)."""
    policy.check_refunds(actor)
    order = db.session.get(CreditOrder, order_id)
    if order is None:
        raise NotFound("No such order.")
    if order.status != OrderStatus.PAID:
        raise Conflict(f"Only a paid order can be refunded; order #{order.id} is {order.status}.")
    lot = entry_by_reference(order.supplier_id, f"order:{order.id}")
    unspent = unspent_in(lot) if lot is not None else 0
    if unspent == 0:
        raise Conflict(
            f"All {order.credits} credits of order #{order.id} have been spent, so nothing is "
            "left to refund."
        )
    amount = invoices.unspent_share(order, unspent).total
    return RefundPreview(order, unspent, order.credits - unspent, amount)


def refund_order(actor: User, order_id: int, body: RefundIn) -> tuple[CreditOrder, Invoice, int]:
    """Refund a paid order: the order's unspent credits are debited back (credits already
    spent cannot be: the balance never goes negative), a credit note reverses their share of
    the invoice, and the gateway returns that share of the price; an order whose credits are
    all spent has nothing to refund (a 409). Returns the order, the credit note and the
    credits taken."""
    policy.check_refunds(actor)
    reason = body.reason
    order = db.session.get(CreditOrder, order_id)
    if order is None:
        raise NotFound("No such order.")
    # Under the ledger lock nothing is spent meanwhile: what is unspent now is what is taken.
    lock_account(order.supplier_id)
    lot = entry_by_reference(order.supplier_id, f"order:{order.id}")
    if order.status == OrderStatus.PAID and (lot is None or unspent_in(lot) == 0):
        raise Conflict(
            f"All {order.credits} credits of order #{order.id} have been spent, so nothing is "
            "left to refund."
        )
    now = utcnow()
    claimed = db.session.execute(
        update(CreditOrder)
        .where(CreditOrder.id == order_id, CreditOrder.status == OrderStatus.PAID)
        .values(status=OrderStatus.REFUNDED, refunded_at=now, refund_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    db.session.refresh(order)
    if not claimed:
        raise Conflict(f"Only a paid order can be refunded; order #{order.id} is {order.status}.")
    invoice = invoice_of(order)
    assert invoice is not None, "a paid order has its invoice"
    assert lot is not None, "a paid order's credits were granted with it"
    taken = take_back(
        order.supplier_id,
        lot,
        kind=CreditKind.REFUND,
        reason=f"Refund of order #{order.id}: its unspent credits",
        ref=f"refund:order:{order.id}",
    )
    assert taken is not None, "checked above, under the same lock"
    credits_taken = -taken.delta
    order.refund_amount = invoices.unspent_share(order, credits_taken).total
    note = invoices.issue_credit_note(order, invoice, reason, credits_taken)
    order.refund_id = gateways.named(order.gateway).refund(order)  # last: a refusal rolls back
    audit.record(
        "credits.order_refunded",
        actor_id=actor.id,
        subject=order,
        reason=reason,
        credit_note=note.number,
        credits_taken=credits_taken,
        amount=str(order.refund_amount),
    )
    send_email(
        order.supplier.user.email,
        _l("Refund of order #%(order)s: credit note %(note)s", order=order.id, note=note.number),
        "credits_refunded",
        language=order.supplier.user.language,
        order=order,
        note=note,
        credits_taken=credits_taken,
        amount=order.refund_amount,
        total=order.total,
        link=absolute_url("credits.invoice_page", invoice_id=note.id),
    )
    return order, note, credits_taken
