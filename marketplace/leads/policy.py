"""Who may do what with leads and webhooks: the one place that decides it, for the pages, the
API and the CLI alike.

Only a supplier receives leads, works them, buys BuyLeads and subscribes webhooks (a 403 for
anyone else). Of the leads themselves, a supplier sees its own, a buyer the enquiries it sent:
anyone else's lead is not found (a 404, never a 403, so ids tell nothing).
"""

from __future__ import annotations

from marketplace.accounts import policy as accounts_policy
from marketplace.accounts.models import SupplierProfile, User
from marketplace.db import get_owned
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadType, MessageSide


def lead_receiver(user: User) -> SupplierProfile:
    """The caller's business, which receives and works leads; a 403 for anyone else."""
    return accounts_policy.business_of(user, "receive leads")


def buylead_buyer(user: User) -> SupplierProfile:
    """The caller's business, which sees and unlocks BuyLeads; a 403 for anyone else."""
    return accounts_policy.business_of(user, "see and unlock BuyLeads")


def webhook_subscriber(user: User) -> SupplierProfile:
    """The caller's business, whose CRM hears of its leads; a 403 for anyone else."""
    return accounts_policy.business_of(user, "subscribe webhooks")


def supplier_lead(user: User, lead_id: int) -> Lead:
    """A lead of the caller's business; anyone else's is not found (404, never 403)."""
    supplier = lead_receiver(user)
    return get_owned(Lead, lead_id, Lead.supplier_id == supplier.id)


def party_lead(user: User, lead_id: int) -> tuple[Lead, MessageSide]:
    """A lead the caller takes part in, and on which side: its supplier or its buyer."""
    lead = db.session.get(Lead, lead_id)
    if lead is not None:
        if lead.supplier.user_id == user.id:
            return lead, MessageSide.SUPPLIER
        if lead.buyer_id == user.id and lead.type == LeadType.ENQUIRY:
            return lead, MessageSide.BUYER
    raise NotFound("No such lead.")
