"""The rules that send a category's or a state's new leads to one person of the business,
made and removed by its owner or a manager.

Functions flush but never commit: the request that called them commits once.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import select

from marketplace import audit
from marketplace.accounts.business import Right
from marketplace.accounts.india import find_state
from marketplace.accounts.models import SupplierProfile, User
from marketplace.accounts.policy import business_of
from marketplace.catalog.categories import categories
from marketplace.db import get_owned
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.fields import Text, WholeNumber
from marketplace.leads.assignment_models import AssignmentRule
from marketplace.leads.team_figures import lead_takers
from marketplace.validation import MAX_ID, Invalid, refuse_field


def _category(slug: str) -> str:
    if slug not in categories():
        raise Invalid(_("must be a category slug, e.g. stainless-steel-pipes"))
    return slug


def _state(text: str) -> str:
    state = find_state(text)
    if state is None:
        raise Invalid(_("must be an Indian state or union territory"))
    return state.name  # as a buy requirement stores it


class RuleIn(BaseModel):
    """A category or a state (one of the two), and the person its leads go to."""

    model_config = ConfigDict(title="LeadRuleInput", extra="forbid")

    category: Text(max_length=80, check=_category, required=False) = None
    state: Text(max_length=64, check=_state, required=False) = None
    user_id: WholeNumber(minimum=1, maximum=MAX_ID)

    @model_validator(mode="after")
    def _one_of(self) -> RuleIn:
        if (self.category is None) == (self.state is None):
            refuse_field("category", _("choose a category or a state (one of the two)"))
        return self


def business(user: User) -> SupplierProfile:
    """The business whose lead rules the caller decides (the owner, a manager), or a 403."""
    return business_of(user, _l("decide who gets which leads"), Right.ALL_LEADS)


def rules(user: User) -> list[AssignmentRule]:
    supplier = business(user)
    return list(
        db.session.scalars(
            select(AssignmentRule)
            .where(AssignmentRule.supplier_id == supplier.id)
            .order_by(AssignmentRule.id)
        )
    )


def add_rule(user: User, body: RuleIn) -> AssignmentRule:
    supplier = business(user)
    if body.user_id not in {person.user_id for person in lead_takers(supplier)}:
        raise ValidationFailed({"user_id": [_("must be the owner, a manager or a sales person")]})
    category_id = categories()[body.category].id if body.category else None
    rule = AssignmentRule(
        supplier_id=supplier.id, category_id=category_id, state=body.state, user_id=body.user_id
    )
    db.session.add(rule)
    db.session.flush()
    audit.record("lead_rule.added", actor_id=user.id, subject=rule, person=body.user_id)
    return rule


def remove_rule(user: User, rule_id: int) -> None:
    supplier = business(user)
    rule = get_owned(AssignmentRule, rule_id, AssignmentRule.supplier_id == supplier.id)
    db.session.delete(rule)
    audit.record("lead_rule.removed", actor_id=user.id, subject=rule)
