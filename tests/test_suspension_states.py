"""An admin's suspension: the form carries the admin's chosen action (a second click never
undoes the first), and lifting gives back how the account stood before, never more: open,
closed by its owner, closed by the grievance officer, or removed from a team. While the
officer's deletion of the account is open, the suspension is not lifted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts import suspension
from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.privacy.models import PrivacyRequest, RequestType
from tests import factories
from tests.conftest import Api, sign_in_page
from tests.test_team import add_member

REASON = "Fake GST invoices reported by three buyers"


@pytest.fixture()
def officer_api(ctx, api: Api) -> Api:
    return Api(api.client).sign_in(factories.staff().email)


def _admin() -> User:
    return db.session.get_one(User, factories.staff("admin").id)


def _account(user_id: int) -> User:
    db.session.remove()
    return db.session.get_one(User, user_id)


def _suspend_then_lift(user_id: int) -> User:
    admin = _admin()
    suspension.suspend(admin, user_id, REASON)
    commit()
    suspension.lift(_admin(), user_id, "The report was mistaken")
    commit()
    return _account(user_id)


def _post(browser, user_id: int, token: str, action: str):  # type: ignore[no-untyped-def]
    form = {"csrf_token": token, "reason": REASON, "action": action}
    return browser.post(f"/admin/users/{user_id}/suspension", data=form, follow_redirects=True)


def _objection_upheld(buyer, buyer_api: Api, officer_api: Api) -> int:
    """The officer upholds an objection to a required purpose: the account closes and a
    deletion opens for the officer to decide. Returns the deletion's id."""
    made = buyer_api.post(
        "/privacy/requests",
        {
            "type": "objection",
            "purpose": "verification",
            "reason": "I will not share my mobile.",
            "password": buyer.password,
        },
    )
    decided = officer_api.post(
        f"/privacy/requests/{made.get_json()['id']}/decision",
        {"decision": "approve", "reason": "Upheld."},
    )
    assert decided.get_json()["status"] == "complete"
    db.session.remove()
    return db.session.scalars(
        select(PrivacyRequest.id).where(
            PrivacyRequest.user_id == buyer.id, PrivacyRequest.type == RequestType.DELETION
        )
    ).one()


def _deny(officer_api: Api, request_id: int) -> None:
    denied = officer_api.post(
        f"/privacy/requests/{request_id}/decision",
        {"decision": "deny", "reason": "Kept for the open tax case."},
    )
    assert denied.get_json()["status"] == "denied", denied.get_json()


def test_the_page_says_which_action_and_a_second_click_changes_nothing(app, ctx):
    buyer = factories.buyer()
    browser = app.test_client()
    token = sign_in_page(browser, factories.staff("admin"))
    page = browser.get(f"/admin/users/{buyer.id}/suspension").text
    assert 'name="action" type="hidden" value="suspend"' in page
    assert "is suspended" in _post(browser, buyer.id, token, "suspend").text
    again = _post(browser, buyer.id, token, "suspend")  # the double submit
    assert "Nothing changed: this account is suspended already." in again.text
    assert _account(buyer.id).suspended_at is not None
    lift_page = browser.get(f"/admin/users/{buyer.id}/suspension").text
    assert 'name="action" type="hidden" value="lift"' in lift_page
    assert "is open again" in _post(browser, buyer.id, token, "lift").text
    stale = _post(browser, buyer.id, token, "lift")
    assert "Nothing changed: this account is not suspended" in stale.text
    assert _account(buyer.id).suspended_at is None and _account(buyer.id).is_active_account
    unknown = _post(browser, buyer.id, token, "toggle")
    assert "Nothing changed: choose to suspend or to lift" in unknown.text
    assert _account(buyer.id).suspended_at is None


def test_lifting_gives_an_open_account_back_open(ctx):
    buyer = factories.buyer()
    lifted = _suspend_then_lift(buyer.id)
    assert lifted.is_active_account and lifted.suspended_from is None


def test_an_account_its_owner_closed_stays_the_owners_to_reopen(app, ctx, api):
    buyer = factories.buyer()
    closed = api.sign_in(buyer.email).post(
        "/privacy/requests", {"type": "deactivation", "password": buyer.password}
    )
    assert closed.get_json()["status"] == "complete"
    closed_at = _account(buyer.id).deactivated_at
    browser = app.test_client()
    token = sign_in_page(browser, factories.staff("admin"))
    _post(browser, buyer.id, token, "suspend")
    told = browser.get(f"/admin/users/{buyer.id}/suspension").text
    assert "It goes back to closed by its owner, as it was before the suspension" in told
    lifted = _account(buyer.id)
    assert lifted.suspended_at is not None and lifted.deactivated_at is None
    assert "stays closed by its owner" in _post(browser, buyer.id, token, "lift").text
    lifted = _account(buyer.id)
    assert lifted.is_active_account is False and lifted.deactivated_at == closed_at
    assert api.sign_in(buyer.email).get("/me").status_code == 200  # signing in reopens it
    assert _account(buyer.id).is_active_account


def test_an_account_the_officer_closed_stays_closed_and_waits_for_the_deletion(
    ctx, buyer, buyer_api, officer_api, api
):
    deletion_id = _objection_upheld(buyer, buyer_api, officer_api)
    admin = _admin()
    suspension.suspend(admin, buyer.id, REASON)
    commit()
    with pytest.raises(Conflict, match=f"deletion of this account \\(request #{deletion_id}\\)"):
        suspension.lift(_admin(), buyer.id, "The report was mistaken")
    db.session.rollback()
    assert _account(buyer.id).suspended_at is not None
    _deny(officer_api, deletion_id)
    suspension.lift(_admin(), buyer.id, "The report was mistaken")
    commit()
    lifted = _account(buyer.id)
    assert lifted.suspended_at is None and lifted.is_active_account is False
    assert lifted.deactivated_at is None  # signing in does not reopen an officer's closing
    signing_in = {"email": buyer.email, "password": buyer.password}
    assert api.post("/auth/tokens", signing_in).status_code == 401


def test_an_objection_upheld_during_the_suspension_keeps_the_account_closed(
    ctx, buyer, buyer_api, officer_api
):
    objection = buyer_api.post(
        "/privacy/requests",
        {
            "type": "objection",
            "purpose": "verification",
            "reason": "I will not share my mobile.",
            "password": buyer.password,
        },
    )
    suspension.suspend(_admin(), buyer.id, REASON)
    commit()
    officer_api.post(
        f"/privacy/requests/{objection.get_json()['id']}/decision",
        {"decision": "approve", "reason": "Upheld."},
    )
    db.session.remove()
    deletion_id = db.session.scalars(
        select(PrivacyRequest.id).where(
            PrivacyRequest.user_id == buyer.id, PrivacyRequest.type == RequestType.DELETION
        )
    ).one()
    _deny(officer_api, deletion_id)
    suspension.lift(_admin(), buyer.id, "Cleared by the admin")
    commit()
    assert _account(buyer.id).is_active_account is False


def test_a_child_report_found_wrong_during_the_suspension_leaves_it_suspended(
    ctx, buyer, officer_api
):
    """Reported (and closed) before the admin's suspension, the report denied during it: the
    account stays suspended, and lifting then opens it as it was before the report."""
    reported = officer_api.post(
        "/privacy/minor-reports", {"user_id": buyer.id, "reason": "A buyer says they are 15."}
    )
    assert reported.status_code == 201, reported.get_json()
    suspension.suspend(_admin(), buyer.id, REASON)
    commit()
    _deny(officer_api, reported.get_json()["id"])
    assert _account(buyer.id).is_active_account is False  # the admin's suspension holds
    suspension.lift(_admin(), buyer.id, "Cleared by the admin")
    commit()
    assert _account(buyer.id).is_active_account


def test_a_removed_team_member_stays_removed(app, ctx, supplier_api):
    removed = add_member(app, supplier_api, "sales")
    assert supplier_api.delete(f"/team/members/{removed.id}").status_code == 204
    assert _suspend_then_lift(removed.user_id).is_active_account is False
    # Suspended while a member, removed by the team during the suspension: still removed.
    member = add_member(app, supplier_api, "catalogue", name="Sunil Rao")
    suspension.suspend(_admin(), member.user_id, REASON)
    commit()
    assert supplier_api.delete(f"/team/members/{member.id}").status_code == 204
    suspension.lift(_admin(), member.user_id, "Cleared by the admin")
    commit()
    assert _account(member.user_id).is_active_account is False
