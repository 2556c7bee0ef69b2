"""The accounts domain's kinds of use, for the inactivity sweep (marketplace.privacy.activity):
signing in, a browser session in use, and a token or integration key in use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select

from marketplace.accounts.models import ApiCredential, User, UserSession
from marketplace.privacy.activity import register


def _signed_in(since: datetime) -> Select[Any]:
    return select(User.id).where(User.last_sign_in_at >= since)


def _session_used(since: datetime) -> Select[Any]:
    return select(UserSession.user_id).where(UserSession.last_seen_at >= since)


def _key_used(since: datetime) -> Select[Any]:
    # A key's use is recorded coarsely (accounts.api_keys: once every few minutes), and a
    # CRM pull stamps its own column: either is use.
    return select(ApiCredential.user_id).where(
        or_(ApiCredential.last_used_at >= since, ApiCredential.crm_pulled_at >= since)
    )


register("sign-ins", _signed_in)
register("browser sessions", _session_used)
register("tokens and integration keys", _key_used)
