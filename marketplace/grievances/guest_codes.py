"""A guest's complaint: checked, then held until the guest proves the email address with a
one-time code; only then is it filed (marketplace.grievances.filing)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from marketplace import one_time_codes
from marketplace.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from marketplace.extensions import db
from marketplace.grievances import moments
from marketplace.grievances.filing import complaint_for, create_grievance
from marketplace.grievances.inputs import GrievanceIn, GuestCodeIn, GuestGrievanceIn
from marketplace.grievances.models import Grievance, GuestGrievance
from marketplace.i18n import current_language
from marketplace.notifications import absolute_url, send_email
from marketplace.validation import validated

GUEST_CODE_TTL = timedelta(minutes=30)
GUEST_CODES_PER_EMAIL_PER_HOUR = 5
GUEST_PURGE_AFTER = timedelta(days=1)


_PURPOSE = "grievance-code"  # bound into each code's digest
_LANGUAGE = "language"  # the draft payload's key for the language the complaint was written in


def start_guest_grievance(body: GuestGrievanceIn, *, now: datetime | None = None) -> GuestGrievance:
    """Check a guest's complaint and mail a one-time code to the address. Nothing reaches the
    desk until the code comes back (attachments need an account)."""
    now = moments.given_or_now(now)
    complaint_for(body, None)  # the product it names exists (a guest has no leads or orders)
    email = body.email
    db.session.execute(
        delete(GuestGrievance).where(GuestGrievance.expires_at < now - GUEST_PURGE_AFTER)
    )
    recent = db.session.scalar(
        select(func.count()).where(
            GuestGrievance.email == email, GuestGrievance.created_at > now - timedelta(hours=1)
        )
    )
    if (recent or 0) >= GUEST_CODES_PER_EMAIL_PER_HOUR:
        raise TooManyRequests(
            _("Too many codes were sent to this address. Please try later."), 3600
        )
    code = one_time_codes.new_code()
    draft = GuestGrievance(
        id=str(uuid.uuid4()),
        email=email,
        name=body.name,
        # The language it is written in, kept for when the code comes back (from any page).
        payload={**body.stored(), _LANGUAGE: current_language()},
        expires_at=now + GUEST_CODE_TTL,
        created_at=now,
    )
    draft.code_digest = one_time_codes.digest(_PURPOSE, draft.id, code)
    db.session.add(draft)
    send_email(
        email,
        _("Your code to confirm your complaint"),
        "grievance_code",
        code=code,
        minutes=int(GUEST_CODE_TTL.total_seconds() // 60),
        url=absolute_url("grievances.confirm_guest", draft_id=draft.id),
    )
    return draft


def confirm_guest_grievance(
    draft_id: str, body: GuestCodeIn, *, now: datetime | None = None
) -> Grievance:
    now = moments.given_or_now(now)
    claimed = one_time_codes.claim_attempt(GuestGrievance, draft_id)
    # Locked: two confirms with the right code at once must not file the complaint twice.
    draft = db.session.get(GuestGrievance, draft_id, with_for_update=True, populate_existing=True)
    if draft is None or draft.created_at < now - GUEST_PURGE_AFTER:
        raise NotFound(_("No such confirmation. Please file the complaint again."))
    if draft.grievance_id is not None:
        raise Conflict(_("This code was already used: the complaint has been filed."))
    if draft.expires_at <= now:
        raise ValidationFailed({"code": [_("this code has expired; file the complaint again")]})
    if not claimed:
        raise ValidationFailed({"code": [_("too many wrong codes; file the complaint again")]})
    one_time_codes.check(draft.code_digest, _PURPOSE, draft.id, body.code, tries=draft.attempts)
    stored = dict(draft.payload)
    language = stored.pop(_LANGUAGE, None)  # a draft made before it was kept: the request's
    complaint = complaint_for(validated(GrievanceIn, stored), None)
    grievance = create_grievance(
        complaint, name=draft.name, email=draft.email, user=None, now=now, language=language
    )
    draft.grievance_id = grievance.id
    draft.payload = {}  # the complaint now lives on the grievance only
    return grievance
