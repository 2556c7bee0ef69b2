"""Which trade between a buyer and a supplier earns the buyer the right to rate it: an enquiry
the supplier answered, a quotation it sent, or the buyer's buy requirement it unlocked. Marking a
lead "quoted" or "contacted" without writing to the buyer is not proof: only what the buyer
received counts."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadType, Message, MessageSide
from marketplace.reviews.models import Basis


def trade_basis(buyer_id: int, supplier_id: int) -> Basis | None:
    """The strongest trade between them (a quotation, then an unlocked BuyLead, then an
    answered enquiry), or None when there was none."""
    leads = select(Lead.id).where(Lead.buyer_id == buyer_id, Lead.supplier_id == supplier_id)
    answers = db.session.execute(
        select(Message.quote_price.is_not(None))
        .where(Message.lead_id.in_(leads), Message.side == MessageSide.SUPPLIER)
        .order_by(Message.quote_price.is_(None))
        .limit(1)
    ).scalar()
    if answers:
        return Basis.QUOTATION
    unlocked = db.session.scalar(leads.where(Lead.type == LeadType.BUYLEAD).limit(1))
    if unlocked is not None:
        return Basis.BUYLEAD
    return Basis.ANSWERED_ENQUIRY if answers is not None else None
