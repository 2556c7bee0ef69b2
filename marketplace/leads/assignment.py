"""Sharing a business's new leads out among its people.

A new lead (an enquiry, an unlocked BuyLead) goes, in this order, to:
1. the sales person who unlocked it (they chose that BuyLead);
2. the person a rule names for its category or its state, while that person is active;
3. the next active sales person in turn (round-robin, by account id);
4. the owner, when nobody else is active: a lead never waits unassigned.

Active: on the team, not marked away, signed in within LEAD_ASSIGN_ACTIVE_DAYS days. The
business's cursor row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite lets one writer
at a time anyway) before the turn is read, so leads arriving together are handed out one after
the other: one owner each, and nobody skipped or served twice out of turn.

Functions flush but never commit: the request (or task) that called them commits once.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace import audit, signals
from marketplace.accounts.business import Right, acting_for
from marketplace.accounts.models import SupplierProfile, User
from marketplace.accounts.policy import acting_with
from marketplace.accounts.team_models import TeamMember, TeamRole
from marketplace.db import utcnow
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.leads.assignment_models import AssignmentCursor, AssignmentRule
from marketplace.leads.models import Lead, LeadStatus

# Leads still being worked: these go back to be assigned when their person leaves.
OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUOTED)
# Who may be given leads besides sales people: by a rule or by hand, a manager too.
LEAD_TAKERS = (TeamRole.SALES, TeamRole.MANAGER)


def _active_members(supplier_id: int, roles: tuple[TeamRole, ...]) -> list[int]:
    """The user ids of the business's active members in these roles, in turn order."""
    since = utcnow() - timedelta(days=current_app.config["LEAD_ASSIGN_ACTIVE_DAYS"])
    return list(
        db.session.scalars(
            select(TeamMember.user_id)
            .join(User, User.id == TeamMember.user_id)
            .where(
                TeamMember.supplier_id == supplier_id,
                TeamMember.role.in_(roles),
                TeamMember.joined_at.is_not(None),
                TeamMember.removed_at.is_(None),
                TeamMember.away.is_(False),
                User.is_active_account.is_(True),
                User.last_sign_in_at >= since,
            )
            .order_by(TeamMember.user_id)
        )
    )


def _lock_cursor(supplier_id: int) -> AssignmentCursor:
    """The business's cursor, made if missing, locked until the transaction ends."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(AssignmentCursor)
        .values(supplier_id=supplier_id, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["supplier_id"])
    )
    return db.session.scalars(
        select(AssignmentCursor)
        .where(AssignmentCursor.supplier_id == supplier_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _ruled(supplier_id: int, category_id: int | None, state: str | None) -> list[int]:
    """The people the business's rules name for this category or state (category first)."""
    rules = db.session.scalars(
        select(AssignmentRule)
        .where(AssignmentRule.supplier_id == supplier_id)
        .order_by(AssignmentRule.category_id.is_(None), AssignmentRule.id)
    ).all()
    return [
        rule.user_id
        for rule in rules
        if (rule.category_id is not None and rule.category_id == category_id)
        or (rule.state is not None and state is not None and rule.state.lower() == state.lower())
    ]


def _next_in_turn(cursor: AssignmentCursor, sales: list[int]) -> int | None:
    if not sales:
        return None
    after = [user_id for user_id in sales if cursor.last_user_id and user_id > cursor.last_user_id]
    chosen = after[0] if after else sales[0]
    cursor.last_user_id = chosen
    cursor.updated_at = utcnow()
    return chosen


def choose_person(
    supplier: SupplierProfile,
    *,
    category_id: int | None = None,
    state: str | None = None,
    unlocked_by: int | None = None,
) -> int:
    """Who gets the business's next lead (see the module's docstring); takes the lock."""
    cursor = _lock_cursor(supplier.id)
    takers = _active_members(supplier.id, LEAD_TAKERS)
    if unlocked_by is not None and unlocked_by in takers:
        return unlocked_by
    for user_id in _ruled(supplier.id, category_id, state):
        if user_id in takers or user_id == supplier.user_id:
            return user_id
    sales = _active_members(supplier.id, (TeamRole.SALES,))
    return _next_in_turn(cursor, sales) or supplier.user_id


def assign_new_lead(
    lead_id: int,
    supplier: SupplierProfile,
    *,
    category_id: int | None = None,
    state: str | None = None,
    unlocked_by: int | None = None,
) -> int:
    """Give a new lead to its person; returns their user id."""
    person = choose_person(supplier, category_id=category_id, state=state, unlocked_by=unlocked_by)
    _set_assignee(lead_id, person)
    return person


def works_it(lead: Lead) -> User:
    """Who is told of a lead's news: the person it is given to while they still act for its
    business, else its owner (someone who left never gets a buyer's words)."""
    person = lead.assignee
    if person is not None:
        acting = acting_for(person)
        if acting is not None and acting.business.id == lead.supplier_id:
            return person
    return lead.supplier.user


def _set_assignee(lead_id: int, person: int) -> None:
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead_id)
        .values(assignee_id=person, assigned_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


def reassign(user: User, lead_id: int, person_id: int) -> Lead:
    """A manager or the owner gives a lead to someone of the business who works leads."""
    acting = acting_with(user, Right.ALL_LEADS, _l("give leads to others"))
    business = acting.business
    lead = db.session.scalar(
        select(Lead).where(Lead.id == lead_id, Lead.supplier_id == business.id)
    )
    if lead is None:
        raise NotFound(_("No such lead."))
    takers = set(_members(business.id, LEAD_TAKERS)) | {business.user_id}
    if person_id not in takers:
        raise ValidationFailed(
            {"assignee_id": [_("must be the owner, a manager or a sales person")]}
        )
    previous = lead.assignee_id
    _set_assignee(lead.id, person_id)
    audit.record(
        "lead.reassigned", actor_id=user.id, subject=lead, previous=previous, assignee=person_id
    )
    return lead


def _members(supplier_id: int, roles: tuple[TeamRole, ...]) -> list[int]:
    return list(
        db.session.scalars(
            select(TeamMember.user_id).where(
                TeamMember.supplier_id == supplier_id,
                TeamMember.role.in_(roles),
                TeamMember.joined_at.is_not(None),
                TeamMember.removed_at.is_(None),
            )
        )
    )


def hand_back(supplier_id: int, user_id: int) -> int:
    """Assign again the open leads of someone who may no longer work them (removed, or no
    longer in a role that works leads); returns how many moved."""
    supplier = db.session.get_one(SupplierProfile, supplier_id)
    if user_id in _members(supplier_id, LEAD_TAKERS):
        return 0  # still works leads (marked away keeps their leads; only new ones pass by)
    leads = db.session.scalars(
        select(Lead).where(
            Lead.supplier_id == supplier_id,
            Lead.assignee_id == user_id,
            Lead.status.in_(OPEN_STATUSES),
        )
    ).all()
    for lead in leads:
        assign_new_lead(lead.id, supplier, category_id=None)
    return len(leads)


@signals.team_member_changed.connect
def _on_team_member_changed(user_id: int, supplier_id: int) -> None:
    hand_back(supplier_id, user_id)
