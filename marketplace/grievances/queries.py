"""Reading grievances and breaches: who may see which, what is overdue, the lists and the
officers. Nothing here changes data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select

from marketplace.accounts.models import Role, User, UserRole
from marketplace.db import get_owned, paginate
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.grievances import moments, policy
from marketplace.grievances.filters import GrievanceFilter
from marketplace.grievances.models import Breach, BreachStatus, Grievance, RelatedKind, Status


def own_grievance(user: User, grievance_id: int) -> Grievance:
    return get_owned(Grievance, grievance_id, Grievance.complainant_id == user.id)


def grievance_for(user: User, grievance_id: int) -> Grievance:
    """The officer sees every grievance; anyone else only their own (others are not found)."""
    if policy.is_officer(user):
        found = db.session.get(Grievance, grievance_id)
        if found is None:
            raise NotFound(_("No such grievance."))
        return found
    return own_grievance(user, grievance_id)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Grievance.status == Status.RECEIVED, Grievance.acknowledge_by < now),
        and_(
            Grievance.status.in_((Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_REVIEW)),
            Grievance.resolve_by < now,
        ),
    )


def is_overdue(grievance: Grievance, now: datetime) -> bool:
    if grievance.status == Status.RECEIVED and grievance.acknowledge_by < now:
        return True
    return (
        grievance.status in (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_REVIEW)
        and grievance.resolve_by < now
    )


def list_grievances(
    user: User,
    chosen: GrievanceFilter,
    *,
    page: int = 1,
    per_page: int = 20,
    own: bool = False,
    now: datetime | None = None,
) -> tuple[list[Grievance], int]:
    """A complainant's own grievances, newest first; for an officer (unless `own`), every
    grievance, nearest deadline first."""
    now = moments.given_or_now(now)
    query = select(Grievance)
    if policy.is_officer(user) and not own:
        order: Any = (Grievance.resolve_by, Grievance.id)
    else:
        query = query.where(Grievance.complainant_id == user.id)
        order = (Grievance.received_at.desc(), Grievance.id.desc())
    if chosen.status:
        query = query.where(Grievance.status == chosen.status)
    if chosen.category:
        query = query.where(Grievance.category == chosen.category)
    if chosen.overdue is not None:
        clause = overdue_clause(now)
        query = query.where(clause if chosen.overdue else ~clause)
    if chosen.assigned_to_id:
        query = query.where(Grievance.assigned_to_id == chosen.assigned_to_id)
    if chosen.q:
        pattern = f"%{chosen.q.lower()}%"
        query = query.where(
            or_(
                func.lower(Grievance.reference).like(pattern),
                func.lower(Grievance.subject).like(pattern),
                func.lower(Grievance.complainant_email).like(pattern),
                func.lower(Grievance.complainant_name).like(pattern),
            )
        )
    return paginate(query.order_by(*order), page=page, per_page=per_page)


def officers() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.GRIEVANCE_OFFICER, User.is_active_account.is_(True))
            .order_by(User.name, User.id)
        ).unique()
    )


def list_breaches(officer: User, *, page: int = 1, per_page: int = 20) -> tuple[list[Breach], int]:
    policy.require_keep_breach_register(officer)
    newest_first = select(Breach).order_by(Breach.detected_at.desc(), Breach.id.desc())
    return paginate(newest_first, page=page, per_page=per_page)


def breach_for(officer: User, breach_id: int) -> Breach:
    policy.require_keep_breach_register(officer)
    breach = db.session.get(Breach, breach_id)
    if breach is None:
        raise NotFound(_("No such breach."))
    return breach


def closed_breaches() -> list[Breach]:
    """What the public page lists: breaches that are closed."""
    return list(
        db.session.scalars(
            select(Breach)
            .where(Breach.status == BreachStatus.CLOSED)
            .order_by(Breach.detected_at.desc())
        )
    )


def complaints_about_products(product_ids: list[int]) -> dict[int, int]:
    """How many complaints name each of these products (the admin's listings moderation)."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        select(Grievance.related_id, func.count())
        .where(Grievance.related_kind == RelatedKind.PRODUCT, Grievance.related_id.in_(product_ids))
        .group_by(Grievance.related_id)
    )
    return {int(related_id): int(count) for related_id, count in rows}


def complained_about_products() -> Any:
    """The ids of the products some complaint names, as a subquery."""
    return select(Grievance.related_id).where(
        Grievance.related_kind == RelatedKind.PRODUCT, Grievance.related_id.is_not(None)
    )
