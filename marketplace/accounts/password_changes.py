"""Changing a password: by its owner (the current one given), or through an emailed reset link;
either way other sessions end.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace import audit
from marketplace.accounts.api_keys import integration_keys
from marketplace.accounts.details import check_current_password, check_new_password
from marketplace.accounts.inputs import PasswordChangeIn, PasswordResetConfirmIn
from marketplace.accounts.links import load_link, serializer
from marketplace.accounts.models import User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.queries import find_user_by_email
from marketplace.accounts.sessions import sign_out_everywhere
from marketplace.db import utcnow
from marketplace.errors import FieldErrors, ValidationFailed
from marketplace.extensions import db
from marketplace.notifications import absolute_url, send_email


def _password_fingerprint(user: User) -> str:
    # Part of a reset token: once the password changes, every older reset link is dead.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    return serializer("reset-password").dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def request_password_reset(email: Any) -> None:
    """Send a reset link if the account exists; say nothing either way (no account probing)."""
    user = find_user_by_email(email) if isinstance(email, str) and email else None
    if user is None or not user.is_active_account:
        return
    token = reset_token(user)
    minutes = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
    send_email(
        user.email,
        _l("Reset your password"),
        "reset_password",
        language=user.language,
        user=user,
        link=absolute_url("accounts.reset_password", token=token),
        minutes=minutes,
    )
    audit.record("auth.password_reset_requested", subject=user)


def reset_password(body: PasswordResetConfirmIn) -> User:
    """A new password through the emailed link: the link first, then the password's rules."""
    ttl = timedelta(minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"])
    payload = load_link("reset-password", body.token, ttl)
    user = db.session.get(User, payload.get("uid"))
    if user is None or payload.get("pw") != _password_fingerprint(user):
        raise ValidationFailed(
            {"token": ["this link has already been used"]},
            "This link has already been used. Please ask for a new one.",
        )
    errors = FieldErrors()
    check_new_password(errors, "password", body.password, user)
    if errors:
        raise ValidationFailed(errors.errors)
    if user.email_verified_at is None:  # the link reached this address: it is theirs
        user.email_verified_at = utcnow()
    # Account recovery: whoever else held a session, a token or a key loses it.
    _set_password(user, body.password, "auth.password_reset", revoke_keys=True)
    return user


def change_password(user: User, body: PasswordChangeIn) -> dict[str, int]:
    """Change the password: every session and session token ends (the caller starts the current
    browser's session again); integration keys end too when `revoke_integration_keys` is true."""
    errors = FieldErrors()
    check_current_password(errors, body.current_password, user, "change your password")
    check_new_password(errors, "new_password", body.new_password, user)
    if errors:
        raise ValidationFailed(errors.errors)
    return _set_password(
        user, body.new_password, "auth.password_changed", revoke_keys=body.revoke_integration_keys
    )


def _set_password(user: User, password: str, action: str, *, revoke_keys: bool) -> dict[str, int]:
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    ended = sign_out_everywhere(user, revoke_keys=revoke_keys)
    audit.record(action, actor_id=user.id, subject=user, **ended)
    send_email(
        user.email,
        _l("Your password was changed"),
        "password_changed",
        language=user.language,
        user=user,
        keys_revoked=ended["keys_revoked"],
        keys_kept=len(integration_keys(user)) if not revoke_keys else 0,
    )
    return ended
