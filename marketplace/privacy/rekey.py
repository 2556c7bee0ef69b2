"""Blind indexes have their own key (FIELD_INDEX_KEY), apart from SECRET_KEY, so rotating the
secret that signs sessions no longer breaks phone look-ups. Digests made with another key are
recomputed from the encrypted values: `flask privacy rehash-phones --from-secret-key` after the
upgrade (migration 0011 runs it too), or after FIELD_INDEX_KEY itself changes."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.crypto import blind_index
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads.models import GuestEnquiry


def rehash_phone_digests(batch: int = 500) -> int:
    """Recompute every stored phone digest with the configured index key. Idempotent."""
    changed = 0
    last = 0
    while True:
        users = db.session.scalars(
            select(User)
            .where(User.id > last, User.phone.is_not(None))
            .order_by(User.id)
            .limit(batch)
        ).all()
        if not users:
            break
        for user in users:
            digest = blind_index(user.phone) if user.phone else None
            if user.phone_digest != digest:
                user.phone_digest = digest
                changed += 1
        last = users[-1].id
        commit()
    for guest in db.session.scalars(select(GuestEnquiry)):
        digest = blind_index(guest.phone)
        if guest.phone_digest != digest:
            guest.phone_digest = digest
            changed += 1
    commit()
    return changed
