"""An account's email address: confirming it, changing it (it takes effect once confirmed from
the new address), and undoing a change from the old one.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace import audit
from marketplace.accounts.details import refuse_duplicates
from marketplace.accounts.links import load_link, serializer
from marketplace.accounts.models import User
from marketplace.accounts.sessions import sign_out_everywhere
from marketplace.db import utcnow
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.notifications import absolute_url, send_email

EMAIL_CHANGE_UNDO_TTL = timedelta(days=14)


def send_email_verification(user: User) -> None:
    token = serializer("verify-email").dumps({"uid": user.id, "email": user.email})
    send_email(
        user.email,
        _l("Confirm your email address"),
        "verify_email",
        language=user.language,
        user=user,
        link=absolute_url("accounts.verify_email", token=token),
        hours=current_app.config["EMAIL_VERIFICATION_TTL_HOURS"],
    )


def verify_email(token: Any) -> User:
    ttl = timedelta(hours=current_app.config["EMAIL_VERIFICATION_TTL_HOURS"])
    payload = load_link("verify-email", token, ttl)
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        raise ValidationFailed(
            {"token": ["this link is not valid"]},
            "This link is for an email address that is no longer on the account.",
        )
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("account.email_verified", actor_id=user.id, subject=user)
    return user


def request_email_change(user: User, new_email: str) -> None:
    """The new address takes effect once confirmed from it; the old one hears of it at once,
    with a link that undoes the change."""
    user.pending_email = new_email
    confirm = serializer("change-email").dumps({"uid": user.id, "email": new_email})
    undo = serializer("undo-email-change").dumps(
        {"uid": user.id, "old": user.email, "new": new_email}
    )
    send_email(
        new_email,
        _l("Confirm your new email address"),
        "confirm_email_change",
        language=user.language,
        user=user,
        new_email=new_email,
        link=absolute_url("accounts.confirm_email_change", token=confirm),
        hours=current_app.config["EMAIL_VERIFICATION_TTL_HOURS"],
    )
    send_email(
        user.email,
        _l("A new email address was asked for your account"),
        "email_change_notice",
        language=user.language,
        user=user,
        new_email=new_email,
        link=absolute_url("accounts.undo_email_change", token=undo),
        days=EMAIL_CHANGE_UNDO_TTL.days,
    )
    audit.record("account.email_change_requested", actor_id=user.id, subject=user)


def confirm_email_change(token: Any) -> User:
    ttl = timedelta(hours=current_app.config["EMAIL_VERIFICATION_TTL_HOURS"])
    payload = load_link("change-email", token, ttl)
    user = db.session.get(User, payload.get("uid"))
    new_email = payload.get("email")
    if user is None or not new_email or user.pending_email != new_email:
        raise ValidationFailed(
            {"token": ["this link is no longer valid"]},
            "This change of email was cancelled or replaced by a newer one.",
        )
    refuse_duplicates(email=new_email, except_user=user)
    user.email = new_email
    user.email_verified_at = utcnow()  # the link reached the new mailbox
    user.pending_email = None
    audit.record("account.email_changed", actor_id=user.id, subject=user)
    return user


def undo_email_change(token: Any) -> User:
    """From the old address: cancel the change (or revert it if confirmed already), and sign out
    every session, token and key, since someone else may hold them."""
    payload = load_link("undo-email-change", token, EMAIL_CHANGE_UNDO_TTL)
    user = db.session.get(User, payload.get("uid"))
    old, new = payload.get("old"), payload.get("new")
    if user is None or not isinstance(old, str) or not isinstance(new, str):
        raise ValidationFailed({"token": ["this link is not valid"]}, "This link is not valid.")
    if user.email == new:
        refuse_duplicates(email=old, except_user=user)
        reverted = True
    elif user.email == old and user.pending_email == new:
        reverted = False
    else:
        raise ValidationFailed(
            {"token": ["this change was already undone or replaced"]},
            "There is nothing left to undo: this change was already undone or replaced.",
        )
    user.email = old
    user.email_verified_at = utcnow()  # the link reached the old mailbox
    user.pending_email = None
    ended = sign_out_everywhere(user, revoke_keys=True)
    audit.record("account.email_change_undone", subject=user, reverted=reverted, **ended)
    return user
