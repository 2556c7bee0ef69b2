"""Who may do what on the grievance desk: the one place that decides it, for the pages, the API
and the CLI alike. Each decision is a pair: `can_*` answers, `require_*` refuses with a 403.

Filing is open to everyone (guests included), and a complainant's own grievances and appeals
need only a signed-in person: ownership is checked on the object, as a 404 (the queries)."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.accounts.policy import is_officer  # an admin may stand in for the officer
from marketplace.errors import Forbidden

OFFICER_ONLY = _l("Only the grievance officer can do this.")


def can_work_desk(user: User | None) -> bool:
    """The queue, replies, notes, status and assignment."""
    return is_officer(user)


def require_work_desk(user: User | None) -> None:
    if not can_work_desk(user):
        raise Forbidden(str(OFFICER_ONLY))


def require_desk_page(user: User | None) -> None:
    """The desk's HTML pages refuse with the plain 403 page; the API's refusal says why."""
    if not can_work_desk(user):
        abort(403)


def can_see_report(user: User | None) -> bool:
    """The compliance report."""
    return is_officer(user)


def require_see_report(user: User | None) -> None:
    if not can_see_report(user):
        raise Forbidden(str(OFFICER_ONLY))


def can_keep_breach_register(user: User | None) -> bool:
    """Recording, updating and listing breaches."""
    return is_officer(user)


def require_keep_breach_register(user: User | None) -> None:
    if not can_keep_breach_register(user):
        raise Forbidden(str(OFFICER_ONLY))
