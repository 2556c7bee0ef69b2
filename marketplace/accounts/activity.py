"""The accounts domain's kinds of use, for the inactivity sweep (marketplace.privacy.activity):
signing in, a browser session in use, a token or integration key in use, and, for a
business's owner, its team at work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select

from marketplace.accounts.models import ApiCredential, SupplierProfile, User, UserSession
from marketplace.accounts.team_models import TeamMember
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


def _team_at_work(since: datetime) -> Select[Any]:
    """An owner whose staff use the portal for the business is using it: a business run by
    its team must not be erased for its owner's silence."""
    active_members = select(TeamMember.user_id).where(
        TeamMember.removed_at.is_(None),
        or_(
            TeamMember.user_id.in_(_signed_in(since)),
            TeamMember.user_id.in_(_session_used(since)),
        ),
    )
    return (
        select(SupplierProfile.user_id)
        .join(TeamMember, TeamMember.supplier_id == SupplierProfile.id)
        .where(TeamMember.user_id.in_(active_members))
    )


register("sign-ins", _signed_in)
register("browser sessions", _session_used)
register("tokens and integration keys", _key_used)
register("the business's team at work", _team_at_work)
