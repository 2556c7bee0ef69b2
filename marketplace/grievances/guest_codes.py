"""A guest's complaint: checked, then held until the guest proves the email address with a
one-time code; only then is it filed (marketplace.grievances.filing)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from marketplace.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from marketplace.extensions import db
from marketplace.grievances import moments
from marketplace.grievances.filing import complaint_for, create_grievance
from marketplace.grievances.inputs import GrievanceIn, GuestCodeIn, GuestGrievanceIn
from marketplace.grievances.models import Grievance, GuestGrievance
from marketplace.notifications import absolute_url, send_email
from marketplace.validation import validated

GUEST_CODE_TTL = timedelta(minutes=30)
GUEST_CODE_ATTEMPTS = 5
GUEST_CODES_PER_EMAIL_PER_HOUR = 5
GUEST_PURGE_AFTER = timedelta(days=1)


def _code_digest(draft_id: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"grievance-code:{draft_id}:{code}".encode(), hashlib.sha256).hexdigest()


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
        raise TooManyRequests("Too many codes were sent to this address. Please try later.", 3600)
    code = f"{secrets.randbelow(10**6):06d}"
    draft = GuestGrievance(
        id=str(uuid.uuid4()),
        email=email,
        name=body.name,
        payload=body.stored(),
        expires_at=now + GUEST_CODE_TTL,
        created_at=now,
    )
    draft.code_digest = _code_digest(draft.id, code)
    db.session.add(draft)
    send_email(
        email,
        "Your code to confirm your complaint",
        "grievance_code",
        code=code,
        minutes=int(GUEST_CODE_TTL.total_seconds() // 60),
        url=absolute_url("grievances.confirm_guest", draft_id=draft.id),
    )
    return draft


class WrongCode(ValidationFailed):
    keep_writes = True  # the failed attempt counts even though the request is refused


def _claim_attempt(draft_id: str) -> bool:
    """Count this try before the code is checked, in one statement that reads and raises the
    count together: concurrent tries never see the same count, on SQLite (whose lock is the
    whole database's, taken by this first write) as on PostgreSQL (the row's). False when the
    tries are used up."""
    claimed = db.session.execute(
        update(GuestGrievance)
        .where(GuestGrievance.id == draft_id, GuestGrievance.attempts < GUEST_CODE_ATTEMPTS)
        .values(attempts=GuestGrievance.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def confirm_guest_grievance(
    draft_id: str, body: GuestCodeIn, *, now: datetime | None = None
) -> Grievance:
    now = moments.given_or_now(now)
    claimed = _claim_attempt(draft_id)
    # Locked: two confirms with the right code at once must not file the complaint twice.
    draft = db.session.get(GuestGrievance, draft_id, with_for_update=True, populate_existing=True)
    if draft is None or draft.created_at < now - GUEST_PURGE_AFTER:
        raise NotFound("No such confirmation. Please file the complaint again.")
    if draft.grievance_id is not None:
        raise Conflict("This code was already used: the complaint has been filed.")
    code = body.code
    if draft.expires_at <= now:
        raise ValidationFailed({"code": ["this code has expired; file the complaint again"]})
    if not claimed:
        raise ValidationFailed({"code": ["too many wrong codes; file the complaint again"]})
    if not hmac.compare_digest(draft.code_digest, _code_digest(draft.id, code.strip())):
        left = GUEST_CODE_ATTEMPTS - draft.attempts
        raise WrongCode(
            {"code": [f"the code is not right ({left} attempt{'s' if left != 1 else ''} left)"]}
        )
    complaint = complaint_for(validated(GrievanceIn, draft.payload), None)
    grievance = create_grievance(complaint, name=draft.name, email=draft.email, user=None, now=now)
    draft.grievance_id = grievance.id
    draft.payload = {}  # the complaint now lives on the grievance only
    return grievance
