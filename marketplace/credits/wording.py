"""The words a person reads for what credits store as codes: an order's status, a document's
title, a ledger entry's description. The database keeps codes and English (the ledger's
`reason` is its record); these say them in the reader's language when shown."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.credits.models import (
    CreditEntry,
    CreditKind,
    CreditOrder,
    Invoice,
    InvoiceKind,
    OrderStatus,
)
from marketplace.extensions import db
from marketplace.formatting import ist_date

ORDER_STATUSES = {
    OrderStatus.CREATED: _l("Created"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.FAILED: _l("Payment failed"),
    OrderStatus.REFUNDED: _l("Refunded"),
}
DOCUMENT_TITLES = {
    InvoiceKind.INVOICE: _l("Tax invoice"),
    InvoiceKind.CREDIT_NOTE: _l("Credit note"),
}


def order_status(status: str) -> str:
    """An order status's name; a code this version does not know (a page's ?status=) as is."""
    known = {str(code): label for code, label in ORDER_STATUSES.items()}
    return str(known.get(str(status), status))


def document_title(kind: str) -> str:
    return str(DOCUMENT_TITLES[InvoiceKind(kind)])


def _number_after(reference: str) -> str:
    """'order:12' and 'refund:order:12' -> '12'."""
    return reference.rsplit(":", 1)[-1]


def ledger_text(entry: CreditEntry) -> str:
    """The entry's description in the reader's language, rebuilt from what the entry records
    (the English matches its stored reason). An operator's or an officer's own words (goodwill,
    a credit returned for a bad lead) are shown as they wrote them."""
    kind = CreditKind(entry.kind)
    if kind == CreditKind.PURCHASE:
        order = _number_after(entry.reference)
        return _("Bought %(count)s credits (order #%(order)s)", count=entry.delta, order=order)
    if kind == CreditKind.REFUND:
        return _(
            "Refund of order #%(order)s: its unspent credits",
            order=_number_after(entry.reference),
        )
    if kind == CreditKind.ALLOCATION and entry.week is not None and " plan: " in entry.reason:
        plan = entry.reason.split(" plan: ", 1)[0]  # the plan's name, a product name
        return _(
            "%(plan)s plan: credits for the week of %(date)s", plan=plan, date=ist_date(entry.week)
        )
    if kind == CreditKind.EXPIRY:
        lot = db.session.get(CreditEntry, entry.lot_id) if entry.lot_id else None
        if lot is not None and lot.week is not None:
            return _("Unused credits of the week of %(date)s expired", date=ist_date(lot.week))
        return _("Unused weekly credits expired")
    if kind == CreditKind.UNLOCK and entry.reason == "BuyLead unlocked":
        return _("BuyLead unlocked")
    return entry.reason


def invoice_description(invoice: Invoice) -> str:
    """The document's line of service in the reader's language. The stored description stays
    the legal record; this says the same (the credits, the pack) from the order it was for."""
    order = db.session.get(CreditOrder, invoice.order_id)
    if order is None:
        return invoice.description
    return _(
        "%(count)s BuyLead credits (%(pack)s) on TradeSetu",
        count=invoice.credits,
        pack=order.pack_id,
    )
