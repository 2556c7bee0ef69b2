"""Who may do what with reports of bad BuyLeads: a supplier reports the BuyLeads it unlocked
(leads.policy.buylead_buyer); the grievance officer alone decides them."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.accounts.policy import is_officer
from marketplace.errors import Forbidden


def can_decide_reports(user: User) -> bool:
    return is_officer(user)


def require_decide_reports(user: User) -> None:
    if not can_decide_reports(user):
        raise Forbidden(_("Only the grievance officer decides reports of bad BuyLeads."))


def require_decide_reports_page(user: User) -> None:
    """The officer's pages: anyone else gets the plain 403 page."""
    if not can_decide_reports(user):
        abort(403)
