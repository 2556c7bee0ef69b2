"""New leads shared out among a business's people: round-robin among active sales people,
rules by category or state, the sales person who unlocked a BuyLead, the owner when nobody is
active; reassigning; each person's figures; and concurrent assignment on PostgreSQL."""

from __future__ import annotations

import contextlib
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace.accounts.models import User
from marketplace.catalog.models import Category
from marketplace.db import commit, utcnow
from marketplace.extensions import db, limiter
from marketplace.leads import assignment
from marketplace.leads.assignment_models import AssignmentRule
from marketplace.leads.models import Lead, Message, MessageSide
from tests import factories
from tests.conftest import Api, csrf_token, outbox, sign_in_page
from tests.test_requirements import REQUIREMENT, _credits, _supplier_with_pipe
from tests.test_team import PASSWORD, add_member, assignee, send_enquiry
from tests.test_team import product_id as product_id


def _person(member) -> factories.Registered:
    return factories.Registered(member.user_id, member.email, PASSWORD)


def test_new_leads_go_round_robin_among_active_sales_people(app, supplier_api, product_id):
    team = [
        add_member(app, supplier_api, "sales", name) for name in ("Anil G", "Bina D", "Chetan S")
    ]
    add_member(app, supplier_api, "manager")  # managers are not in the turn
    add_member(app, supplier_api, "catalogue")
    got = [assignee(app, send_enquiry(app, product_id)) for _ in range(6)]
    ids = sorted(member.user_id for member in team)
    assert got == ids + ids


def test_away_and_long_absent_people_are_passed_by(app, supplier, supplier_api, product_id):
    away, absent, here = (
        add_member(app, supplier_api, "sales", n) for n in ("Anil G", "Bina D", "Chetan S")
    )
    assert supplier_api.patch(f"/team/members/{away.id}", {"away": True}).status_code == 200
    with app.app_context():
        long_ago = utcnow() - timedelta(days=app.config["LEAD_ASSIGN_ACTIVE_DAYS"] + 1)
        db.session.execute(
            update(User).where(User.id == absent.user_id).values(last_sign_in_at=long_ago)
        )
        commit()
    got = {assignee(app, send_enquiry(app, product_id)) for _ in range(3)}
    assert got == {here.user_id}
    # With nobody active, the owner: a lead never waits unassigned.
    assert supplier_api.patch(f"/team/members/{here.id}", {"away": True}).status_code == 200
    assert assignee(app, send_enquiry(app, product_id)) == supplier.id
    # Back from leave: their turn again.
    assert supplier_api.patch(f"/team/members/{away.id}", {"away": False}).status_code == 200
    assert assignee(app, send_enquiry(app, product_id)) == away.user_id


def test_a_business_without_a_team_gets_every_lead_itself(app, supplier, product_id):
    assert assignee(app, send_enquiry(app, product_id)) == supplier.id


def test_a_rule_sends_a_category_to_one_person(app, supplier, supplier_api, product_id):
    first = add_member(app, supplier_api, "sales", "Anil G")
    expert = add_member(app, supplier_api, "sales", "Bina D")
    with app.app_context():
        category_id = db.session.scalar(
            select(Category.id).where(Category.slug == "stainless-steel-pipes")
        )
        profile_id = db.session.get_one(User, supplier.id).supplier.id
        db.session.add(
            AssignmentRule(supplier_id=profile_id, category_id=category_id, user_id=expert.user_id)
        )
        commit()
    got = {assignee(app, send_enquiry(app, product_id)) for _ in range(3)}
    assert got == {expert.user_id}
    assert first.user_id not in got


def test_a_rule_sends_a_state_to_one_person_and_an_unlocker_keeps_their_buylead(
    app, ctx, categories
):
    owner = _supplier_with_pipe()
    owner_api = Api(app.test_client()).sign_in(owner.email)
    north = add_member(app, owner_api, "sales", "Anil G")
    west = add_member(app, owner_api, "sales", "Bina D")
    _credits(owner, 5)
    with app.app_context():
        profile_id = db.session.get_one(User, owner.id).supplier.id
        db.session.add(
            AssignmentRule(supplier_id=profile_id, state="Maharashtra", user_id=west.user_id)
        )
        commit()
    buyer_api = Api(app.test_client()).sign_in(factories.buyer().email)
    first = buyer_api.post("/requirements", REQUIREMENT).get_json()["id"]
    second = buyer_api.post(
        "/requirements", {**REQUIREMENT, "product_name": "SS 316 pipe"}
    ).get_json()["id"]
    by_owner = owner_api.post(f"/buyleads/{first}/unlock")
    assert by_owner.status_code == 200, by_owner.get_json()
    assert by_owner.get_json()["assignee_id"] == west.user_id  # Maharashtra's person
    by_north = north.api.post(f"/buyleads/{second}/unlock")
    assert by_north.status_code == 200, by_north.get_json()
    assert by_north.get_json()["assignee_id"] == north.user_id  # they chose it


# --- reassigning -----------------------------------------------------------------------------


def test_the_owner_and_managers_reassign_sales_cannot(app, supplier, supplier_api, product_id):
    manager = add_member(app, supplier_api, "manager")
    first = add_member(app, supplier_api, "sales", "Anil G")
    second = add_member(app, supplier_api, "sales", "Bina D")
    catalogue = add_member(app, supplier_api, "catalogue")
    lead_id = send_enquiry(app, product_id)
    assert assignee(app, lead_id) == first.user_id
    moved = manager.api.patch(f"/leads/{lead_id}", {"assignee_id": second.user_id})
    assert moved.status_code == 200 and moved.get_json()["assignee_id"] == second.user_id
    assert second.api.patch(f"/leads/{lead_id}", {"assignee_id": first.user_id}).status_code == 403
    assert first.api.get(f"/leads/{lead_id}").status_code == 404  # no longer theirs
    refused = supplier_api.patch(f"/leads/{lead_id}", {"assignee_id": catalogue.user_id})
    assert refused.status_code == 422 and "assignee_id" in refused.get_json()["errors"]
    with app.app_context():
        stranger = factories.supplier().id
    assert supplier_api.patch(f"/leads/{lead_id}", {"assignee_id": stranger}).status_code == 422
    back = supplier_api.patch(f"/leads/{lead_id}", {"assignee_id": supplier.id})
    assert back.status_code == 200 and back.get_json()["assignee_id"] == supplier.id


def test_the_lead_page_gives_a_lead_to_someone_else(app, supplier, supplier_api, product_id):
    member = add_member(app, supplier_api, "sales", "Anil G")
    supplier_api.patch(f"/team/members/{member.id}", {"away": True})
    lead_id = send_enquiry(app, product_id)
    assert assignee(app, lead_id) == supplier.id
    browser = app.test_client()
    sign_in_page(browser, supplier)
    page = browser.get(f"/leads/{lead_id}")
    assert 'data-testid="reassign"' in page.text and "Anil G (sales person)" in page.text
    given = browser.post(
        f"/leads/{lead_id}/update",
        data={
            "csrf_token": csrf_token(page.text),
            "action": "assign",
            "assignee_id": str(member.user_id),
        },
    )
    assert given.status_code == 302
    assert assignee(app, lead_id) == member.user_id
    # The sales person's page says it is theirs, and has no reassigning.
    theirs = app.test_client()
    sign_in_page(theirs, _person(member))
    page = theirs.get(f"/leads/{lead_id}")
    assert page.status_code == 200 and "Assigned to you" in page.text
    assert 'data-testid="reassign"' not in page.text


# --- the lead manager ------------------------------------------------------------------------


def test_each_person_sees_their_own_leads_first_and_the_owner_the_figures(
    app, supplier, supplier_api, product_id
):
    sales = add_member(app, supplier_api, "sales", "Anil G")
    mine = send_enquiry(app, product_id)  # the sales person's
    supplier_api.patch(f"/team/members/{sales.id}", {"away": True})
    owners = [send_enquiry(app, product_id) for _ in range(2)]  # nobody active: the owner's
    supplier_api.patch(f"/team/members/{sales.id}", {"away": False})
    newest = send_enquiry(app, product_id)  # the sales person's again
    # The sales person answers one lead within the hour and the other after two days.
    with app.app_context():
        for lead_id, after in ((mine, timedelta(minutes=30)), (newest, timedelta(hours=50))):
            lead = db.session.get_one(Lead, lead_id)
            db.session.add(
                Message(
                    lead_id=lead_id,
                    side=MessageSide.SUPPLIER,
                    author_id=sales.user_id,
                    text="Quote follows.",
                    created_at=lead.created_at + after,
                )
            )
        commit()
    browser = app.test_client()
    sign_in_page(browser, supplier)
    page = browser.get("/leads").text
    listed = [int(n) for n in re.findall(r'href="/leads/(\d+)"', page)]
    assert listed == [owners[1], owners[0], newest, mine]  # the owner's own first, newest first
    rows = re.findall(r'<tr data-testid="figures-row">(.*?)</tr>', page, re.S)
    cells = [re.sub(r"<[^>]+>", "", row).split() for row in rows]
    assert cells[0][-8:] == ["(owner)", "2", "0", "of", "2", "No", "replies", "yet"]
    assert cells[1][2:] == ["(sales", "person)", "2", "1", "of", "2", "25.2", "hours"]
    # The sales person sees only theirs, and no figures.
    theirs = app.test_client()
    sign_in_page(theirs, _person(sales))
    their_page = theirs.get("/leads").text
    assert [int(n) for n in re.findall(r'href="/leads/(\d+)"', their_page)] == [newest, mine]
    assert "team-figures" not in their_page


# --- concurrency -----------------------------------------------------------------------------


def test_concurrent_leads_are_handed_out_in_turn(
    app, supplier_api, product_id, database_url, monkeypatch
):
    if database_url.startswith("sqlite"):
        pytest.skip("row locks are PostgreSQL's; SQLite has a single writer")
    team = [add_member(app, supplier_api, "sales", name) for name in ("Anil G", "Bina D")]
    buyers = []
    with app.app_context():
        for _ in range(4):
            buyers.append(factories.buyer())
    apis = [Api(app.test_client()).sign_in(buyer.email) for buyer in buyers]
    # Each assignment waits here, once it holds the turn, for another to reach it too (at most
    # 2 s): without the cursor's row lock both would read the same turn and give their leads to
    # the same person.
    together = threading.Barrier(2)
    real = assignment._next_in_turn

    def slowly(cursor, sales):
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait(timeout=2)
        return real(cursor, sales)

    monkeypatch.setattr(assignment, "_next_in_turn", slowly)
    made: list[int] = []

    def enquire(buyer_api: Api) -> None:
        own = Api(app.test_client(), buyer_api.token)  # a client per thread
        sent = own.post(
            "/enquiries", {"product_id": product_id, "quantity": "500", "message": "Please quote."}
        )
        made.append(sent.get_json()["lead_id"])

    for pair in (apis[:2], apis[2:]):
        together.reset()
        threads = [threading.Thread(target=enquire, args=(buyer_api,)) for buyer_api in pair]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(made) == 4
    got = sorted(assignee(app, lead_id) for lead_id in made)
    ids = sorted(member.user_id for member in team)
    assert got == sorted(ids + ids)  # two each: nobody skipped, nobody served twice


def test_the_person_given_a_lead_is_the_one_told(app, supplier, supplier_api, product_id):
    sales = add_member(app, supplier_api, "sales", "Anil G")
    lead_id = send_enquiry(app, product_id)
    assert assignee(app, lead_id) == sales.user_id
    told = [mail for mail in outbox(app) if "Subject: New enquiry" in mail]
    assert [mail.splitlines()[0] for mail in told] == [f"To: {sales.email}"]
    # The buyer's reply reaches them too, not the owner.
    with app.app_context():
        buyer_id = db.session.get_one(Lead, lead_id).buyer_id
        buyer_email = db.session.get_one(User, buyer_id).email
    limiter.reset()
    buyer_api = Api(app.test_client()).sign_in(buyer_email)
    sent = buyer_api.post(f"/leads/{lead_id}/messages", {"text": "Any update on the price?"})
    assert sent.status_code == 201, sent.get_json()
    replies = [mail for mail in outbox(app) if "sent you a message" in mail.split("\n\n")[0]]
    assert [mail.splitlines()[0] for mail in replies] == [f"To: {sales.email}"]


# --- rules, on their page --------------------------------------------------------------------


def test_the_owner_and_managers_make_rules_on_their_page(app, supplier, supplier_api, product_id):
    manager = add_member(app, supplier_api, "manager")
    sales = add_member(app, supplier_api, "sales", "Anil G")
    add_member(app, supplier_api, "sales", "Bina D")
    browser = app.test_client()
    sign_in_page(browser, _person(manager))
    page = browser.get("/leads/rules/")
    assert page.status_code == 200 and "No rules yet" in page.text
    token = csrf_token(page.text)
    neither = browser.post(
        "/leads/rules/", data={"csrf_token": token, "user_id": str(sales.user_id)}
    )
    assert neither.status_code == 422 and "choose a category or a state" in neither.text.lower()
    made = browser.post(
        "/leads/rules/",
        data={
            "csrf_token": token,
            "category": "stainless-steel-pipes",
            "user_id": str(sales.user_id),
        },
    )
    assert made.status_code == 302
    listed = browser.get("/leads/rules/").text
    assert "go to Anil G" in listed
    got = {assignee(app, send_enquiry(app, product_id)) for _ in range(3)}
    assert got == {sales.user_id}
    # Sales people do not decide who gets which leads.
    theirs = app.test_client()
    sign_in_page(theirs, _person(sales))
    assert theirs.get("/leads/rules/").status_code == 403
    with app.app_context():
        rule_id = db.session.scalar(select(AssignmentRule.id))
    removed = browser.post(f"/leads/rules/{rule_id}/delete", data={"csrf_token": token})
    assert removed.status_code == 302 and "No rules yet" in browser.get("/leads/rules/").text
    # A rule may name the owner, too.
    with app.app_context():
        profile_id = db.session.get_one(User, supplier.id).supplier.id
        category_id = db.session.scalar(
            select(Category.id).where(Category.slug == "stainless-steel-pipes")
        )
        db.session.add(
            AssignmentRule(supplier_id=profile_id, category_id=category_id, user_id=supplier.id)
        )
        commit()
    assert assignee(app, send_enquiry(app, product_id)) == supplier.id


def test_a_buylead_a_colleague_works_is_said_so(app, ctx, categories):
    owner = _supplier_with_pipe()
    owner_api = Api(app.test_client()).sign_in(owner.email)
    first = add_member(app, owner_api, "sales", "Anil G")
    second = add_member(app, owner_api, "sales", "Bina D")
    _credits(owner, 5)
    buyer_email = factories.buyer().email
    buyer_api = Api(app.test_client()).sign_in(buyer_email)
    requirement_id = buyer_api.post("/requirements", REQUIREMENT).get_json()["id"]
    assert first.api.post(f"/buyleads/{requirement_id}/unlock").status_code == 200
    again = second.api.post(f"/buyleads/{requirement_id}/unlock")
    assert again.status_code == 409 and "Anil G works on it" in again.get_json()["detail"]
    assert owner_api.post(f"/buyleads/{requirement_id}/unlock").status_code == 200  # sees all
    # In the colleague's BuyLead list it stays masked: the contact is Anil's to work.
    seen = {item["id"]: item for item in second.api.get("/buyleads").get_json()["items"]}
    assert seen[requirement_id]["unlocked"] is False
    assert seen[requirement_id]["buyer"]["email"] != buyer_email
    mine = {item["id"]: item for item in first.api.get("/buyleads").get_json()["items"]}
    assert mine[requirement_id]["buyer"]["email"] == buyer_email
