"""Buy requirements become BuyLeads: a buyer posts what they need, `matching` finds the suppliers
whose products fit best, and each matched supplier may spend one credit to see the buyer's
contact, which makes it a lead (type `buylead`) in its lead manager.

A requirement is open until the buyer closes it, its days run out, or it reaches its unlock cap;
the cap holds under concurrent unlocks because a slot is taken by a conditional UPDATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select, update

from marketplace import audit, metrics
from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.categories import categories
from marketplace.credits.ledger import spend_credit
from marketplace.db import get_owned, paginate, utcnow
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.leads import assignment, bad_leads, matching, policy, queries, webhook_outbox
from marketplace.leads.inputs import RequirementIn
from marketplace.leads.models import (
    BuyRequirement,
    Lead,
    LeadSource,
    LeadStatus,
    LeadType,
    RequirementMatch,
    WebhookEvent,
)
from marketplace.leads.schemas import requirement_status


class RequirementClosed(Conflict):
    title = "This BuyLead cannot be unlocked"


# --- the buyer's side ------------------------------------------------------------------------


def post_requirement(buyer: User, posted: RequirementIn) -> BuyRequirement:
    """Store the requirement, match it to suppliers and tell them; while search is down it is
    stored all the same and matched when search returns."""
    bad_leads.require_trusted_buyer(buyer)
    open_days = posted.open_days or current_app.config["BUYLEAD_OPEN_DAYS"]
    requirement = BuyRequirement(
        buyer_id=buyer.id,
        buyer=buyer,
        product_name=posted.product_name,
        description=posted.description or "",
        category_id=categories()[posted.category].id if posted.category else None,
        quantity=posted.quantity,
        unit=posted.unit,
        budget=posted.budget,
        city=posted.city,
        state=posted.state,
        expires_at=utcnow() + timedelta(days=open_days),
    )
    db.session.add(requirement)
    db.session.flush()
    matched = matching.try_to_match(requirement)
    audit.record(
        "requirement.posted",
        actor_id=buyer.id,
        subject=requirement,
        matched=requirement.matched if matched else "waiting for search",
    )
    return requirement


def posted_message(requirement: BuyRequirement) -> str:
    """What the buyer is told once a requirement is posted."""
    if requirement.matched_at is None:
        return _(
            "Your requirement is posted. Our product search is briefly unavailable, so we will "
            "send it to matching suppliers as soon as it is back."
        )
    count = requirement.matched
    return ngettext(
        "Your requirement is posted and sent to %(num)d matching supplier.",
        "Your requirement is posted and sent to %(num)d matching suppliers.",
        count,
    )


def own_requirements(buyer: User, *, page: int, per_page: int) -> tuple[list[BuyRequirement], int]:
    query = select(BuyRequirement).where(BuyRequirement.buyer_id == buyer.id)
    newest_first = query.order_by(BuyRequirement.created_at.desc(), BuyRequirement.id.desc())
    return paginate(newest_first, page=page, per_page=per_page)


def own_requirement(buyer: User, requirement_id: int) -> BuyRequirement:
    return get_owned(BuyRequirement, requirement_id, BuyRequirement.buyer_id == buyer.id)


def unlocked_by(requirement_ids: list[int]) -> dict[int, list[SupplierProfile]]:
    """Who unlocked each requirement (the buyer sees which suppliers have the contact)."""
    rows = db.session.execute(
        select(Lead.requirement_id, SupplierProfile)
        .join(SupplierProfile, SupplierProfile.id == Lead.supplier_id)
        .where(Lead.requirement_id.in_(requirement_ids))
        .order_by(Lead.id)
    ).all()
    found: dict[int, list[SupplierProfile]] = {rid: [] for rid in requirement_ids}
    for requirement_id, profile in rows:
        found[requirement_id].append(profile)
    return found


def close_requirement(buyer: User, requirement_id: int) -> BuyRequirement:
    requirement = own_requirement(buyer, requirement_id)
    if requirement.closed_at is None:
        requirement.closed_at = utcnow()
        audit.record("requirement.closed", actor_id=buyer.id, subject=requirement)
    return requirement


# --- the supplier's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class BuyLead:
    """A requirement as a matched supplier sees it: the contact only once unlocked."""

    requirement: BuyRequirement
    lead: Lead | None  # this supplier's lead, once unlocked


def feed(user: User, *, page: int, per_page: int) -> tuple[list[BuyLead], int]:
    """The requirements matched to this supplier that are open, or that it unlocked; newest
    first."""
    supplier = policy.buylead_buyer(user)
    now = utcnow()
    mine = select(Lead.requirement_id).where(
        Lead.supplier_id == supplier.id, Lead.requirement_id.is_not(None)
    )
    query = (
        select(BuyRequirement)
        .join(RequirementMatch, RequirementMatch.requirement_id == BuyRequirement.id)
        .where(RequirementMatch.supplier_id == supplier.id)
        .where(BuyRequirement.buyer_id.not_in(queries.deactivated_buyers()))
        .where(
            (
                BuyRequirement.closed_at.is_(None)
                & (BuyRequirement.expires_at > now)
                & (BuyRequirement.unlocks < current_app.config["BUYLEAD_UNLOCK_CAP"])
            )
            | BuyRequirement.id.in_(mine)
        )
    )
    newest_first = query.order_by(BuyRequirement.created_at.desc(), BuyRequirement.id.desc())
    rows, total = paginate(newest_first, page=page, per_page=per_page)
    # A sales person sees the contacts of the BuyLeads they work, not a colleague's: theirs
    # stay masked (unlocking one says who works it).
    scope = policy.lead_scope(user)
    leads = {
        lead.requirement_id: lead
        for lead in db.session.scalars(
            select(Lead).where(
                Lead.supplier_id == supplier.id,
                Lead.requirement_id.in_([row.id for row in rows]),
            )
        )
        if scope.sees_all or lead.assignee_id == scope.user_id
    }
    return [BuyLead(row, leads.get(row.id)) for row in rows], total


def _refuse_unless_open(requirement: BuyRequirement) -> None:
    """A 409 that says why, unless the requirement is open."""
    reason = {
        "closed": _l("This BuyLead cannot be unlocked: the buyer has closed it."),
        "expired": _l("This BuyLead cannot be unlocked: it has expired."),
        "full": _l(
            "This BuyLead cannot be unlocked: it has been unlocked by as many suppliers as it "
            "allows."
        ),
    }.get(requirement_status(requirement))
    if reason:
        raise RequirementClosed(str(reason))


def _matched(supplier: SupplierProfile, requirement_id: int) -> BuyRequirement:
    """The requirement, if it was matched to this supplier; otherwise not found."""
    requirement = db.session.scalar(
        select(BuyRequirement)
        .join(RequirementMatch, RequirementMatch.requirement_id == BuyRequirement.id)
        .where(BuyRequirement.id == requirement_id, RequirementMatch.supplier_id == supplier.id)
    )
    if requirement is None:
        raise NotFound(_("No such BuyLead."))
    return requirement


def unlock(user: User, requirement_id: int) -> Lead:
    """Spend one credit to see the buyer's contact; the BuyLead becomes a lead. Unlocking again
    returns the same lead and costs nothing."""
    supplier = policy.buylead_buyer(user)
    # One unlock at a time per supplier: a write that locks its row (PostgreSQL) or the
    # database (SQLite), so a double click finds the first click's lead.
    db.session.execute(
        update(SupplierProfile)
        .where(SupplierProfile.id == supplier.id)
        .values(updated_at=SupplierProfile.updated_at)
    )
    requirement = _matched(supplier, requirement_id)
    existing = db.session.scalar(
        select(Lead).where(Lead.supplier_id == supplier.id, Lead.requirement_id == requirement.id)
    )
    if existing is not None:
        policy.require_works_on(user, existing)  # a colleague's: said, not hidden
        return existing
    # Everything is checked before anything changes: open, then the credit. The slot is taken
    # last, atomically, in a savepoint with the debit: losing it to a concurrent unlock undoes
    # the debit there and then, whatever the caller does next.
    _refuse_unless_open(requirement)
    try:
        with db.session.begin_nested():
            spend_credit(
                supplier.id, reason="BuyLead unlocked", reference=f"buylead:{requirement.id}"
            )
            taken = db.session.execute(
                update(BuyRequirement)
                .where(
                    BuyRequirement.id == requirement.id,
                    BuyRequirement.closed_at.is_(None),
                    BuyRequirement.expires_at > utcnow(),
                    BuyRequirement.unlocks < current_app.config["BUYLEAD_UNLOCK_CAP"],
                )
                .values(unlocks=BuyRequirement.unlocks + 1)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if not taken:
                raise RequirementClosed(
                    _("This BuyLead cannot be unlocked right now; please try again.")
                )
    except RequirementClosed:
        db.session.refresh(requirement)
        _refuse_unless_open(requirement)  # a more precise reason, when there is one
        raise
    db.session.refresh(requirement)
    lead = Lead(
        supplier=supplier,
        supplier_id=supplier.id,
        buyer_id=requirement.buyer_id,
        type=LeadType.BUYLEAD,
        status=LeadStatus.NEW,
        source=LeadSource.BUY_REQUIREMENT,
        requirement_id=requirement.id,
        product_name=requirement.product_name,
        quantity=requirement.quantity,
        unit=requirement.unit,
        message=requirement.description or requirement.product_name,
        city=requirement.city,
        supplier_notified_at=utcnow(),  # the supplier unlocked it: nobody is to be told
    )
    db.session.add(lead)
    db.session.flush()
    assignment.assign_new_lead(
        lead.id,
        supplier,
        category_id=requirement.category_id,
        state=requirement.state,
        unlocked_by=user.id,
    )
    metrics.count_on_commit(metrics.LEADS_CREATED, type=str(LeadType.BUYLEAD))
    audit.record("buylead.unlocked", actor_id=user.id, subject=lead, requirement=requirement.id)
    webhook_outbox.emit(WebhookEvent.LEAD_CREATED, lead)
    return lead
