"""A signed-in account proving its own mobile number: a six-digit code sent by SMS, confirmed
from the account page or the API.

The pending code lives in a table of its own (one row per account) rather than in columns of
`users`: the shared one_time_codes helpers count tries on a row with `id` and `attempts`, each
new code gets a fresh row id its digest is bound to (so an old code proves nothing), and the
row goes away once used, leaving `users` with nothing but phone_verified_at.

Functions flush but never commit: the request that called them commits once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from marketplace import audit, one_time_codes
from marketplace.accounts.models import User
from marketplace.db import UTCDateTime, utcnow
from marketplace.errors import Conflict, ValidationFailed
from marketplace.extensions import db
from marketplace.fields import Text
from marketplace.notifications import send_sms

PHONE_CODE_TTL = timedelta(minutes=10)

_PURPOSE = "phone-verification"  # bound into each code's digest


class PhoneCode(db.Model):
    """The one code an account is waiting to confirm; only its keyed digest is kept."""

    __tablename__ = "phone_codes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    code_digest: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhoneCodeIn(BaseModel):
    model_config = ConfigDict(title="PhoneVerificationCode")

    code: Text(max_length=12, description="the 6 digits sent by SMS")


def forget_codes(user: User) -> None:
    """Drop a waiting code: the number it was sent to is no longer the account's."""
    db.session.execute(delete(PhoneCode).where(PhoneCode.user_id == user.id))


def start(user: User) -> PhoneCode:
    """Send a new code to the account's mobile; it replaces any code sent before."""
    if not user.phone:
        raise Conflict("There is no mobile number on your account. Add one to your details first.")
    if user.phone_verified_at is not None:
        raise Conflict("Your mobile number is already verified.")
    forget_codes(user)
    code = one_time_codes.new_code()
    now = utcnow()
    pending = PhoneCode(id=str(uuid.uuid4()), user_id=user.id, attempts=0, created_at=now)
    pending.expires_at = now + PHONE_CODE_TTL
    pending.code_digest = one_time_codes.digest(_PURPOSE, pending.id, code)
    db.session.add(pending)
    db.session.flush()
    minutes = int(PHONE_CODE_TTL.total_seconds() // 60)
    send_sms(
        user.phone,
        _l(
            "%(code)s is your TradeSetu code to verify your mobile number. It expires in "
            "%(minutes)s minutes. Do not share it.",
            code=code,
            minutes=minutes,
        ),
        language=user.language,
    )
    audit.record("account.phone_code_sent", actor_id=user.id, subject=user)
    return pending


def confirm(user: User, confirmation: PhoneCodeIn) -> User:
    """The right code marks the mobile verified; a wrong one is counted (at most ATTEMPTS)."""
    if user.phone_verified_at is not None:
        raise Conflict("Your mobile number is already verified.")
    row_id = db.session.scalar(select(PhoneCode.id).where(PhoneCode.user_id == user.id))
    if row_id is None:
        raise Conflict("No code is waiting for your mobile number. Please ask for a new code.")
    claimed = one_time_codes.claim_attempt(PhoneCode, row_id)
    pending = db.session.get(PhoneCode, row_id, with_for_update=True, populate_existing=True)
    if pending is None:  # replaced by a newer code in the meantime
        raise Conflict("This code was replaced by a newer one. Please use the latest code.")
    if pending.expires_at <= utcnow():
        raise ValidationFailed({"code": ["this code has expired; ask for a new one"]})
    if not claimed:
        raise ValidationFailed({"code": ["too many wrong codes; ask for a new one"]})
    one_time_codes.check(
        pending.code_digest, _PURPOSE, pending.id, confirmation.code, tries=pending.attempts
    )
    db.session.delete(pending)
    user.phone_verified_at = utcnow()
    audit.record("account.phone_verified", actor_id=user.id, subject=user)
    return user
