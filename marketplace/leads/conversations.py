"""The conversation on a lead: messages and quotations between its buyer and its supplier.
Reading marks the lead read for that side; a message tells the other side, and writes the
message.created webhook deliveries in the same transaction."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    select,
)

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.leads import assignment, policy, webhook_outbox
from marketplace.leads.inputs import MessageIn
from marketplace.leads.models import (
    Lead,
    LeadStatus,
    Message,
    MessageSide,
    WebhookEvent,
)
from marketplace.leads.response_times import record_first_response
from marketplace.notifications import absolute_url, send_email


def mark_seen(lead: Lead, side: MessageSide) -> None:
    if side == MessageSide.SUPPLIER:
        lead.supplier_seen_at = utcnow()
    else:
        lead.buyer_seen_at = utcnow()


def conversation(user: User, lead_id: int) -> tuple[Lead, MessageSide, list[Message]]:
    """The lead's messages, oldest first; reading them marks the lead read for this side."""
    lead, side = policy.party_lead(user, lead_id)
    mark_seen(lead, side)
    rows = db.session.scalars(
        select(Message).where(Message.lead_id == lead.id).order_by(Message.id)
    ).all()
    return lead, side, list(rows)


def buyer_conversation(user: User, lead_id: int) -> tuple[Lead, list[Message]]:
    """An enquiry the caller sent, with its messages; a lead they only supply is not theirs
    to read as an enquiry."""
    lead, side, rows = conversation(user, lead_id)
    if side != MessageSide.BUYER:
        raise NotFound(_("No such enquiry."))
    return lead, rows


def post_message(user: User, lead_id: int, message: MessageIn) -> Message:
    """A message from either side; a quotation (supplier only) moves the lead to quoted."""
    lead, side = policy.party_lead(user, lead_id)
    entry = Message(lead_id=lead.id, side=side, author_id=user.id, text=message.text or "")
    quote = message.quotation
    if quote is not None:
        if side != MessageSide.SUPPLIER:
            raise ValidationFailed({"quotation": [_("only the supplier sends quotations")]})
        entry.quote_price = quote.price
        entry.quote_quantity = quote.quantity
        entry.quote_unit = quote.unit
        entry.quote_valid_until = quote.valid_until
    now = utcnow()
    db.session.add(entry)
    if side == MessageSide.SUPPLIER:
        lead.supplier_activity_at = now
        lead.supplier_seen_at = now
        record_first_response(lead)
        if entry.is_quotation and lead.status in (LeadStatus.NEW, LeadStatus.CONTACTED):
            lead.status = LeadStatus.QUOTED
        elif lead.status == LeadStatus.NEW:
            lead.status = LeadStatus.CONTACTED
    else:
        lead.buyer_activity_at = now
        lead.buyer_seen_at = now
    lead.updated_at = now
    db.session.flush()
    if lead.status != LeadStatus.SPAM:  # a spam folder stays quiet
        _notify_other_side(lead, entry)
        webhook_outbox.emit(WebhookEvent.MESSAGE_CREATED, lead, message=entry)
    return entry


def _notify_other_side(lead: Lead, entry: Message) -> None:
    if entry.side == MessageSide.SUPPLIER:
        if lead.buyer is None:
            return
        recipient, sender = lead.buyer, lead.supplier.company_name
        link = absolute_url("leads.enquiry_page", lead_id=lead.id)
    else:
        recipient = assignment.works_it(lead)
        sender = lead.buyer.name if lead.buyer else _l("A buyer")
        link = absolute_url("leads.lead_page", lead_id=lead.id)
    send_email(
        recipient.email,
        _l("%(sender)s sent you a quotation", sender=sender)
        if entry.is_quotation
        else _l("%(sender)s sent you a message", sender=sender),
        "new_message",
        language=recipient.language,
        lead=lead,
        entry=entry,
        sender=sender,
        link=link,
    )
