"""Who may do what in credits: the one place that refuses a credits action with a 403.

Credits exist so that suppliers can pay for contact with buyers: only a supplier holds a
ledger, buys packs and sees its own orders and invoices. Admins see every supplier's orders
and invoices and are the only ones who refund.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts import policy as accounts_policy
from marketplace.accounts.business import Right
from marketplace.accounts.models import Role, SupplierProfile, User
from marketplace.errors import Forbidden


def supplier_of(user: User) -> SupplierProfile:
    """The caller's business, whose credits, orders and invoices these are; a 403 for anyone
    but its owner (billing is not shared with the team)."""
    return accounts_policy.business_of(user, _l("buy credits"), Right.BILLING)


def sees_every_invoice(user: User) -> bool:
    """Admins read any supplier's invoices and credit notes; a supplier only its own."""
    return user.has_role(Role.ADMIN)


def check_manages_orders(user: User) -> None:
    """The admins' pages of every supplier's credit orders."""
    if not user.has_role(Role.ADMIN):
        raise Forbidden(_("Only admins see every supplier's credit orders."))


def check_refunds(user: User) -> None:
    if not user.has_role(Role.ADMIN):
        raise Forbidden(_("Only admins refund orders."))
