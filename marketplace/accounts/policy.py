"""Who may do what: the one place that decides it, for the API and the pages alike.

Three kinds of caller act for an account:

- a person signed in in a browser (a server-side session), and
- a session token from `POST /auth/tokens` (a person who just proved the password): both act
  with the account's full power, within its roles;
- an integration key (a supplier's CRM): it acts only within the scopes it was created with, and
  never on the account's identity, password, keys or webhooks, whatever its scopes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from flask import abort
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts.business import ROLE_NAMES, Acting, Right, acting_for
from marketplace.accounts.models import STAFF_ROLES, CredentialKind, Role, SupplierProfile, User
from marketplace.errors import Forbidden


class Scope(enum.StrEnum):
    LEADS_READ = "leads:read"
    LEADS_WRITE = "leads:write"
    CATALOG_WRITE = "catalog:write"
    WEBHOOKS_MANAGE = "webhooks:manage"
    CREDITS_READ = "credits:read"


SCOPE_LABELS: dict[Scope, LazyString] = {
    Scope.LEADS_READ: _l("Read leads and enquiries"),
    Scope.LEADS_WRITE: _l("Update leads (status, notes) and reply to reviews of the business"),
    Scope.CATALOG_WRITE: _l(
        "Create, change and delete products and their images, and the storefront's photos"
    ),
    Scope.WEBHOOKS_MANAGE: _l("Webhook deliveries (the webhooks themselves need a person)"),
    Scope.CREDITS_READ: _l("Read the credit balance, orders and tax invoices"),
}

# What a key gets when its creator names no scopes: reading leads, the reason keys exist.
DEFAULT_KEY_SCOPES: tuple[Scope, ...] = (Scope.LEADS_READ,)

NEEDS_A_PERSON = _l(
    "This needs a signed-in person or a session token (POST %(path)s): an integration key "
    "can never change the account's identity, password, keys or webhooks.",
    path="/auth/tokens",
)


@dataclass(frozen=True)
class Bearer:
    """The caller behind a live bearer credential: what every API request decides on, read
    from the tables in one statement (as ORM objects, the credential and its user cost more
    than the rest of an enquiry's reads). The account itself loads when a handler needs it."""

    credential_id: int
    user_id: int
    kind: CredentialKind
    scopes: frozenset[str]
    roles: frozenset[Role]

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


def authorize(
    caller: Bearer,
    *,
    roles: Iterable[Role] = (),
    scope: Scope | None = None,
    person: bool = False,
    any_key: bool = False,
) -> None:
    """Raise Forbidden unless this API caller may do this.

    An integration key may do only what names one of its scopes, or (reading its own account)
    says `any_key`: an action that names neither, a read included, is closed to keys, so a new
    endpoint stays closed to them until it says which scope opens it. `person` marks what only
    a person may do (the account's identity, password, keys, webhooks, payments).
    """
    roles = tuple(roles)
    if roles and not caller.has_role(*roles):
        raise Forbidden(_("This needs the role %(roles)s.", roles=" or ".join(roles)))
    if caller.kind != CredentialKind.INTEGRATION or any_key:
        return
    if person:
        raise Forbidden(str(NEEDS_A_PERSON))
    if scope is None:
        raise Forbidden(_("Integration keys cannot do this; it needs a session token."))
    if scope not in caller.scopes:
        raise Forbidden(_("This key lacks the scope %(scope)s; create a key with it.", scope=scope))


def acting_with(user: User, right: Right, doing: str) -> Acting:
    """Who the caller acts for, when their role there gives `right`; otherwise a 403 that says
    what they may not do (_l("list products")) and why."""
    acting = acting_for(user)
    if acting is None:
        raise Forbidden(_("Only suppliers can %(doing)s.", doing=doing))
    if not acting.may(right):
        raise Forbidden(
            _(
                "You work for %(business)s as its %(role)s, which does not allow you to "
                "%(doing)s. Its owner can change your role.",
                business=acting.business.company_name,
                role=ROLE_NAMES[acting.role],
                doing=doing,
            )
        )
    return acting


def business_of(user: User, doing: str, right: Right) -> SupplierProfile:
    """The business the caller acts for, when their role there gives `right`, or a 403."""
    return acting_with(user, right, doing).business


# --- the officer ------------------------------------------------------------------------------

# Every staff account works the desks: the grievance officer, and an admin standing in for one
# (a holiday, a small team). The one statement of who the officer is; every domain asks it.
OFFICER_ROLES: tuple[Role, ...] = STAFF_ROLES


def require_officer(user: User | Bearer | None, doing: str) -> None:
    """A 403 that says what only the grievance officer (or an admin) may do."""
    if not is_officer(user):
        raise Forbidden(_("Only the grievance officer can %(doing)s.", doing=doing))


def is_officer(user: User | Bearer | None) -> bool:
    """The grievance officer (or an admin): decides privacy requests, works the desk, reads the
    audit log."""
    return user is not None and user.has_role(*OFFICER_ROLES)


def can_read_audit_log(user: User | None) -> bool:
    return is_officer(user)


def require_read_audit_log(user: User | None) -> None:
    """The audit log page: anyone else gets the plain 403 page."""
    if not can_read_audit_log(user):
        abort(403)


# --- the admin's user screens -----------------------------------------------------------------

# Who lists accounts, gives and takes staff roles and suspends accounts: an admin only (the
# grievance officer decides privacy requests and complaints, not who works here).
USER_ADMIN_ROLES: tuple[Role, ...] = (Role.ADMIN,)
# The roles the admin's page gives and takes; buyer, supplier and team roles come with sign-up.
GRANTABLE_ROLES: tuple[Role, ...] = STAFF_ROLES


def can_manage_users(user: User | None) -> bool:
    return user is not None and user.has_role(*USER_ADMIN_ROLES)


def require_user_admin(user: User | None) -> None:
    if not can_manage_users(user):
        raise Forbidden(_("Only an admin can manage accounts."))


# --- integration keys -------------------------------------------------------------------------


def can_create_integration_key(user: User) -> bool:
    acting = acting_for(user)
    return acting is not None and acting.may(Right.INTEGRATIONS)


def key_holder(user: User) -> User:
    """Integration keys belong to the business: the account they act as is its owner's, made
    and revoked by the owner or a manager."""
    return acting_with(user, Right.INTEGRATIONS, _l("manage integration keys")).business.user


# A key may carry a scope only when its maker's role holds the right behind it: a manager,
# who may not see billing, cannot make a key that reads the credits and invoices.
SCOPE_RIGHTS: dict[Scope, Right] = {
    Scope.LEADS_READ: Right.ALL_LEADS,
    Scope.LEADS_WRITE: Right.ALL_LEADS,
    Scope.CATALOG_WRITE: Right.CATALOGUE,
    Scope.WEBHOOKS_MANAGE: Right.INTEGRATIONS,
    Scope.CREDITS_READ: Right.BILLING,
}


def scopes_beyond_role(user: User, scopes: list[str]) -> list[str]:
    """The scopes its maker's role does not allow them to give a key."""
    acting = acting_for(user)
    return [
        scope for scope in scopes if acting is None or not acting.may(SCOPE_RIGHTS[Scope(scope)])
    ]


def require_create_integration_key(user: User) -> None:
    key_holder(user)


def keys_searched_for(user: User) -> User:
    """Whose keys a revocation looks among: the business's, for its owner and managers (a 403
    for the rest of a team); anyone else's own, which hold none (so not found, as another's)."""
    return key_holder(user) if acting_for(user) is not None else user
