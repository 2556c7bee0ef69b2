"""The business a person acts for, and with which role: the one notion every domain's policy
asks before it lets someone act for a supplier.

A business is acted for by its owner (the account that registered it) and by its team: the
people the owner invited, each with a team role. A role is a set of rights; the domains ask
for a right, never for a role, so a new role changes this file only.

Why sales may unlock BuyLeads: an unlock spends a credit the business already bought, as a
sales person's call costs the phone bill; buying credits, the orders and the tax invoices are
billing, which stays the owner's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select

from marketplace.accounts.models import Role, SupplierProfile, User
from marketplace.accounts.team_models import TeamMember, TeamRole
from marketplace.extensions import db


class BusinessRole(enum.StrEnum):
    OWNER = "owner"
    MANAGER = TeamRole.MANAGER.value
    SALES = TeamRole.SALES.value
    CATALOGUE = TeamRole.CATALOGUE.value


class Right(enum.StrEnum):
    CATALOGUE = "catalogue"  # products, their images, the storefront's photos
    LEADS = "leads"  # leads (sales: those assigned to them), conversations, quotations
    ALL_LEADS = "all_leads"  # every lead of the business, reassigning, the team's lead figures
    BUYLEADS = "buyleads"  # see and unlock BuyLeads (spending credits already bought)
    INTEGRATIONS = "integrations"  # integration keys and webhooks
    BILLING = "billing"  # buying credits, the orders, the tax invoices
    TEAM = "team"  # inviting, changing and removing team members


RIGHTS: dict[BusinessRole, frozenset[Right]] = {
    BusinessRole.OWNER: frozenset(Right),
    BusinessRole.MANAGER: frozenset(Right) - {Right.BILLING, Right.TEAM},
    BusinessRole.SALES: frozenset({Right.LEADS, Right.BUYLEADS}),
    BusinessRole.CATALOGUE: frozenset({Right.CATALOGUE}),
}

# Each role as a person reads it ("Anil (sales person)", "you work ... as its sales person").
ROLE_NAMES: dict[BusinessRole, str] = {
    BusinessRole.OWNER: "owner",
    BusinessRole.MANAGER: "manager",
    BusinessRole.SALES: "sales person",
    BusinessRole.CATALOGUE: "catalogue editor",
}


@dataclass(frozen=True)
class Acting:
    """A person acting for a business: who, for which business, in which role."""

    user_id: int
    business: SupplierProfile
    role: BusinessRole

    def may(self, right: Right) -> bool:
        return right in RIGHTS[self.role]

    @property
    def is_owner(self) -> bool:
        return self.role == BusinessRole.OWNER

    @property
    def assigned_leads_only(self) -> bool:
        """Whether this person sees only the leads assigned to them (sales)."""
        return self.may(Right.LEADS) and not self.may(Right.ALL_LEADS)


def current_membership(user_id: int) -> TeamMember | None:
    """The person's place on a team: joined and not removed."""
    return db.session.scalar(
        select(TeamMember).where(
            TeamMember.user_id == user_id,
            TeamMember.joined_at.is_not(None),
            TeamMember.removed_at.is_(None),
        )
    )


def acting_for(user: User) -> Acting | None:
    """The business `user` acts for and with which role, or None (a buyer, an officer, a
    team member who was removed or has not joined yet, or whose business's owner closed or
    erased the account)."""
    if user.supplier is not None and user.has_role(Role.SUPPLIER):
        return Acting(user.id, user.supplier, BusinessRole.OWNER)
    if not user.has_role(Role.TEAM_MEMBER):
        return None
    member = current_membership(user.id)
    if member is None:
        return None
    owner = member.supplier.user
    if not owner.is_active_account or owner.erased_at is not None:
        return None  # the business closed, or was erased: its staff act for nothing
    return Acting(user.id, member.supplier, BusinessRole(member.role.value))
