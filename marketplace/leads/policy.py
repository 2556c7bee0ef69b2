"""Who may do what with leads and webhooks: the one place that decides it, for the pages, the
API and the CLI alike.

Only a supplier's business receives leads, works them, unlocks BuyLeads and subscribes
webhooks (a 403 for anyone else): its owner, and its team within their roles
(marketplace.accounts.business): managers everything here, sales people the leads assigned to
them and BuyLeads, catalogue staff none of it. Of the leads themselves, a business sees its own
(a sales person those assigned to them), a buyer the enquiries it sent: anyone else's lead is not
found (a 404, never a 403, so ids tell nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts import policy as accounts_policy
from marketplace.accounts.business import Acting, Right, acting_for
from marketplace.accounts.models import SupplierProfile, User
from marketplace.db import get_owned
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadType, MessageSide


@dataclass(frozen=True)
class LeadScope:
    """The leads a caller may see: a business's, and of those only one person's (sales)."""

    supplier: SupplierProfile
    only_assignee_id: int | None
    # Whose leads come first in the lead manager: the caller's own.
    user_id: int

    @property
    def sees_all(self) -> bool:
        """Every lead of the business (the owner, a manager): they also give leads to others
        and see the team's figures."""
        return self.only_assignee_id is None


def lead_worker(user: User) -> Acting:
    """Who works leads for the business; a 403 for anyone else."""
    return accounts_policy.acting_with(user, Right.LEADS, _l("work leads"))


def lead_scope(user: User) -> LeadScope:
    acting = lead_worker(user)
    only = acting.user_id if acting.assigned_leads_only else None
    return LeadScope(acting.business, only, acting.user_id)


def lead_receiver(user: User) -> SupplierProfile:
    """The caller's business, every lead of it (the owner, a manager); a 403 for anyone else."""
    return accounts_policy.business_of(user, _l("see every lead of the business"), Right.ALL_LEADS)


def buylead_buyer(user: User) -> SupplierProfile:
    """The caller's business, which sees and unlocks BuyLeads; a 403 for anyone else."""
    return accounts_policy.business_of(user, _l("see and unlock BuyLeads"), Right.BUYLEADS)


def buylead_chooser(user: User) -> SupplierProfile:
    """The caller's business, whose choice of BuyLeads (its preferences) it sets: the owner and
    managers, since it decides what every sales person is offered."""
    return accounts_policy.business_of(
        user, _l("choose which BuyLeads the business is offered"), Right.ALL_LEADS
    )


def webhook_subscriber(user: User) -> SupplierProfile:
    """The caller's business, whose CRM hears of its leads; a 403 for anyone else."""
    return accounts_policy.business_of(user, _l("subscribe webhooks"), Right.INTEGRATIONS)


def _visible(scope: LeadScope) -> Any:
    if scope.only_assignee_id is None:
        return Lead.supplier_id == scope.supplier.id
    return (Lead.supplier_id == scope.supplier.id) & (Lead.assignee_id == scope.only_assignee_id)


def supplier_lead(user: User, lead_id: int) -> Lead:
    """A lead of the caller's business (a sales person's: assigned to them); anyone else's is
    not found (404, never 403)."""
    try:
        return get_owned(Lead, lead_id, _visible(lead_scope(user)))
    except NotFound:  # get_owned names the model in English; a person reads this one
        raise NotFound(_("No such lead.")) from None


def party_lead(user: User, lead_id: int) -> tuple[Lead, MessageSide]:
    """A lead the caller takes part in, and on which side: its supplier or its buyer."""
    lead = db.session.get(Lead, lead_id)
    if lead is not None:
        if _works_on(user, lead):
            return lead, MessageSide.SUPPLIER
        if lead.buyer_id == user.id and lead.type == LeadType.ENQUIRY:
            return lead, MessageSide.BUYER
    raise NotFound(_("No such lead."))


def require_works_on(user: User, lead: Lead) -> None:
    """A 409 for a sales person asking again for a lead a colleague works (a BuyLead the
    business unlocked already): saying so beats a 404 for something they can see in the feed."""
    if not _works_on(user, lead):
        person = lead.assignee.name if lead.assignee else _("someone else")
        raise Conflict(
            _("Your business has this lead already; %(person)s works on it.", person=person)
        )


def _works_on(user: User, lead: Lead) -> bool:
    acting = acting_for(user)
    if acting is None or acting.business.id != lead.supplier_id or not acting.may(Right.LEADS):
        return False
    return not acting.assigned_leads_only or lead.assignee_id == user.id
