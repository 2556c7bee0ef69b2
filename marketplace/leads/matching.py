"""Matching a buy requirement to the suppliers whose products fit it best, and telling them.

Matching asks the search backend, so a requirement posted while search is down is stored all
the same and waits (its `matched_at` is None); beat's `match-pending-requirements` job, or
`flask leads match-requirements`, matches the waiting ones once search answers again. Each
requirement is claimed by a conditional UPDATE before it is matched, so two runs (beat and the
command line) never match one requirement twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from marketplace import audit
from marketplace.accounts.models import SupplierProfile
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.leads import preferences, queries, response_times
from marketplace.leads.masking import masked_words
from marketplace.leads.models import BuyRequirement, RequirementMatch
from marketplace.notifications import absolute_url, send_email
from marketplace.search_backend import backend
from search.protocol import MatchRequest, SearchUnavailable

log = logging.getLogger(__name__)


def try_to_match(requirement: BuyRequirement) -> bool:
    """Match a requirement just posted (in the caller's transaction). False when search is
    down: the requirement stays stored, waiting for `match_waiting_requirements`."""
    try:
        _match(requirement)
    except SearchUnavailable:
        log.warning("search is down: requirement %s waits to be matched", requirement.id)
        return False
    return True


def _match(requirement: BuyRequirement) -> None:
    """Ask search first, so an outage fails before anything is written; then record each
    matched supplier, in rank order, and mail it."""
    buyer = requirement.buyer
    matches = backend().match_suppliers(
        MatchRequest(
            text=f"{requirement.product_name} {requirement.description}".strip(),
            category=requirement.category.slug if requirement.category else None,
            state=requirement.state,
            city=requirement.city,
            exclude_supplier_id=buyer.supplier.id if buyer and buyer.supplier else None,
            limit=current_app.config["BUYLEAD_MATCH_LIMIT"],
        )
    )
    # A supplier who leaves most enquiries unanswered is matched after those who answer.
    answers = response_times.response_figures(match.supplier_id for match in matches)
    matches = sorted(matches, key=lambda match: answers[match.supplier_id].rarely_answers)
    suppliers = {
        profile.id: profile
        for profile in db.session.scalars(
            select(SupplierProfile).where(
                SupplierProfile.id.in_([match.supplier_id for match in matches])
            )
        )
        if profile.user.is_active_account
    }
    # Only the suppliers whose BuyLead preferences want it are matched, and so told of it.
    wanted = preferences.preferences_of(suppliers)
    suppliers = {
        id_: p for id_, p in suppliers.items() if preferences.accepts(wanted[id_], requirement)
    }
    rank = 0
    words = masked_words(requirement)  # nobody mailed has unlocked the buyer's contact yet
    for match in matches:
        profile = suppliers.get(match.supplier_id)
        if profile is None:
            continue
        rank += 1
        db.session.add(
            RequirementMatch(requirement_id=requirement.id, supplier_id=profile.id, rank=rank)
        )
        send_email(
            profile.user.email,
            _l(
                "New BuyLead: %(product)s in %(city)s",
                product=words["product_name"],
                city=words["city"],
            ),
            "new_buylead",
            language=profile.user.language,
            requirement=requirement,
            words=words,
            link=absolute_url("leads.buyleads"),
        )
    requirement.matched = rank
    requirement.matched_at = utcnow()


def waiting_requirements() -> list[int]:
    """The open requirements that still wait to be matched, oldest first."""
    return list(
        db.session.scalars(
            select(BuyRequirement.id)
            .where(
                BuyRequirement.matched_at.is_(None),
                BuyRequirement.closed_at.is_(None),
                BuyRequirement.expires_at > utcnow(),
                BuyRequirement.buyer_id.not_in(queries.deactivated_buyers()),
            )
            .order_by(BuyRequirement.created_at, BuyRequirement.id)
        )
    )


def waiting_since() -> datetime | None:
    """When the oldest requirement still waiting to be matched was posted (for /healthz)."""
    return db.session.scalar(
        select(func.min(BuyRequirement.created_at)).where(
            BuyRequirement.matched_at.is_(None),
            BuyRequirement.closed_at.is_(None),
            BuyRequirement.expires_at > utcnow(),
        )
    )


def match_waiting_requirements() -> int:
    """Match each waiting requirement in its own transaction; stop at the first sign that
    search is still down (the rest wait for the next run). Returns how many were matched."""
    matched = 0
    for requirement_id in waiting_requirements():
        claimed = db.session.execute(
            update(BuyRequirement)
            .where(BuyRequirement.id == requirement_id, BuyRequirement.matched_at.is_(None))
            .values(matched_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed:  # another run matched it meanwhile
            db.session.rollback()
            continue
        requirement = db.session.get(BuyRequirement, requirement_id)
        assert requirement is not None  # claimed just now, in this transaction
        try:
            _match(requirement)
        except SearchUnavailable:
            db.session.rollback()  # the claim goes with it: the requirement still waits
            log.warning("search is still down: %s requirement(s) wait", _count_waiting())
            break
        audit.record("requirement.matched", subject=requirement, matched=requirement.matched)
        commit()  # the suppliers' mails go after it
        matched += 1
    return matched


def _count_waiting() -> int:
    return len(waiting_requirements())
