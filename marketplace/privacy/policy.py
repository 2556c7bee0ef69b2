"""Who may do what with privacy requests: the one place that decides it, for the pages, the API
and the services alike."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.accounts.passwords import password_matches
from marketplace.accounts.policy import is_officer
from marketplace.errors import Forbidden
from marketplace.privacy.manager_models import ConsentManager, ManagerStatus
from marketplace.privacy.models import PrivacyRequest


class WrongPassword(Forbidden):
    keep_writes = True  # the refusal is audited


# --- filing a request -------------------------------------------------------------------------


def can_file_request(user: User) -> bool:
    """An erased account files nothing more."""
    return user.erased_at is None


def require_file_request(user: User) -> None:
    if not can_file_request(user):
        raise Forbidden(_("This account is closed."))


def can_confirm_by_password(user: User, password: str) -> bool:
    """A request acts on the account: its password confirms that its owner asks."""
    return password_matches(password, user.password_hash)


def require_confirmed_by_password(user: User, password: str) -> None:
    if not can_confirm_by_password(user, password):
        raise WrongPassword(_("That is not your password."))


# --- the officer ------------------------------------------------------------------------------


def can_handle_requests(user: User) -> bool:
    """Every request, the holds, the archive and child reports: the grievance officer's."""
    return is_officer(user)


def require_handle_requests(user: User) -> None:
    if not can_handle_requests(user):
        raise Forbidden(_("Only the grievance officer decides privacy requests."))


def require_handle_requests_page(user: User) -> None:
    """The officer's pages: anyone else gets the plain 403 page."""
    if not can_handle_requests(user):
        abort(403)


def can_decide_request(actor: User, row: PrivacyRequest) -> bool:
    """An officer, and never on their own request."""
    return can_handle_requests(actor) and row.user_id != actor.id


def require_decide_request(actor: User, row: PrivacyRequest) -> None:
    require_handle_requests(actor)
    if not can_decide_request(actor, row):
        raise Forbidden(_("An officer cannot decide their own request."))


# --- newsletters --------------------------------------------------------------------------------


def can_send_newsletters(user: User) -> bool:
    """Composing and sending optional messages: the grievance officer (or an admin), who
    answers for the consents they rely on."""
    return is_officer(user)


def require_send_newsletters_page(user: User) -> None:
    if not can_send_newsletters(user):
        abort(403)


# --- consent managers ---------------------------------------------------------------------------


def can_manage_consent_managers(user: User) -> bool:
    """Registering, suspending and restoring consent managers: the grievance officer's."""
    return is_officer(user)


def require_manage_consent_managers(user: User) -> None:
    if not can_manage_consent_managers(user):
        raise Forbidden(_("Only the grievance officer registers and suspends consent managers."))


def require_active_manager(manager: ConsentManager) -> None:
    """A suspended consent manager may not act: a 403 saying who can restore it."""
    if manager.status != ManagerStatus.ACTIVE:
        raise Forbidden(
            _("This consent manager is suspended: the grievance officer can restore it.")
        )
