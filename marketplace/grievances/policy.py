"""Who may do what on the grievance desk: the one place that decides it, for the pages, the API
and the CLI alike."""

from __future__ import annotations

import enum

from marketplace.accounts.models import Role, User
from marketplace.errors import Forbidden

# Officers work the desk; an admin may stand in for one (a holiday, a small team).
OFFICER_ROLES = (Role.GRIEVANCE_OFFICER, Role.ADMIN)


class Action(enum.StrEnum):
    FILE = "file"  # anyone, guests included
    VIEW_OWN = "view_own"  # a complainant: their own grievances
    APPEAL = "appeal"  # the complainant of that grievance
    WORK_DESK = "work_desk"  # the queue, replies, notes, status, assignment
    REPORT = "report"  # the compliance report
    BREACHES = "breaches"  # the breach register
    AUDIT = "audit"  # the readable audit log


_OFFICER_ACTIONS = frozenset({Action.WORK_DESK, Action.REPORT, Action.BREACHES, Action.AUDIT})


def is_officer(user: User | None) -> bool:
    return user is not None and user.has_role(*OFFICER_ROLES)


def can(user: User | None, action: Action) -> bool:
    if action in _OFFICER_ACTIONS:
        return is_officer(user)
    if action == Action.FILE:
        return True
    return user is not None  # VIEW_OWN, APPEAL: ownership is checked on the object


def require(user: User | None, action: Action) -> None:
    if not can(user, action):
        raise Forbidden("Only the grievance officer can do this.")
