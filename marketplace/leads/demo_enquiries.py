"""The demo's enquiries of the last weeks, answered as real suppliers answer them: most
suppliers within hours, some after a day or two, a few hardly ever, and some too new to have
figures, so the storefronts, product pages and search results show every kind of response
figures (`flask demo seed` calls this)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadSource, LeadStatus, Message, MessageSide

# (share of suppliers, share of enquiries answered, hours to the first answer: low, high)
HABITS = (
    (0.5, 0.95, (0.2, 6)),  # prompt
    (0.25, 0.8, (8, 48)),  # slow
    (0.1, 0.2, (2, 72)),  # hardly answers
)  # the rest: too few enquiries for figures
ENQUIRY_TEXT = "Please quote your best price with delivery to our works."
ANSWER_TEXT = "Thank you for your enquiry. Our quotation follows by email today."


def _habit(rng: random.Random) -> tuple[float, tuple[float, float]] | None:
    draw = rng.random()
    for share, answered, hours in HABITS:
        if draw < share:
            return answered, hours
        draw -= share
    return None


def seed_enquiries(
    rng: random.Random,
    supplier_ids: Sequence[int],
    buyer_ids: Sequence[int],
    now: datetime,
) -> int:
    """Enquiries of the last 28 days from the demo's buyers, each answered (a message at
    `first_response_at`) or not, by each supplier's habit. Returns how many were made."""
    leads: list[dict[str, Any]] = []
    for supplier_id in supplier_ids if buyer_ids else ():
        habit = _habit(rng)
        count = rng.randint(4, 12) if habit else rng.randint(0, 2)
        answered_share, (low, high) = habit or (1.0, (1, 4))
        for _ in range(count):
            asked = now - timedelta(days=rng.uniform(1.5, 28))
            answered = rng.random() < answered_share
            leads.append(
                {
                    "supplier_id": supplier_id,
                    "buyer_id": rng.choice(buyer_ids),
                    "source": LeadSource.PRODUCT_PAGE,
                    "status": LeadStatus.CONTACTED if answered else LeadStatus.NEW,
                    "message": ENQUIRY_TEXT,
                    "created_at": asked,
                    "supplier_notified_at": asked,
                    "buyer_activity_at": asked,
                    "first_response_at": asked + timedelta(hours=rng.uniform(low, high))
                    if answered
                    else None,
                }
            )
    if not leads:
        return 0
    made = db.session.scalars(
        insert(Lead).returning(Lead.id, sort_by_parameter_order=True), leads
    ).all()
    db.session.execute(
        insert(Message),
        [
            {
                "lead_id": lead_id,
                "side": MessageSide.SUPPLIER,
                "text": ANSWER_TEXT,
                "created_at": row["first_response_at"],
            }
            for lead_id, row in zip(made, leads, strict=True)
            if row["first_response_at"] is not None
        ],
    )
    return len(made)


def demo_buyers(domain: str) -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.email.like(f"buyer%@{domain}"))))
