"""How each person of a business works its leads: open leads, leads answered within 24 hours,
and the median time to the first reply (the lead manager shows them to the owner and managers)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from marketplace.accounts.business import ROLE_NAMES, BusinessRole
from marketplace.accounts.models import SupplierProfile, User
from marketplace.accounts.team_models import TeamMember, TeamRole
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.leads.assignment import LEAD_TAKERS, OPEN_STATUSES
from marketplace.leads.models import Lead, LeadStatus, Message, MessageSide
from marketplace.leads.policy import LeadScope

FIGURES_WINDOW = timedelta(days=90)  # answered and reply times: the leads of the last 90 days
ANSWER_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    role: str  # in words: "owner", "manager", "sales person"


@dataclass(frozen=True)
class PersonFigures:
    person: Person
    open_leads: int
    leads: int  # given to them in the window
    answered_within_a_day: int
    median_first_reply_hours: float | None


def lead_takers(supplier: SupplierProfile) -> list[Person]:
    """Who may be given leads: the owner, then the managers and sales people on the team."""
    rows = db.session.execute(
        select(User.id, User.name, TeamMember.role)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(
            TeamMember.supplier_id == supplier.id,
            TeamMember.role.in_(LEAD_TAKERS),
            TeamMember.joined_at.is_not(None),
            TeamMember.removed_at.is_(None),
        )
        .order_by(TeamMember.role != TeamRole.MANAGER, User.name, User.id)
    ).all()
    owner = Person(supplier.user_id, supplier.user.name, "owner")
    people = (Person(row.id, row.name, ROLE_NAMES[BusinessRole(row.role)]) for row in rows)
    return [owner, *people]


def team_figures(supplier: SupplierProfile) -> list[PersonFigures]:
    """Per person who may be given leads: their figures, in the order of `lead_takers`."""
    people = lead_takers(supplier)
    open_counts = dict(
        db.session.execute(
            select(Lead.assignee_id, func.count())
            .where(Lead.supplier_id == supplier.id, Lead.status.in_(OPEN_STATUSES))
            .group_by(Lead.assignee_id)
        ).all()
    )
    first_reply = (  # per lead, through the lead's index: never the whole message table
        select(func.min(Message.created_at))
        .where(Message.lead_id == Lead.id, Message.side == MessageSide.SUPPLIER)
        .scalar_subquery()
    )
    waits: dict[int, list[timedelta | None]] = defaultdict(list)
    for assignee_id, created_at, replied_at in db.session.execute(
        select(Lead.assignee_id, Lead.created_at, first_reply).where(
            Lead.supplier_id == supplier.id,
            Lead.status != LeadStatus.SPAM,
            Lead.created_at >= utcnow() - FIGURES_WINDOW,
        )
    ):
        waits[assignee_id].append(replied_at - created_at if replied_at else None)
    return [
        _figures(person, open_counts.get(person.user_id, 0), waits[person.user_id])
        for person in people
    ]


def _figures(person: Person, open_leads: int, waits: list[timedelta | None]) -> PersonFigures:
    answered = [wait for wait in waits if wait is not None]
    hours = [wait.total_seconds() / 3600 for wait in answered]
    return PersonFigures(
        person=person,
        open_leads=open_leads,
        leads=len(waits),
        answered_within_a_day=sum(1 for wait in answered if wait <= ANSWER_WITHIN),
        median_first_reply_hours=statistics.median(hours) if hours else None,
    )


def choices(supplier: SupplierProfile) -> list[tuple[str, str]]:
    """Who a lead may be given to, for a form's list."""
    return [(str(p.user_id), f"{p.name} ({p.role})") for p in lead_takers(supplier)]


def manager_context(scope: LeadScope) -> dict[str, Any]:
    """The lead manager's view of the team: who works which lead, and for the owner and the
    managers, each person's figures."""
    people = lead_takers(scope.supplier)
    return {
        "me": scope.user_id,
        "sees_all": scope.sees_all,  # links to the pages only they may open (the dashboard)
        "people": {person.user_id: person for person in people},
        "figures": team_figures(scope.supplier) if scope.sees_all else [],
    }
