"""Buyer blocks: a supplier sends a buyer's enquiries to its spam folder, and takes that back."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    delete,
    select,
)

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.errors import ServiceError
from marketplace.extensions import db
from marketplace.leads import policy, webhook_outbox
from marketplace.leads.models import (
    Lead,
    LeadStatus,
    SupplierBlock,
    WebhookEvent,
)
from marketplace.leads.response_times import record_first_response


def block_buyer(user: User, lead_id: int) -> Lead:
    """Mark this lead spam and send the buyer's later enquiries to this supplier there too."""
    lead = policy.supplier_lead(user, lead_id)
    if lead.buyer_id is None:
        raise ServiceError(_("This buyer's account no longer exists."))
    if not buyer_blocked(lead):
        db.session.add(SupplierBlock(supplier_id=lead.supplier_id, buyer_id=lead.buyer_id))
        audit.record("lead.buyer_blocked", actor_id=user.id, subject=lead, buyer_id=lead.buyer_id)
    if lead.status != LeadStatus.SPAM:
        lead.status = LeadStatus.SPAM
        record_first_response(lead)
        lead.updated_at = utcnow()
        db.session.flush()
        webhook_outbox.emit(WebhookEvent.LEAD_UPDATED, lead)
    return lead


def unblock_buyer(user: User, lead_id: int) -> Lead:
    lead = policy.supplier_lead(user, lead_id)
    removed = db.session.execute(delete(SupplierBlock).where(_block_of(lead))).rowcount  # type: ignore[attr-defined]
    if removed:
        audit.record("lead.buyer_unblocked", actor_id=user.id, subject=lead, buyer_id=lead.buyer_id)
    return lead


def _block_of(lead: Lead) -> ColumnElement[bool]:
    return (SupplierBlock.supplier_id == lead.supplier_id) & (
        SupplierBlock.buyer_id == lead.buyer_id
    )


def buyer_blocked(lead: Lead) -> bool:
    return (
        lead.buyer_id is not None
        and db.session.scalar(select(SupplierBlock.id).where(_block_of(lead))) is not None
    )
