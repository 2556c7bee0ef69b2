"""The admin's users screen: find accounts (by name, email, mobile, business name or GSTIN,
and by role), read one, give or take a staff role. The roles change through staff.change_role,
the service the CLI calls; suspension is marketplace.accounts.suspension."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from marketplace.accounts import policy, staff
from marketplace.accounts.identity import check_mobile
from marketplace.accounts.models import Role, SupplierProfile, User, UserRole
from marketplace.crypto import blind_index
from marketplace.db import paginate
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.validation import Invalid

MAX_QUERY = 100

ROLE_LABELS: dict[Role, LazyString] = {
    Role.BUYER: _l("Buyer"),
    Role.SUPPLIER: _l("Supplier"),
    Role.TEAM_MEMBER: _l("Supplier's team member"),
    Role.GRIEVANCE_OFFICER: _l("Grievance officer"),
    Role.ADMIN: _l("Admin"),
}


def _phone_digest(text: str) -> str | None:
    if sum(char.isdigit() for char in text) < 10:
        return None
    try:
        return blind_index(check_mobile(text))
    except Invalid:
        return None


def _role(raw: str | None) -> Role | None:
    try:
        return Role(raw) if raw else None
    except ValueError:
        return None


def find_users(
    admin: User, text: str | None, role: str | None, *, page: int, per_page: int
) -> tuple[list[User], int]:
    """Accounts (never erased ones), newest first. The mobile number is stored encrypted: it
    is found whole, by its keyed digest, never by a part."""
    policy.require_user_admin(admin)
    query = (
        select(User)
        .outerjoin(SupplierProfile, SupplierProfile.user_id == User.id)
        .where(User.erased_at.is_(None))
        .order_by(User.id.desc())
    )
    words = (text or "").strip()[:MAX_QUERY]
    if words:
        like = f"%{words}%"
        matches = [
            User.name.ilike(like),
            User.email.ilike(like),
            SupplierProfile.company_name.ilike(like),
            SupplierProfile.gstin == words.upper(),
        ]
        if digest := _phone_digest(words):
            matches.append(User.phone_digest == digest)
        query = query.where(or_(*matches))
    if chosen := _role(role):
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == chosen)))
    return paginate(query, page=page, per_page=per_page)


def account(admin: User, user_id: int) -> User:
    policy.require_user_admin(admin)
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound(_("No such account."))
    return user


def change_staff_role(admin: User, user_id: int, role: str | None, *, grant: bool) -> User:
    """Give or take the admin or grievance officer role; an admin keeps their own."""
    user = account(admin, user_id)
    wanted = _role(role)
    if wanted not in policy.GRANTABLE_ROLES:
        names = " or ".join(ROLE_LABELS[r].lower() for r in policy.GRANTABLE_ROLES)
        raise ValidationFailed({"role": [_("choose %(roles)s", roles=names)]})
    if not grant and user.id == admin.id and wanted == Role.ADMIN:
        raise Conflict(_("You cannot take the admin role from yourself; ask another admin."))
    return staff.change_role(user.email, str(wanted), grant=grant, actor=admin)


def suspended_by(user: User) -> User | None:
    return db.session.get(User, user.suspended_by_id) if user.suspended_by_id else None
