"""Signing in with a password, and its throttling.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from marketplace import audit
from marketplace.accounts.models import SignInThrottle, User
from marketplace.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_matches,
    refused_in_production,
    spend_equal_time,
)
from marketplace.accounts.queries import find_user_by_email
from marketplace.crypto import blind_index
from marketplace.db import utcnow
from marketplace.errors import ServiceError
from marketplace.extensions import db
from marketplace.signals import deactivated_account_signed_in

# Sign-in throttling is keyed on the source, never on the account alone: the pair (address,
# typed email) after 5 wrong passwords in a row, the address alone (many accounts tried from one
# place) after 20. Each further failure locks that source for twice as long as the last, up to the
# cap; an hour without failures forgets them. The owner signing in from elsewhere is never held
# up, and known and unknown emails are counted, answered and timed alike.
FREE_FAILURES = 5

ADDRESS_FREE_FAILURES = 20

FIRST_LOCK = timedelta(seconds=30)

LONGEST_LOCK = timedelta(minutes=15)

FAILURE_MEMORY = timedelta(hours=1)


class SignInFailed(ServiceError):
    status = 401
    title = "Sign-in failed"

    def __init__(self) -> None:
        super().__init__(_("The email or password is not correct."))


class SignInThrottled(ServiceError):
    status = 429
    title = "Too many failed sign-ins"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            ngettext(
                "Too many failed sign-ins from here. Try again in about %(num)d minute, or "
                "reset your password.",
                "Too many failed sign-ins from here. Try again in about %(num)d minutes, or "
                "reset your password.",
                minutes,
            )
        )
        self.retry_after = retry_after


def _request_address() -> str:
    return (request.remote_addr if has_request_context() else None) or "local"


def _sign_in_sources(address: str, email: str) -> list[tuple[str, int]]:
    """The throttled sources of one attempt, as (keyed digest, failures allowed before a lock)."""
    return [
        (blind_index(f"sign-in|{address}"), ADDRESS_FREE_FAILURES),
        (blind_index(f"sign-in|{address}|{email}"), FREE_FAILURES),
    ]


def _throttle_rows(digests: list[str]) -> dict[str, SignInThrottle]:
    rows = db.session.scalars(
        select(SignInThrottle).where(SignInThrottle.source_digest.in_(digests))
    )
    return {row.source_digest: row for row in rows}


def _count_failure(sources: list[tuple[str, int]], now: Any) -> None:
    db.session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.last_failure_at < now - FAILURE_MEMORY - LONGEST_LOCK
        )
    )
    rows = _throttle_rows([digest for digest, _ in sources])
    for digest, free in sources:
        row = rows.get(digest)
        if row is None:
            row = SignInThrottle(source_digest=digest, failures=0, last_failure_at=now)
            try:
                with db.session.begin_nested():  # another node may count the same source now
                    db.session.add(row)
            except IntegrityError:
                row = db.session.scalars(
                    select(SignInThrottle).where(SignInThrottle.source_digest == digest)
                ).one()
        if now - row.last_failure_at > FAILURE_MEMORY:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= free:
            lock = FIRST_LOCK * 2 ** min(row.failures - free, 16)
            row.locked_until = now + min(lock, LONGEST_LOCK)


def _failure_reason(password: str) -> str:
    # Answered as any wrong password; the audit tells the operator a published one was tried.
    return "published_password" if refused_in_production(password) else "wrong_password"


def authenticate(email: Any, password: Any, *, channel: str, address: str | None = None) -> User:
    """Check a password sign-in. Failures are recorded (and committed by the caller, which must
    catch SignInFailed/SignInThrottled and return normally)."""
    email = email.strip().lower() if isinstance(email, str) else ""
    password = password if isinstance(password, str) else ""
    sources = _sign_in_sources(address or _request_address(), email)
    user = find_user_by_email(email) if email else None
    # A deactivated account (never an erased one) signs in, and signing in reactivates it.
    known = user is not None and (
        user.is_active_account or (user.deactivated_at is not None and user.erased_at is None)
    )
    now = utcnow()
    locks = [
        row.locked_until
        for row in _throttle_rows([digest for digest, _ in sources]).values()
        if row.locked_until and row.locked_until > now
    ]
    if locks:
        audit.record(
            "auth.sign_in_throttled",
            subject=user if known else None,
            # Never the address itself: a keyed digest still tells repeated attempts apart.
            email_digest=blind_index(f"audit-email|{email}"),
            channel=channel,
        )
        raise SignInThrottled(int((max(locks) - now).total_seconds()) + 1)
    if user is None or not known:
        spend_equal_time(password)  # as long as a wrong password takes
        matches = False
    else:
        matches = password_matches(password, user.password_hash)
    if not matches:
        _count_failure(sources, now)
        if user is not None and known:
            user.failed_sign_ins += 1
            audit.record(
                "auth.sign_in_failed",
                subject=user,
                reason=_failure_reason(password),
                failures=user.failed_sign_ins,
                channel=channel,
            )
        else:
            audit.record(
                "auth.sign_in_failed",
                reason="unknown_account",
                email_digest=blind_index(f"audit-email|{email}"),
                channel=channel,
            )
        raise SignInFailed()
    assert user is not None
    # The right password clears this source's count; the address's own count stays, so one
    # account of the attacker's cannot wash away failures against others.
    pair = _throttle_rows([sources[1][0]]).get(sources[1][0])
    if pair is not None:
        db.session.delete(pair)
    user.failed_sign_ins = 0
    user.last_sign_in_at = now
    user.inactivity_warned_at = None  # an inactivity warning is answered by signing in
    if not user.is_active_account:
        # Privacy owns the deactivation: it reopens the account and the listings it paused.
        deactivated_account_signed_in.send(user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("auth.signed_in", actor_id=user.id, subject=user, channel=channel)
    return user
