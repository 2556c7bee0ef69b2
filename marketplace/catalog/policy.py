"""Who may do what in the catalogue: the one place that decides it, for the pages, the API and
the services alike.

- Suppliers list products and manage their own (photos, sheets of products, the export):
  `supplier_of` gives the caller's business, or a 403. Another supplier's product is not found at
  all (a 404, from marketplace.db.get_owned), so its id reveals nothing.
- Admins hide a listing that breaks the rules, or show it again: `require_hide_listings`.

The API checks the same roles before its handlers run (LISTING_ROLES, MODERATOR_ROLES).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts import policy as accounts_policy
from marketplace.accounts.business import Right
from marketplace.accounts.models import BUSINESS_ROLES, Role, SupplierProfile, User
from marketplace.errors import Forbidden

# Who lists and manages products, and who hides listings.
LISTING_ROLES: tuple[Role, ...] = BUSINESS_ROLES  # the owner, and a team by its roles
MODERATOR_ROLES: tuple[Role, ...] = (Role.ADMIN,)


def supplier_of(user: User) -> SupplierProfile:
    """The caller's business, or a 403: only its owner, a manager or its catalogue staff list
    and manage products."""
    return accounts_policy.business_of(user, _l("list products"), Right.CATALOGUE)


def can_hide_listings(user: Any) -> bool:
    """Whether `user` (anyone, a visitor not signed in too) may hide and show listings."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*MODERATOR_ROLES)


def require_hide_listings(user: User) -> None:
    if not can_hide_listings(user):
        raise Forbidden(_("Only an admin can hide listings."))
