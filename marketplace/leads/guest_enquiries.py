"""Guest enquiries: a visitor's enquiry waits for the one-time code sent to their mobile; the
right code makes them a buyer and sends the enquiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    delete,
    func,
    select,
)

from marketplace import one_time_codes
from marketplace.accounts import registration as accounts
from marketplace.accounts.models import User
from marketplace.crypto import blind_index
from marketplace.db import utcnow
from marketplace.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from marketplace.extensions import db
from marketplace.leads.enquiries import resolve_enquiry, send_enquiry
from marketplace.leads.inputs import EnquiryIn, GuestCodeIn, GuestEnquiryIn
from marketplace.leads.models import (
    GuestEnquiry,
    LeadSource,
)
from marketplace.notifications import send_sms
from marketplace.validation import validated

GUEST_CODE_TTL = timedelta(minutes=10)
GUEST_CODES_PER_PHONE_PER_HOUR = 3
GUEST_PURGE_AFTER = timedelta(days=1)


_PURPOSE = "guest-code"  # bound into each code's digest


def start_guest_enquiry(guest: GuestEnquiryIn) -> GuestEnquiry:
    """Check a visitor's enquiry and contact details, and send a one-time code to the mobile.
    Nothing reaches the supplier until the code is confirmed."""
    resolve_enquiry(guest)
    contact = accounts.Contact(guest.name, guest.email, guest.phone)
    accounts.refuse_registered(contact)
    now = utcnow()
    db.session.execute(
        delete(GuestEnquiry).where(GuestEnquiry.expires_at < now - GUEST_PURGE_AFTER)
    )
    phone_digest = blind_index(contact.phone)
    recent = db.session.scalar(
        select(func.count()).where(
            GuestEnquiry.phone_digest == phone_digest,
            GuestEnquiry.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= GUEST_CODES_PER_PHONE_PER_HOUR:
        raise TooManyRequests(
            _("Too many codes were sent to this mobile in the last hour. Please try later."), 3600
        )
    code = one_time_codes.new_code()
    pending = GuestEnquiry(
        id=str(uuid.uuid4()),
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        phone_digest=phone_digest,
        enquiry=guest.enquiry_data(),
        expires_at=now + GUEST_CODE_TTL,
        created_at=now,
    )
    pending.code_digest = one_time_codes.digest(_PURPOSE, pending.id, code)
    db.session.add(pending)
    minutes = int(GUEST_CODE_TTL.total_seconds() // 60)
    # The guest is the one asking: the text reads in the language of their request.
    send_sms(
        contact.phone,
        _l(
            "%(code)s is your TradeSetu code to send your enquiry. It expires in %(minutes)s "
            "minutes. Do not share it.",
            code=code,
            minutes=minutes,
        ),
    )
    return pending


def confirm_guest_enquiry(verification_id: str, confirmation: GuestCodeIn) -> tuple[int, User]:
    """Check the code; then the buyer account exists (mobile verified) and the enquiry is sent."""
    claimed = one_time_codes.claim_attempt(GuestEnquiry, verification_id)
    pending = db.session.get(
        GuestEnquiry, verification_id, with_for_update=True, populate_existing=True
    )
    now = utcnow()
    if pending is None or pending.created_at < now - GUEST_PURGE_AFTER:
        raise NotFound(_("No such verification. Please send the enquiry again."))
    if pending.used_at is not None:
        raise Conflict(_("This code was already used: the enquiry has been sent."))
    if pending.expires_at <= now:
        raise ValidationFailed({"code": [_("this code has expired; ask for a new one")]})
    if not claimed:
        raise ValidationFailed({"code": [_("too many wrong codes; ask for a new one")]})
    one_time_codes.check(
        pending.code_digest, _PURPOSE, pending.id, confirmation.code, tries=pending.attempts
    )
    contact = accounts.Contact(pending.name, pending.email, pending.phone)
    buyer = accounts.register_guest_buyer(contact)
    enquiry = validated(EnquiryIn, pending.enquiry)
    lead_id, _buyer = send_enquiry(buyer.id, enquiry, source=LeadSource.GUEST)
    pending.used_at = now
    pending.lead_id = lead_id
    pending.enquiry = {}  # the message now lives on the lead only
    return lead_id, buyer
