"""Browser sessions, kept on the server (the cookie carries only their id), and signing out
everywhere: every session, session token and, when asked, integration key.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from marketplace import audit
from marketplace.accounts.api_keys import integration_keys
from marketplace.accounts.models import User, UserSession
from marketplace.crypto import token_digest
from marketplace.db import utcnow
from marketplace.extensions import db

SESSION_TOUCH_RESOLUTION = timedelta(minutes=1)


def _session_expired(row: UserSession, now: Any) -> bool:
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    longest = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return now - row.last_seen_at > idle or now - row.created_at > longest


def start_web_session(user: User) -> str:
    """Record a browser's sign-in on the server; the returned id goes in its cookie."""
    now = utcnow()
    for row in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        if _session_expired(row, now):
            db.session.delete(row)
    session_id = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            id_digest=token_digest(session_id), user_id=user.id, created_at=now, last_seen_at=now
        )
    )
    db.session.flush()
    user.web_session_id = session_id
    return session_id


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader (session and remember-me cookie alike): the session must still be on
    the server and within its idle and absolute lifetimes."""
    row = db.session.scalar(
        select(UserSession).where(UserSession.id_digest == token_digest(session_id))
    )
    if row is None:
        return None
    now = utcnow()
    if _session_expired(row, now):
        db.session.delete(row)
        return None
    user = row.user
    if not user.is_active_account:
        return None
    if now - row.last_seen_at > SESSION_TOUCH_RESOLUTION:  # one write a minute, not a request
        row.last_seen_at = now
    user.web_session_id = session_id
    return user


def end_web_session(user: User) -> None:
    """Sign out: the session ends on the server, so a copy of the cookie is worth nothing."""
    if user.web_session_id:
        db.session.execute(
            delete(UserSession).where(UserSession.id_digest == token_digest(user.web_session_id))
        )
    audit.record("auth.signed_out", actor_id=user.id, subject=user)


def sign_out_everywhere(user: User, *, revoke_keys: bool) -> dict[str, int]:
    """End every browser session and session token; with `revoke_keys`, every integration key."""
    sessions = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.session_nonce = secrets.token_urlsafe(16)  # every session token dies with it
    user.web_session_id = None
    keys = integration_keys(user) if revoke_keys else []
    now = utcnow()
    for key in keys:
        key.revoked_at = now
    return {"sessions_ended": sessions.rowcount or 0, "keys_revoked": len(keys)}
