"""A supplier's team: invitations, each member's own sign-in, what each role may do, and
removing a member (sessions, keys and open leads)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.accounts import suspension
from marketplace.accounts.models import ApiCredential, User
from marketplace.accounts.team_models import TeamMember
from marketplace.audit import AuditEvent
from marketplace.db import commit
from marketplace.demo import DEMO_DOMAIN, DEMO_PASSWORD
from marketplace.demo_team import team_email
from marketplace.extensions import db, limiter
from marketplace.leads import conversations
from marketplace.leads.inputs import MessageIn
from marketplace.leads.models import Lead
from tests import factories
from tests.conftest import Api, csrf_token, outbox, sign_in_page
from tests.test_leads import PIPE

PASSWORD = "monsoon-lantern-quarry-77"


@dataclass
class Member:
    id: int  # the team member's id
    user_id: int
    email: str
    password: str
    api: Api


def invitation_link(app: Flask, email: str) -> str:
    mail = [m for m in outbox(app) if m.startswith(f"To: {email}")][-1]
    match = re.search(r"https?://[^/\s]+(/team/join/\S+)", mail)
    assert match, mail
    return match[1]


def join(app: Flask, email: str, password: str = PASSWORD) -> None:
    """The invited person opens the emailed link and chooses a password (the page)."""
    browser = app.test_client()
    link = invitation_link(app, email)
    page = browser.get(link)
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf_token(page.text), "password": password}
    joined = browser.post(link, data={**form, "age_confirmed": "y", "accept_terms": "y"})
    assert joined.status_code == 302, joined.text


def add_member(app: Flask, owner_api: Api, role: str, name: str = "Ravi Kumar") -> Member:
    limiter.reset()  # one test address signs many people in: the limits have tests of their own
    n = len(owner_api.get("/team/members").get_json()["items"])
    email = f"{role}{n}-{id(owner_api)}@rao-steel.example.in"
    invited = owner_api.post("/team/members", {"email": email, "name": name, "role": role})
    assert invited.status_code == 201, invited.get_json()
    join(app, email)
    member_api = Api(app.test_client()).sign_in(email, PASSWORD)
    body = invited.get_json()
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    return Member(body["id"], user_id, email, PASSWORD, member_api)


@pytest.fixture()
def product_id(supplier_api, categories) -> int:
    made = supplier_api.post("/products", PIPE)
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def send_enquiry(app: Flask, product_id: int) -> int:
    limiter.reset()
    with app.app_context():
        buyer = factories.buyer()
    buyer_api = Api(app.test_client()).sign_in(buyer.email)
    sent = buyer_api.post(
        "/enquiries",
        {"product_id": product_id, "quantity": "500", "message": "Please quote for 500 kg."},
    )
    assert sent.status_code == 201, sent.get_json()
    return sent.get_json()["lead_id"]


def assignee(app: Flask, lead_id: int) -> int | None:
    with app.app_context():
        return db.session.get_one(Lead, lead_id).assignee_id


# --- invitations ---------------------------------------------------------------------------


def test_the_owner_invites_and_the_member_signs_in_as_themselves(app, supplier_api, supplier):
    invited = supplier_api.post(
        "/team/members",
        {"email": "meena@rao-steel.example.in", "name": "Meena Shah", "role": "sales"},
    )
    assert invited.status_code == 201, invited.get_json()
    assert invited.get_json()["status"] == "invited"
    # Before joining, nobody can sign in as the member.
    refused = Api(app.test_client()).post(
        "/auth/tokens", {"email": "meena@rao-steel.example.in", "password": PASSWORD}
    )
    assert refused.status_code == 401
    link = invitation_link(app, "meena@rao-steel.example.in")
    join(app, "meena@rao-steel.example.in")
    # The link works once.
    assert app.test_client().get(link).status_code == 400
    member_api = Api(app.test_client()).sign_in("meena@rao-steel.example.in", PASSWORD)
    me = member_api.get("/me").get_json()
    assert me["email"] == "meena@rao-steel.example.in"
    listed = supplier_api.get("/team/members").get_json()["items"]
    assert [(m["email"], m["role"], m["status"]) for m in listed] == [
        ("meena@rao-steel.example.in", "sales", "active")
    ]
    with app.app_context():
        rows = db.session.execute(select(User.id).where(User.email == me["email"])).all()
        assert len(rows) == 1 and rows[0][0] != supplier.id  # an account of their own


def test_a_weak_password_is_refused_on_the_join_page(app, supplier_api):
    supplier_api.post(
        "/team/members", {"email": "k@rao.example.in", "name": "Kiran Rao", "role": "catalogue"}
    )
    browser = app.test_client()
    link = invitation_link(app, "k@rao.example.in")
    token = csrf_token(browser.get(link).text)
    weak = browser.post(
        link,
        data={
            "csrf_token": token,
            "password": "password",
            "age_confirmed": "y",
            "accept_terms": "y",
        },
    )
    assert weak.status_code == 422
    unticked = browser.post(link, data={"csrf_token": token, "password": PASSWORD})
    assert unticked.status_code == 422
    assert "or older to hold an account" in unticked.text and "accept the terms" in unticked.text
    no_csrf = browser.post(link, data={"password": PASSWORD})
    assert no_csrf.status_code == 400


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "x@rao.example.in", "name": "Xavier D", "role": "owner"}, 422, "role"),
        ({"email": "not-an-email", "name": "Xavier D", "role": "sales"}, 422, "email"),
        ({"email": "x@rao.example.in", "role": "sales"}, 422, "name"),
        ({"email": "x@rao.example.in", "name": "Xavier D", "role": "sales", "x": 1}, 422, "x"),
    ],
)
def test_bad_invitations_name_the_field(supplier_api, body, status, field):
    refused = supplier_api.post("/team/members", body)
    assert refused.status_code == status, refused.get_json()
    assert field in refused.get_json()["errors"]


def test_an_email_with_an_account_cannot_be_invited(supplier_api, buyer):
    refused = supplier_api.post(
        "/team/members", {"email": buyer.email, "name": "Asha Rao", "role": "sales"}
    )
    assert refused.status_code == 409


def test_only_the_owner_manages_the_team(app, supplier_api, buyer_api):
    manager = add_member(app, supplier_api, "manager")
    for caller in (manager.api, buyer_api):
        assert caller.get("/team/members").status_code == 403
        invited = caller.post(
            "/team/members", {"email": "y@rao.example.in", "name": "Yash Jain", "role": "sales"}
        )
        assert invited.status_code == 403
    assert buyer_api.delete(f"/team/members/{manager.id}").status_code == 403


def test_another_business_cannot_touch_my_members(app, ctx, supplier_api):
    member = add_member(app, supplier_api, "sales")
    other = factories.supplier()
    other_api = Api(app.test_client()).sign_in(other.email)
    assert other_api.patch(f"/team/members/{member.id}", {"away": True}).status_code == 404
    assert other_api.delete(f"/team/members/{member.id}").status_code == 404


# --- what each role may do -------------------------------------------------------------------


def test_catalogue_staff_keep_the_catalogue_and_nothing_else(app, supplier_api, product_id):
    staff = add_member(app, supplier_api, "catalogue")
    made = staff.api.post("/products", {**PIPE, "name": "SS 316 Seamless Pipe 1 inch"})
    assert made.status_code == 201, made.get_json()
    assert staff.api.patch(f"/products/{product_id}", {"price": "330.00"}).status_code == 200
    # The owner sees the product catalogue staff listed: it is the business's.
    mine = supplier_api.get("/me/products").get_json()["items"]
    assert {p["id"] for p in mine} >= {made.get_json()["id"], product_id}
    assert staff.api.get("/leads").status_code == 403
    assert staff.api.get("/buyleads").status_code == 403
    assert staff.api.get("/credits").status_code == 403
    assert staff.api.post("/api-keys", {"name": "CRM"}).status_code == 403
    assert staff.api.get("/webhooks").status_code == 403


def test_a_manager_does_everything_but_billing_and_the_team(app, supplier_api, product_id):
    manager = add_member(app, supplier_api, "manager")
    lead_id = send_enquiry(app, product_id)
    assert manager.api.get(f"/leads/{lead_id}").status_code == 200
    assert manager.api.patch(f"/products/{product_id}", {"price": "310.00"}).status_code == 200
    assert manager.api.get("/buyleads").status_code == 200
    made = manager.api.post("/api-keys", {"name": "Zoho", "scopes": ["leads:read"]})
    assert made.status_code == 201, made.get_json()
    # The key is the business's: the owner lists it and it reads the business's leads.
    assert [k["name"] for k in supplier_api.get("/api-keys").get_json()["items"]] == ["Zoho"]
    with app.app_context():  # made by the manager, in the manager's name
        made_by = db.session.scalar(
            select(AuditEvent.actor_id).where(AuditEvent.action == "api_key.created")
        )
        assert made_by == manager.user_id
    key_api = Api(app.test_client(), made.get_json()["key"])
    assert key_api.get(f"/leads/{lead_id}").status_code == 200
    assert manager.api.get("/credits").status_code == 403
    assert manager.api.get("/orders").status_code == 403
    assert manager.api.post("/orders", {"pack": "starter"}).status_code == 403
    assert manager.api.get("/team/members").status_code == 403
    # Nor through a key: a manager cannot give one the billing scope.
    billing = manager.api.post("/api-keys", {"name": "Books", "scopes": ["credits:read"]})
    assert billing.status_code == 422
    assert "credits:read" in billing.get_json()["errors"]["scopes"][0]


def test_a_closed_business_has_no_staff(app, supplier_api, product_id, supplier):
    sales = add_member(app, supplier_api, "sales")
    assert sales.api.get("/leads").status_code == 200
    with app.app_context():
        db.session.get_one(User, supplier.id).is_active_account = False
        db.session.commit()
    assert sales.api.get("/leads").status_code == 403


def test_sales_see_only_the_leads_given_to_them(app, supplier_api, product_id):
    first = add_member(app, supplier_api, "sales", "Anil Gupta")
    second = add_member(app, supplier_api, "sales", "Bina Das")
    leads = [send_enquiry(app, product_id) for _ in range(2)]
    owners = {assignee(app, lead_id): lead_id for lead_id in leads}
    assert set(owners) == {first.user_id, second.user_id}
    mine, theirs = owners[first.user_id], owners[second.user_id]
    assert first.api.get(f"/leads/{mine}").status_code == 200
    assert first.api.get(f"/leads/{theirs}").status_code == 404
    listed = first.api.get("/leads").get_json()["items"]
    assert [lead["id"] for lead in listed] == [mine]
    assert first.api.patch(f"/leads/{mine}", {"status": "contacted"}).status_code == 200
    assert first.api.patch(f"/leads/{theirs}", {"status": "contacted"}).status_code == 404
    said = first.api.post(f"/leads/{mine}/messages", {"text": "We can deliver by Friday."})
    assert said.status_code == 201, said.get_json()
    assert first.api.post(f"/leads/{theirs}/messages", {"text": "Hello"}).status_code == 404
    assert first.api.get("/buyleads").status_code == 200
    assert first.api.post("/products", PIPE).status_code == 403
    assert first.api.get("/credits").status_code == 403
    # The owner sees both.
    assert {lead["id"] for lead in supplier_api.get("/leads").get_json()["items"]} == set(leads)


# --- removing a member -----------------------------------------------------------------------


def test_removing_a_member_ends_their_sessions_and_keys_and_hands_back_leads(
    app, supplier, supplier_api, product_id
):
    manager = add_member(app, supplier_api, "manager", "Meera Iyer")
    leaving = add_member(app, supplier_api, "sales", "Anil Gupta")
    staying = add_member(app, supplier_api, "sales", "Bina Das")
    key = manager.api.post("/api-keys", {"name": "Tally"}).get_json()
    browser = app.test_client()
    sign_in_page(browser, factories.Registered(leaving.user_id, leaving.email, leaving.password))
    assert browser.get("/leads").status_code == 200
    leads = [send_enquiry(app, product_id) for _ in range(4)]
    theirs = [lead_id for lead_id in leads if assignee(app, lead_id) == leaving.user_id]
    assert len(theirs) == 2
    assert supplier_api.delete(f"/team/members/{leaving.id}").status_code == 204
    assert leaving.api.get("/leads").status_code == 401  # the session token died at once
    assert browser.get("/leads").status_code == 302  # and the browser's session
    relogin = Api(app.test_client()).post(
        "/auth/tokens", {"email": leaving.email, "password": PASSWORD}
    )
    assert relogin.status_code == 401
    assert all(assignee(app, lead_id) == staying.user_id for lead_id in theirs)
    # The manager's key survives a sales person's removal; the manager's removal revokes it.
    assert Api(app.test_client(), key["key"]).get("/leads").status_code == 200
    assert supplier_api.delete(f"/team/members/{manager.id}").status_code == 204
    assert Api(app.test_client(), key["key"]).get("/leads").status_code == 401
    with app.app_context():
        revoked = db.session.get_one(ApiCredential, key["id"])
        assert revoked.revoked_at is not None and revoked.user_id == supplier.id
    assert [m["name"] for m in supplier_api.get("/team/members").get_json()["items"]] == [
        "Bina Das"
    ]


def test_with_nobody_left_the_owner_gets_the_leads_back(app, supplier, supplier_api, product_id):
    only = add_member(app, supplier_api, "sales")
    lead_id = send_enquiry(app, product_id)
    assert assignee(app, lead_id) == only.user_id
    assert supplier_api.delete(f"/team/members/{only.id}").status_code == 204
    assert assignee(app, lead_id) == supplier.id


def test_a_sales_person_made_catalogue_staff_hands_their_leads_back(
    app, supplier, supplier_api, product_id
):
    member = add_member(app, supplier_api, "sales")
    lead_id = send_enquiry(app, product_id)
    changed = supplier_api.patch(f"/team/members/{member.id}", {"role": "catalogue"})
    assert changed.status_code == 200 and changed.get_json()["role"] == "catalogue"
    assert assignee(app, lead_id) == supplier.id
    assert member.api.get(f"/leads/{lead_id}").status_code == 403


# --- the team page ---------------------------------------------------------------------------


def test_the_owner_invites_and_removes_through_the_team_page(app, supplier):
    browser = app.test_client()
    token = sign_in_page(browser, supplier)
    page = browser.get("/team/")
    assert page.status_code == 200 and "Invite someone" in page.text
    form = {"csrf_token": csrf_token(page.text), "name": "Sunil Rao", "role": "sales"}
    bad = browser.post("/team/", data={**form, "email": "nope"})
    assert bad.status_code == 422
    assert (
        browser.post("/team/", data={"name": "Sunil Rao", "email": "s@rao.example.in"}).status_code
        == 400
    )
    sent = browser.post("/team/", data={**form, "email": "sunil@rao.example.in"})
    assert sent.status_code == 302
    listed = browser.get("/team/")
    assert "sunil@rao.example.in" in listed.text and "Invitation sent" in listed.text
    with app.app_context():
        member_id = db.session.scalar(select(TeamMember.id))
    away = browser.post(
        f"/team/{member_id}",
        data={"csrf_token": token, f"m{member_id}-role": "sales", f"m{member_id}-away": "y"},
    )
    assert away.status_code == 302 and "Away" in browser.get("/team/").text
    confirm = browser.get(f"/team/{member_id}/remove")
    assert confirm.status_code == 200 and "Remove Sunil Rao" in confirm.text
    assert browser.post(f"/team/{member_id}/remove", data={}).status_code == 400  # no CSRF
    removed = browser.post(
        f"/team/{member_id}/remove", data={"csrf_token": csrf_token(confirm.text)}
    )
    assert removed.status_code == 302
    assert "sunil@rao.example.in" not in browser.get("/team/").text


def test_nobody_but_the_owner_opens_the_team_page(app, supplier_api, buyer):
    manager = add_member(app, supplier_api, "manager")
    for person in (buyer, factories.Registered(manager.user_id, manager.email, PASSWORD)):
        browser = app.test_client()
        sign_in_page(browser, person)
        assert browser.get("/team/").status_code == 403
    assert app.test_client().get("/team/").status_code == 302


def test_members_sign_in_on_the_page_and_keep_their_own_audit_identity(
    app, supplier_api, product_id
):
    staff = add_member(app, supplier_api, "catalogue")
    browser = app.test_client()
    token = sign_in_page(browser, factories.Registered(staff.user_id, staff.email, PASSWORD))
    assert browser.get("/dashboard/products").status_code == 200
    assert browser.get("/leads").status_code == 403
    assert browser.get("/credits").status_code == 403
    deleted = browser.post(f"/dashboard/products/{product_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    with app.app_context():
        actors = db.session.scalars(
            select(AuditEvent.actor_id).where(AuditEvent.action == "auth.signed_in")
        ).all()
        assert staff.user_id in actors  # they signed in as themselves, not as the owner


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_has_a_supplier_with_a_team_and_shared_out_leads(app, ctx, api):
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--products", "120", "--buyers", "3"]
    )
    assert result.exit_code == 0, result.output
    assert f"supplier1-manager@{DEMO_DOMAIN}" in result.output
    owner = api.sign_in(f"supplier1@{DEMO_DOMAIN}", DEMO_PASSWORD)
    members = owner.get("/team/members").get_json()["items"]
    assert sorted(m["role"] for m in members) == ["catalogue", "manager", "sales", "sales"]
    assert {m["status"] for m in members} == {"active"}
    leads = owner.get("/leads").get_json()["items"]
    assert len(leads) >= 3
    by_person: dict[int, int] = {}
    for lead in leads:
        by_person[lead["assignee_id"]] = by_person.get(lead["assignee_id"], 0) + 1
    sales = [
        Api(app.test_client()).sign_in(team_email(local, DEMO_DOMAIN), DEMO_PASSWORD)
        for local in ("sales1", "sales2")
    ]
    theirs = [len(person.get("/leads").get_json()["items"]) for person in sales]
    assert sum(theirs) == len(leads) and abs(theirs[0] - theirs[1]) <= 1  # shared in turn
    assert sorted(by_person.values()) == sorted(theirs)


def test_a_manager_makes_and_revokes_the_businesss_keys_on_their_page(app, supplier_api):
    manager = add_member(app, supplier_api, "manager")
    browser = app.test_client()
    token = sign_in_page(browser, factories.Registered(manager.user_id, manager.email, PASSWORD))
    made = browser.post(
        "/account/api-keys", data={"csrf_token": token, "name": "Zoho", "scopes": "leads:read"}
    )
    assert made.status_code == 200 and 'data-testid="new-key"' in made.text
    keys = supplier_api.get("/api-keys").get_json()["items"]
    assert [key["name"] for key in keys] == ["Zoho"]
    page = browser.get("/account/")
    assert "Zoho" in page.text and 'data-testid="keys-count"' not in page.text
    revoked = browser.post(f"/account/api-keys/{keys[0]['id']}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302
    assert supplier_api.get("/api-keys").get_json()["items"] == []
    sales = add_member(app, supplier_api, "sales")
    theirs = app.test_client()
    sign_in_page(theirs, factories.Registered(sales.user_id, sales.email, PASSWORD))
    assert 'id="api-keys"' not in theirs.get("/account/").text


def test_a_manager_made_sales_loses_the_keys_they_made(app, supplier_api, product_id):
    manager = add_member(app, supplier_api, "manager")
    made = manager.api.post("/api-keys", {"name": "Zoho", "scopes": ["leads:read"]})
    key_api = Api(app.test_client(), made.get_json()["key"])
    assert key_api.get("/leads").status_code == 200
    demoted = supplier_api.patch(f"/team/members/{manager.id}", {"role": "sales"})
    assert demoted.status_code == 200, demoted.get_json()
    assert key_api.get("/leads").status_code == 401  # they saw its secret


def test_a_suspended_managers_keys_are_refused_until_the_suspension_is_lifted(
    app, supplier_api, product_id
):
    manager = add_member(app, supplier_api, "manager")
    made = manager.api.post("/api-keys", {"name": "Zoho", "scopes": ["leads:read"]})
    key_api = Api(app.test_client(), made.get_json()["key"])
    assert key_api.get("/leads").status_code == 200
    with app.app_context():
        admin_id = factories.staff("admin").id
        admin = db.session.get_one(User, admin_id)
        suspension.suspend(admin, manager.user_id, "Shared the business's keys outside it")
        commit()
    assert key_api.get("/leads").status_code == 401  # the key is the owner's; its maker saw it
    assert supplier_api.get("/leads").status_code == 200  # the owner works on
    with app.app_context():
        suspension.lift(db.session.get_one(User, admin_id), manager.user_id, "Cleared")
        commit()
    assert key_api.get("/leads").status_code == 200


def test_a_removed_member_is_never_told_of_a_buyers_message(
    app, supplier_api, product_id, supplier
):
    sales = add_member(app, supplier_api, "sales")
    lead_id = send_enquiry(app, product_id)
    assert assignee(app, lead_id) == sales.user_id
    assert sales.api.patch(f"/leads/{lead_id}", {"status": "won"}).status_code == 200
    assert supplier_api.delete(f"/team/members/{sales.id}").status_code in (200, 204)
    assert assignee(app, lead_id) == sales.user_id  # a closed lead stays with who won it
    with app.app_context():
        lead = db.session.get_one(Lead, lead_id)
        buyer = lead.buyer
        conversations.post_message(buyer, lead_id, MessageIn.model_validate({"text": "Again?"}))
        commit()  # the mail goes after it
    told = [mail for mail in outbox(app) if "sent you a message" in mail]
    assert told and all(f"To: {sales.email}" not in mail for mail in told)
    assert any(f"To: {supplier.email}" in mail for mail in told)
