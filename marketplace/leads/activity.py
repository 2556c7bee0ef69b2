"""The leads domain's kinds of use, for the inactivity sweep (marketplace.privacy.activity): a
buyer's enquiries and requirements, and anyone's messages and lead notes. (A supplier's work on
its leads is done signed in or with a key, which the accounts domain counts.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from marketplace.leads.models import BuyRequirement, Lead, LeadNote, Message
from marketplace.privacy.activity import register


def _enquired(since: datetime) -> Select[Any]:
    return select(Lead.buyer_id).where(Lead.buyer_id.is_not(None), Lead.created_at >= since)


def _required(since: datetime) -> Select[Any]:
    return select(BuyRequirement.buyer_id).where(
        BuyRequirement.buyer_id.is_not(None), BuyRequirement.created_at >= since
    )


def _wrote(since: datetime) -> Select[Any]:
    return select(Message.author_id).where(
        Message.author_id.is_not(None), Message.created_at >= since
    )


def _noted(since: datetime) -> Select[Any]:
    return select(LeadNote.author_id).where(
        LeadNote.author_id.is_not(None), LeadNote.created_at >= since
    )


register("enquiries", _enquired)
register("buy requirements", _required)
register("messages", _wrote)
register("lead notes", _noted)
