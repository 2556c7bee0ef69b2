"""What operators do by hand (`flask credits grant`, `flask credits set-plan`): goodwill credits
and a supplier's plan, both audited. Functions flush but never commit."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _

from marketplace import audit
from marketplace.accounts.models import SupplierProfile
from marketplace.accounts.queries import find_user_by_email
from marketplace.credits.inputs import GoodwillIn
from marketplace.credits.ledger import grant_credits, lock_account
from marketplace.credits.models import CreditEntry, CreditKind
from marketplace.credits.plans import Plan, plans
from marketplace.errors import NotFound, ValidationFailed


def _supplier_by_email(email: str) -> SupplierProfile:
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(_("No account has the email %(email)s.", email=email))
    if user.supplier is None:
        raise ValidationFailed({"email": [_("%(email)s is not a supplier's account", email=email)]})
    return user.supplier


def grant_goodwill(email: str, grant: GoodwillIn, *, actor_id: int | None = None) -> CreditEntry:
    """Credits given by an operator (`flask credits grant`): never expire, always audited."""
    amount, why = grant.credits, grant.reason
    supplier = _supplier_by_email(email)
    entry = grant_credits(
        supplier.id,
        amount,
        kind=CreditKind.GOODWILL,
        reason=why,
        reference=f"goodwill:{uuid.uuid4().hex}",
        actor_id=actor_id,
    )
    audit.record(
        "credits.goodwill_granted",
        actor_id=actor_id,
        subject=supplier,
        credits=amount,
        reason=why,
        entry_id=entry.id,
    )
    return entry


def set_plan(email: str, plan_id: str, *, actor_id: int | None = None) -> Plan:
    """Move a supplier to a plan (audited); its allocation applies from the next weekly run."""
    plan = next((p for p in plans() if p.id == plan_id.strip().lower()), None)
    if plan is None:
        choices = ", ".join(p.id for p in plans())
        raise ValidationFailed({"plan": [_("must be one of: %(choices)s", choices=choices)]})
    supplier = _supplier_by_email(email)
    account = lock_account(supplier.id)
    if account.plan != plan.id:
        audit.record(
            "credits.plan_changed",
            actor_id=actor_id,
            subject=supplier,
            old=account.plan,
            new=plan.id,
        )
        account.plan = plan.id
    return plan
