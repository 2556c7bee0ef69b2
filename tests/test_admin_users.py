"""The admin's users screen: search, roles given and taken after a confirmation, suspension
with a reason (no sign-in, no key, reversible, audited); and the GST verification screen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts import suspension
from marketplace.accounts.models import SupplierProfile, User
from marketplace.audit import AuditEvent
from marketplace.db import commit
from marketplace.extensions import db
from tests import factories
from tests.conftest import Api, csrf_token, sign_in_page
from tests.test_catalog import PIPE
from tests.test_erasure_scan import _erase
from tests.test_team import add_member


def _admin(app):
    admin = factories.staff("admin")
    browser = app.test_client()
    return admin, browser, sign_in_page(browser, admin)


def _actions() -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _supplier_row(user_id: int) -> SupplierProfile:
    return db.session.scalar(select(SupplierProfile).where(SupplierProfile.user_id == user_id))


def test_the_admin_finds_people_by_name_email_phone_business_and_gstin(app, ctx):
    buyer = factories.buyer(name="Sunita Deshpande")
    supplier = factories.supplier()
    business = _supplier_row(supplier.id)
    phone = db.session.get(User, buyer.id).phone
    _, browser, _ = _admin(app)
    for words, found in (
        ("Deshpande", buyer),
        (buyer.email, buyer),
        (phone[3:], buyer),
        (business.company_name, supplier),
        (business.gstin.lower(), supplier),
    ):
        page = browser.get("/admin/users/", query_string={"q": words}).text
        assert f'data-user="{found.id}"' in page, words
    by_role = browser.get("/admin/users/?role=supplier").text
    assert f'data-user="{supplier.id}"' in by_role and f'data-user="{buyer.id}"' not in by_role
    assert "No accounts." in browser.get("/admin/users/?q=nobody-by-this-name").text


def test_a_role_is_given_and_taken_after_a_page_of_facts(app, ctx):
    officer = factories.staff("grievance_officer")
    admin, browser, _ = _admin(app)
    confirm = browser.get(f"/admin/users/{officer.id}/role?role=admin&change=grant")
    assert confirm.status_code == 200 and officer.email in confirm.text
    form = {"csrf_token": csrf_token(confirm.text), "role": "admin", "change": "grant"}
    assert browser.post(f"/admin/users/{officer.id}/role", data=form).status_code == 302
    db.session.rollback()
    assert db.session.get(User, officer.id).has_role("admin")
    revoke = {**form, "change": "revoke"}
    browser.post(f"/admin/users/{officer.id}/role", data=revoke)
    db.session.rollback()
    assert not db.session.get(User, officer.id).has_role("admin")
    granted, revoked = [row for row in _actions() if row.action.startswith("role.")][-2:]
    assert (granted.action, granted.actor_id) == ("role.granted", admin.id)
    assert (revoked.action, revoked.details["role"]) == ("role.revoked", "admin")


def test_only_staff_roles_are_given_and_an_admin_keeps_their_own(app, ctx):
    buyer = factories.buyer()
    admin, browser, token = _admin(app)
    refused = browser.post(
        f"/admin/users/{buyer.id}/role",
        data={"csrf_token": token, "role": "supplier", "change": "grant"},
        follow_redirects=True,
    )
    assert "Nothing changed" in refused.text
    mine = browser.post(
        f"/admin/users/{admin.id}/role",
        data={"csrf_token": token, "role": "admin", "change": "revoke"},
        follow_redirects=True,
    )
    assert "You cannot take the admin role from yourself" in mine.text
    db.session.rollback()
    assert db.session.get(User, admin.id).has_role("admin")
    assert not db.session.get(User, buyer.id).has_role("supplier")


def test_a_suspended_account_cannot_sign_in_nor_use_its_keys_until_lifted(app, ctx):
    supplier = factories.supplier()
    owner_api = Api(app.test_client()).sign_in(supplier.email)
    key = owner_api.post("/api-keys", {"name": "Zoho", "scopes": ["leads:read"]}).get_json()
    keyed = Api(app.test_client(), token=key["key"])
    assert keyed.get("/leads").status_code == 200
    _, browser, token = _admin(app)
    confirm = browser.get(f"/admin/users/{supplier.id}/suspension")
    assert "stop working" in confirm.text and supplier.email in confirm.text
    assert 'name="action" type="hidden" value="suspend"' in confirm.text
    no_reason = browser.post(
        f"/admin/users/{supplier.id}/suspension", data={"csrf_token": token, "action": "suspend"}
    )
    assert no_reason.status_code == 422
    reason = "Fake GST invoices reported by three buyers"
    done = browser.post(
        f"/admin/users/{supplier.id}/suspension",
        data={"csrf_token": token, "reason": reason, "action": "suspend"},
    )
    assert done.status_code == 302
    assert keyed.get("/leads").status_code == 401
    assert owner_api.get("/me").status_code == 401
    assert Api(app.test_client()).post(
        "/auth/tokens", {"email": supplier.email, "password": supplier.password}
    ).status_code in (400, 401)
    page = browser.get(f"/admin/users/{supplier.id}").text
    assert reason in page and "Lift the suspension" in page
    lifted = browser.post(
        f"/admin/users/{supplier.id}/suspension",
        data={
            "csrf_token": token,
            "reason": "The invoices were the buyer's mistake",
            "action": "lift",
        },
    )
    assert lifted.status_code == 302
    assert keyed.get("/leads").status_code == 200
    assert Api(app.test_client()).sign_in(supplier.email).get("/me").status_code == 200
    actions = [row.action for row in _actions() if row.action.startswith("account.")]
    assert actions[-2:] == ["account.suspended", "account.unsuspended"]


def test_an_admin_cannot_suspend_themselves(app, ctx):
    admin, browser, token = _admin(app)
    refused = browser.post(
        f"/admin/users/{admin.id}/suspension",
        data={"csrf_token": token, "reason": "Testing the lock", "action": "suspend"},
        follow_redirects=True,
    )
    assert "You cannot suspend your own account." in refused.text
    db.session.rollback()
    assert db.session.get(User, admin.id).suspended_at is None


@pytest.mark.parametrize("role", ["grievance_officer", None])
def test_nobody_but_an_admin_opens_the_users_screen(app, ctx, role):
    person = factories.staff(role) if role else factories.supplier()
    browser = app.test_client()
    sign_in_page(browser, person)
    assert browser.get("/admin/users/").status_code == 403
    assert browser.get(f"/admin/users/{person.id}").status_code == 403


def test_the_gst_screen_lists_suppliers_and_a_check_run_there_names_who_asked(app, ctx):
    supplier = factories.supplier()
    business = _supplier_row(supplier.id)
    officer = factories.staff("grievance_officer")
    browser = app.test_client()
    token = sign_in_page(browser, officer)
    listed = browser.get("/admin/gst/?show=pending").text
    assert f'data-supplier="{business.id}"' in listed and "Never checked" in listed
    assert f'data-supplier="{business.id}"' not in browser.get("/admin/gst/?show=verified").text
    ran = browser.post(f"/admin/gst/{business.id}/check", data={"csrf_token": token})
    assert ran.status_code == 302
    page = browser.get(f"/admin/gst/{business.id}").text
    assert 'data-testid="gst-check"' in page and "Meera Iyer" in page and "IST" in page
    check = [row for row in _actions() if row.action == "supplier.gst_check"][-1]
    assert check.actor_id == officer.id
    buyer_browser = app.test_client()
    sign_in_page(buyer_browser, factories.buyer())
    assert buyer_browser.get("/admin/gst/").status_code == 403


def test_a_suspended_suppliers_listings_leave_search_and_come_back(
    app, ctx, api, supplier, supplier_api, categories
):
    assert supplier_api.post("/products", PIPE).status_code == 201

    def found() -> int:
        return api.get("/search?q=seamless").get_json()["total"]

    assert found() == 1
    _, browser, token = _admin(app)
    reason = {"csrf_token": token, "reason": "Selling counterfeit pipes"}
    browser.post(f"/admin/users/{supplier.id}/suspension", data={**reason, "action": "suspend"})
    assert found() == 0
    browser.post(f"/admin/users/{supplier.id}/suspension", data={**reason, "action": "lift"})
    assert found() == 1


def test_the_command_line_suspends_and_lifts_through_the_same_rules(app, ctx):
    buyer = factories.buyer()
    admin = factories.staff("admin")
    runner = app.test_cli_runner()
    base = ["accounts", "suspend", "--email", buyer.email, "--by", admin.email]
    short = runner.invoke(args=[*base, "--reason", "no"])
    assert short.exit_code != 0 and "at least 5 characters" in short.output
    done = runner.invoke(args=[*base, "--reason", "Spam enquiries to forty suppliers"])
    assert done.exit_code == 0, done.output
    db.session.rollback()
    assert db.session.get(User, buyer.id).suspended_at is not None
    not_admin = runner.invoke(
        args=[*base[:-1], buyer.email, "--reason", "Spam enquiries to forty suppliers"]
    )
    assert not_admin.exit_code != 0
    lifted = runner.invoke(
        args=[
            "accounts",
            "lift-suspension",
            "--email",
            buyer.email,
            "--by",
            admin.email,
            "--reason",
            "Agreed to stop",
        ]
    )
    assert lifted.exit_code == 0, lifted.output
    db.session.rollback()
    assert db.session.get(User, buyer.id).is_active_account


def test_erasing_a_suspended_account_drops_the_admins_words_about_the_person(app, ctx):
    buyer = factories.buyer()
    admin = db.session.get(User, factories.staff("admin").id)
    suspension.suspend(admin, buyer.id, "Abusive messages to Farida Noorani's staff")
    commit()
    _erase(buyer.id)
    db.session.rollback()
    erased = db.session.get(User, buyer.id)
    assert erased.erased_at is not None and erased.suspended_reason is None


def test_no_staff_role_for_a_suppliers_own_or_its_team_members_account(
    app, ctx, supplier, supplier_api
):
    """Staff see every business's data: neither the page nor the command line gives the
    officer or admin role to a business's account or its staff's."""
    owner = db.session.get_one(User, supplier.id)
    member = add_member(app, supplier_api, "sales")
    _, browser, token = _admin(app)
    for person, whose in ((owner, "a supplier's own"), (member, "a supplier's team member's")):
        user_id = getattr(person, "user_id", person.id)
        refused = browser.post(
            f"/admin/users/{user_id}/role",
            data={"csrf_token": token, "role": "grievance_officer", "change": "grant"},
            follow_redirects=True,
        )
        assert f"this is {whose} account; staff roles go to a separate staff account" in (
            refused.text.replace("&#39;", "'")
        )
    email = db.session.get_one(User, member.user_id).email
    by_cli = app.test_cli_runner().invoke(
        args=["accounts", "grant-role", "--email", email, "--role", "admin"]
    )
    assert by_cli.exit_code == 1 and "separate staff account" in by_cli.output
    db.session.rollback()
    assert not db.session.get_one(User, owner.id).is_staff
    assert not db.session.get_one(User, member.user_id).is_staff
    subjects = {str(owner.id), str(member.user_id)}
    assert not [e for e in _actions() if e.action == "role.granted" and e.subject_id in subjects]


def test_checking_with_the_gst_registry_is_rate_limited(app, ctx):
    business = _supplier_row(factories.supplier().id)
    browser = app.test_client()
    token = sign_in_page(browser, factories.staff("grievance_officer"))
    statuses = [
        browser.post(f"/admin/gst/{business.id}/check", data={"csrf_token": token}).status_code
        for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    assert (
        "Too many requests"
        in browser.post(f"/admin/gst/{business.id}/check", data={"csrf_token": token}).text
    )
