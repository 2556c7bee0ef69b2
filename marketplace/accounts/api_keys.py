"""API credentials: session tokens (`POST /auth/tokens`), a supplier's integration keys, and
the lookup every API request makes of its bearer credential.

Functions flush but never commit: the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from marketplace import audit
from marketplace.accounts import policy
from marketplace.accounts.inputs import IntegrationKeyIn
from marketplace.accounts.models import ApiCredential, CredentialKind, User, UserRole
from marketplace.accounts.policy import Bearer
from marketplace.crypto import token_digest
from marketplace.db import UTCDateTime, after_commit, get_owned, utcnow
from marketplace.errors import ValidationFailed
from marketplace.extensions import db

log = logging.getLogger(__name__)

LAST_USED_RESOLUTION = timedelta(minutes=5)


def _new_credential(
    user: User, kind: CredentialKind, prefix: str, **fields: Any
) -> tuple[str, ApiCredential]:
    secret = prefix + secrets.token_urlsafe(32)
    credential = ApiCredential(
        user=user,
        kind=kind,
        token_digest=token_digest(secret),
        prefix=secret[:12],
        session_nonce=user.session_nonce,
        **fields,
    )
    db.session.add(credential)
    db.session.flush()
    return secret, credential


def issue_bearer_token(user: User) -> tuple[str, ApiCredential]:
    ttl = timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
    token, credential = _new_credential(
        user, CredentialKind.SESSION, "mkt_", expires_at=utcnow() + ttl
    )
    audit.record("auth.token_issued", actor_id=user.id, subject=credential)
    return token, credential


def create_integration_key(user: User, body: IntegrationKeyIn) -> tuple[str, ApiCredential]:
    """A business's long-lived key for its CRM, acting only within the scopes named. It acts as
    the business's owner (keys belong to the business), whoever of the owner and the managers
    made it; who did is kept, so that the key leaves with them."""
    holder = policy.key_holder(user)
    name = body.name or "Integration key"
    scopes = body.scopes
    beyond = policy.scopes_beyond_role(user, scopes)
    if beyond:
        raise ValidationFailed(
            {"scopes": [f"your role cannot give a key these scopes: {', '.join(beyond)}"]}
        )
    key, credential = _new_credential(
        holder, CredentialKind.INTEGRATION, "mkk_", name=name, scopes=scopes, created_by_id=user.id
    )
    audit.record("api_key.created", actor_id=user.id, subject=credential, name=name, scopes=scopes)
    return key, credential


def integration_keys(user: User) -> list[ApiCredential]:
    return list(
        db.session.scalars(
            select(ApiCredential)
            .where(
                ApiCredential.user_id == user.id,
                ApiCredential.kind == CredentialKind.INTEGRATION,
                ApiCredential.revoked_at.is_(None),
            )
            .order_by(ApiCredential.id)
        )
    )


def business_keys(user: User) -> list[ApiCredential]:
    """The live integration keys of the business the caller manages keys for (a 403 for
    anyone who may not)."""
    return integration_keys(policy.key_holder(user))


def keys_made_by(user: User) -> list[ApiCredential]:
    """The live integration keys this person made (whoever's business they belong to)."""
    return list(
        db.session.scalars(
            select(ApiCredential).where(
                ApiCredential.created_by_id == user.id,
                ApiCredential.kind == CredentialKind.INTEGRATION,
                ApiCredential.revoked_at.is_(None),
            )
        )
    )


def revoke_integration_key(user: User, key_id: int) -> None:
    holder = policy.keys_searched_for(user)
    credential = get_owned(
        ApiCredential,
        key_id,
        (ApiCredential.user_id == holder.id)
        & (ApiCredential.kind == CredentialKind.INTEGRATION)
        & ApiCredential.revoked_at.is_(None),
    )
    credential.revoked_at = utcnow()
    audit.record("api_key.revoked", actor_id=user.id, subject=credential)


@cache
def _bearer_by_digest() -> Select[tuple[Any, ...]]:
    """The live credential with this digest: not revoked, not expired, its account active and,
    for a session token, issued since the account's last sign-out everywhere. One row per role
    the account holds (none when the credential is not live). Built once: every API request
    runs it, on the tables rather than through the ORM."""
    credentials, users, roles = ApiCredential.__table__, User.__table__, UserRole.__table__
    # A team member's key belongs to the owner's account but its maker saw the secret: while
    # the maker is suspended, the key is refused too (not revoked: lifting brings it back).
    maker = User.__table__.alias("maker")
    return (
        select(
            credentials.c.id,
            credentials.c.user_id,
            credentials.c.kind,
            credentials.c.scopes,
            credentials.c.last_used_at,
            roles.c.role,
        )
        .join(users, users.c.id == credentials.c.user_id)
        .outerjoin(roles, roles.c.user_id == users.c.id)
        .outerjoin(maker, maker.c.id == credentials.c.created_by_id)
        .where(
            credentials.c.token_digest == bindparam("digest"),
            credentials.c.revoked_at.is_(None),
            or_(
                credentials.c.expires_at.is_(None),
                credentials.c.expires_at > bindparam("now", type_=UTCDateTime()),
            ),
            users.c.is_active_account.is_(True),
            maker.c.suspended_at.is_(None),
            or_(
                credentials.c.kind != CredentialKind.SESSION,
                credentials.c.session_nonce == users.c.session_nonce,
            ),
        )
    )


def _record_use(credential_id: int, now: datetime) -> None:
    """Best effort, after the request's commit: the request is done, so a failure here (a lock
    wait, a database blip) must neither answer 500 nor keep the commit's other work from running."""
    credentials = ApiCredential.__table__
    try:
        db.session.execute(
            update(credentials)
            .where(
                credentials.c.id == credential_id,
                or_(
                    credentials.c.last_used_at.is_(None),
                    credentials.c.last_used_at <= now - LAST_USED_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("could not record the use of credential %s", credential_id, exc_info=True)


def credential_for_bearer(token: str) -> Bearer | None:
    """The caller behind a live bearer token, or None."""
    now = utcnow()
    rows = db.session.execute(
        _bearer_by_digest(), {"digest": token_digest(token), "now": now}
    ).all()
    if not rows:
        return None
    first = rows[0]
    # Record use coarsely: one write per key every few minutes, not one per request, and after
    # the request's commit, so that its transaction holds no lock on the key meanwhile.
    if first.last_used_at is None or now - first.last_used_at > LAST_USED_RESOLUTION:
        after_commit(lambda: _record_use(first.id, now), once=f"credential-used-{first.id}")
    return Bearer(
        credential_id=first.id,
        user_id=first.user_id,
        kind=first.kind,
        scopes=frozenset(first.scopes or ()),
        roles=frozenset(row.role for row in rows if row.role is not None),
    )
