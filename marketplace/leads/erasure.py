"""The leads domain's eraser.

A buyer's leads stay with the suppliers who hold them, redacted: the lead no longer points at
the buyer (`buyer_id` NULL; the pages show "Deleted account"), the free text the buyer wrote is
removed, and every mention of them (marketplace.identifiers: any way of writing their phone,
email, GSTIN, PAN, business name, address, name) in anyone's enquiries, notes, messages,
requirements and webhook payloads is replaced. A supplier's webhooks are deleted and their
pending deliveries dropped; its private notes on leads go.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update

from marketplace.extensions import db
from marketplace.leads.models import (
    BuyRequirement,
    DeliveryStatus,
    EnquiryGuard,
    GuestEnquiry,
    Lead,
    LeadNote,
    Message,
    MessageSide,
    SupplierBlock,
    Webhook,
    WebhookDelivery,
)
from marketplace.privacy.erasure import ERASED, Eraser, Subject, redact_columns, register

ERASED_URL = "https://erased.invalid/"


def _their_leads(subject: Subject) -> ColumnElement[bool]:
    """The leads the person is a party to: as the buyer, or as the supplier."""
    mine = Lead.buyer_id == subject.user.id
    return or_(mine, Lead.supplier_id == subject.supplier_id) if subject.supplier_id else mine


def _redact_copies(subject: Subject) -> list[Any]:
    """Replace the person's identifiers, however they were typed, in every free text of the
    domain: anyone's (a supplier's note about another lead can hold the number too); in the
    texts of the person's own leads and requirements, the parts of their name as well."""
    theirs = select(Lead.id).where(_their_leads(subject)).scalar_subquery()
    return (
        redact_columns(subject, [Lead.message, Lead.product_name], _their_leads(subject))
        + redact_columns(subject, [LeadNote.text], LeadNote.lead_id.in_(theirs))
        + redact_columns(subject, [Message.text], Message.lead_id.in_(theirs))
        + redact_columns(
            subject,
            [BuyRequirement.description, BuyRequirement.product_name],
            BuyRequirement.buyer_id == subject.user.id,
        )
        + redact_columns(subject, [GuestEnquiry.enquiry], GuestEnquiry.lead_id.in_(theirs))
        # The exact bytes once signed for a CRM: a pending delivery is re-signed when sent.
        + redact_columns(subject, [WebhookDelivery.body])
    )


def _erase_buyer(subject: Subject) -> list[str]:
    user_id = subject.user.id
    lead_ids = list(db.session.scalars(select(Lead.id).where(Lead.buyer_id == user_id)))
    written = db.session.execute(
        update(Message)
        .where(Message.author_id == user_id)
        .values(text=ERASED, author_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if lead_ids:
        db.session.execute(
            update(Lead)
            .where(Lead.id.in_(lead_ids))
            .values(buyer_id=None, message=ERASED, city=None)
            .execution_options(synchronize_session=False)
        )
    requirements = db.session.execute(
        update(BuyRequirement)
        .where(BuyRequirement.buyer_id == user_id)
        .values(
            buyer_id=None,
            description=ERASED,
            closed_at=db.func.coalesce(BuyRequirement.closed_at, subject.now),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(delete(EnquiryGuard).where(EnquiryGuard.buyer_id == user_id))
    db.session.execute(delete(SupplierBlock).where(SupplierBlock.buyer_id == user_id))
    guests = delete(GuestEnquiry).where(
        or_(GuestEnquiry.lead_id.in_(lead_ids), GuestEnquiry.phone_digest == subject.phone_digest)
        if subject.phone_digest
        else GuestEnquiry.lead_id.in_(lead_ids)
    )
    db.session.execute(guests)
    return [
        f"{len(lead_ids)} enquiries redacted in the suppliers' lead managers (the buyer unlinked, "
        f"the message removed)",
        f"{written} messages written by the person removed",
        f"{requirements} buy requirements closed and unlinked",
    ]


def _erase_supplier(subject: Subject) -> list[str]:
    supplier_id = subject.supplier_id
    if supplier_id is None:
        return []
    lead_ids = list(db.session.scalars(select(Lead.id).where(Lead.supplier_id == supplier_id)))
    notes = 0
    if lead_ids:
        notes = db.session.execute(delete(LeadNote).where(LeadNote.lead_id.in_(lead_ids))).rowcount
    db.session.execute(
        update(Message)
        .where(Message.author_id == subject.user.id, Message.side == MessageSide.SUPPLIER)
        .values(author_id=None)
        .execution_options(synchronize_session=False)
    )
    hooks = list(
        db.session.scalars(
            select(Webhook).where(Webhook.supplier_id == supplier_id, Webhook.deleted_at.is_(None))
        )
    )
    for hook in hooks:
        hook.deleted_at = subject.now
        hook.disabled_at = subject.now
        hook.disabled_reason = "account erased"
    # A receiver's address can name the business (its domain): every hook's, deleted or not.
    db.session.execute(
        update(Webhook)
        .where(Webhook.supplier_id == supplier_id)
        .values(url=ERASED_URL)
        .execution_options(synchronize_session=False)
    )
    hook_ids = [hook.id for hook in hooks]
    if hook_ids:
        db.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.webhook_id.in_(hook_ids),
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
            .values(status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="erased")
            .execution_options(synchronize_session=False)
        )
    db.session.execute(delete(SupplierBlock).where(SupplierBlock.supplier_id == supplier_id))
    return [
        f"{notes} private notes on leads deleted",
        f"{len(hooks)} webhooks deleted and their pending deliveries dropped",
    ]


def _erase(subject: Subject) -> list[str]:
    redacted = len(_redact_copies(subject))
    return [
        f"{redacted} texts naming the person (enquiries, notes, messages, requirements, webhook "
        "payloads) redacted, however the details were written",
        *_erase_buyer(subject),
        *_erase_supplier(subject),
    ]


register(Eraser("leads", erase=_erase, order=20))
