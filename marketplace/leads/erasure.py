"""The leads domain's eraser.

A buyer's leads stay with the suppliers who hold them, redacted: the lead no longer points at
the buyer (`buyer_id` NULL; the pages show "Deleted account"), the free text the buyer wrote is
removed, and every copy of their name, email or mobile in the supplier's notes, messages and
webhook payloads is replaced. A supplier's webhooks are deleted and their pending deliveries
dropped; its private notes on leads go.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

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
from marketplace.privacy.erasure import ERASED, Eraser, Subject, register


def _redact_copies(subject: Subject, lead_ids: list[int]) -> int:
    """Replace the person's identifiers wherever a supplier's copy of these leads holds them."""
    changed = 0
    if not lead_ids:
        return 0
    for row in db.session.scalars(select(LeadNote).where(LeadNote.lead_id.in_(lead_ids))):
        redacted = subject.redact(row.text)
        if redacted != row.text:
            row.text, changed = redacted or "", changed + 1
    for row in db.session.scalars(select(Message).where(Message.lead_id.in_(lead_ids))):
        redacted = subject.redact(row.text)
        if redacted != row.text:
            row.text, changed = redacted or "", changed + 1
    needles = list(subject.identifiers)
    if needles:
        deliveries = db.session.scalars(
            select(WebhookDelivery).where(
                or_(*(WebhookDelivery.body.contains(value) for value in needles))
            )
        )
        for delivery in deliveries:
            delivery.body = subject.redact(delivery.body) or ""
            changed += 1
    return changed


def _erase_buyer(subject: Subject) -> list[str]:
    user_id = subject.user.id
    lead_ids = list(db.session.scalars(select(Lead.id).where(Lead.buyer_id == user_id)))
    redacted = _redact_copies(subject, lead_ids)
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
        f"{redacted} copies of the contact details in notes, messages and webhook payloads "
        "replaced",
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
    redacted = _redact_copies(subject, lead_ids)
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
        f"{notes} private notes on leads deleted; {redacted} copies of the contact replaced",
        f"{len(hooks)} webhooks deleted and their pending deliveries dropped",
    ]


def _erase(subject: Subject) -> list[str]:
    return _erase_buyer(subject) + _erase_supplier(subject)


register(Eraser("leads", erase=_erase, order=20))
