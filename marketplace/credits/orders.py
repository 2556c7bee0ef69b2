"""Orders for credit packs: priced with GST for the supplier's state and registered with the
payment gateway. Paying one is payments.py; refunding it, refunds.py. Functions flush but never
commit."""

from __future__ import annotations

from typing import Any

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.credits import gateways, invoices, policy
from marketplace.credits.inputs import OrderIn
from marketplace.credits.models import CreditOrder, OrderStatus
from marketplace.credits.plans import Pack
from marketplace.errors import NotFound
from marketplace.extensions import db


def create_order(user: User, body: OrderIn) -> tuple[CreditOrder, dict[str, Any]]:
    """An order for a credit pack, priced with GST for the supplier's state, registered with
    the payment gateway. It keeps the GSTIN it was priced for: its invoice is made out to that
    registration and place of supply. Returns the order and what the client needs to pay it."""
    supplier = policy.supplier_of(user)
    pack: Pack = body.pack
    split = invoices.tax_split(pack.price, supplier.gstin)
    gateway = gateways.configured()
    order = CreditOrder(
        supplier=supplier,
        supplier_id=supplier.id,
        pack_id=pack.id,
        credits=pack.credits,
        recipient_gstin=supplier.gstin,
        place_of_supply_code=supplier.gstin[:2],
        taxable_value=split.taxable_value,
        cgst=split.cgst,
        sgst=split.sgst,
        igst=split.igst,
        total=split.total,
        gateway=gateway.name,
    )
    db.session.add(order)
    db.session.flush()
    order.gateway_order_id = gateway.create_order(order)
    db.session.flush()
    audit.record("credits.order_created", actor_id=user.id, subject=order, pack=pack.id)
    return order, gateway.checkout(order)


def checkout_for(order: CreditOrder) -> dict[str, Any] | None:
    """How to pay an order that is still unpaid (None once it is paid or refunded)."""
    if order.status not in (OrderStatus.CREATED, OrderStatus.FAILED):
        return None
    try:
        gateway = gateways.named(order.gateway)
    except NotFound:  # made with a gateway no longer in use: it cannot be paid any more
        return None
    return gateway.checkout(order)
