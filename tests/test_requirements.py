"""Buy requirements become BuyLeads: matching through the search backend, masked feeds,
unlocking with a credit (once, within the cap, also under concurrency), closing and expiry."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from marketplace.accounts.gst_verification import set_gst_verification
from marketplace.accounts.models import User
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.services import create_product
from marketplace.credits import ledger, operators
from marketplace.credits.inputs import GoodwillIn
from marketplace.credits.models import CreditEntry
from marketplace.db import commit, utcnow
from marketplace.extensions import db, limiter
from marketplace.leads.models import BuyRequirement, Lead, LeadSource, LeadType, RequirementMatch
from search.protocol import MatchRequest
from search.results import rank_suppliers
from tests import factories
from tests.conftest import Api, outbox, sign_in_page

REQUIREMENT = {
    "product_name": "SS 304 seamless pipe",
    "description": "2 inch, schedule 40, with mill test certificate",
    "category": "stainless-steel-pipes",
    "quantity": "500",
    "unit": "kg",
    "budget": "160000",
    "city": "Pune",
    "state": "Maharashtra",
}


def _supplier_with_pipe(**registration) -> factories.Registered:
    supplier = factories.supplier(**registration)
    create_product(
        db.session.get(User, supplier.id),
        ProductIn.model_validate(
            {
                "name": "SS 304 Seamless Pipe 2 inch",
                "category": "stainless-steel-pipes",
                "description": "Schedule 40 seamless pipe with mill test certificate.",
                "price": "320.00",
                "unit": "kg",
                "moq": 100,
            }
        ),
    )
    commit()
    return supplier


def _profile_id(person: factories.Registered) -> int:
    return db.session.get(User, person.id).supplier.id


def _credits(person: factories.Registered, amount: int = 5) -> None:
    operators.grant_goodwill(
        person.email, GoodwillIn.model_validate({"credits": amount, "reason": "test credits"})
    )
    commit()


@pytest.fixture()
def pipe_suppliers(ctx, categories) -> list[factories.Registered]:
    return [_supplier_with_pipe() for _ in range(3)]


def _post(buyer_api: Api, **changes) -> dict:
    response = buyer_api.post("/requirements", {**REQUIREMENT, **changes})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_requirement_is_matched_and_the_suppliers_are_told(
    app, buyer_api, pipe_suppliers, supplier
):
    posted = _post(buyer_api)
    assert posted["matched_suppliers"] == 3  # the pipe makers, not the supplier without pipes
    assert posted["status"] == "open" and posted["unlocked_by"] == []
    assert posted["quantity"] == "500" and posted["budget"] == "160000.00"
    told = [mail for mail in outbox(app) if "New BuyLead: SS 304 seamless pipe" in mail]
    assert sorted(mail.split("\n")[0] for mail in told) == sorted(
        f"To: {person.email}" for person in pipe_suppliers
    )
    assert buyer_api.get("/requirements").get_json()["items"][0]["id"] == posted["id"]


def test_the_buyers_own_business_is_not_matched(api, ctx, categories, pipe_suppliers):
    trader = _supplier_with_pipe()  # a supplier who buys as well
    posted = _post(api.sign_in(trader.email))
    matched = set(
        db.session.scalars(
            select(RequirementMatch.supplier_id).where(
                RequirementMatch.requirement_id == posted["id"]
            )
        )
    )
    assert _profile_id(trader) not in matched and len(matched) == 3


def _match_ranks(requirement_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(RequirementMatch.supplier_id, RequirementMatch.rank).where(
                RequirementMatch.requirement_id == requirement_id
            )
        ).all()
    )


def test_a_supplier_who_leaves_most_enquiries_unanswered_is_matched_last(
    ctx, buyer, buyer_api, pipe_suppliers
):
    silent = _profile_id(pipe_suppliers[0])
    set_gst_verification(silent, "verified")  # search puts it first
    commit()
    assert _match_ranks(_post(buyer_api)["id"])[silent] == 1
    asked = utcnow() - timedelta(days=3)
    answered = [asked + timedelta(hours=2), None, None, None]  # one of four answered
    for first_response_at in answered:
        db.session.add(
            Lead(
                supplier_id=silent,
                buyer_id=buyer.id,
                source=LeadSource.API,
                created_at=asked,
                first_response_at=first_response_at,
            )
        )
    commit()
    ranks = _match_ranks(_post(buyer_api, product_name="SS 304 seamless pipe 3 inch")["id"])
    assert ranks[silent] == 3 and sorted(ranks.values()) == [1, 2, 3]


def test_ranking_prefers_verified_then_the_buyers_state_and_city():
    hits = [
        {
            "score": 1.0,
            "supplier_id": 1,
            "state": "Gujarat",
            "city": "Surat",
            "gst_verified": False,
        },
        {"score": 1.0, "supplier_id": 2, "state": "Maharashtra", "city": "Mumbai"},
        {"score": 1.0, "supplier_id": 3, "state": "Maharashtra", "city": "Pune"},
        {"score": 0.5, "supplier_id": 4, "state": "Kerala", "city": "Kochi", "gst_verified": True},
        {"score": 9.0, "supplier_id": 5, "state": "Punjab", "city": "Pune"},
    ]
    ranked = rank_suppliers(hits, MatchRequest("pipe", state="Maharashtra", city="pune", limit=4))
    assert [match.supplier_id for match in ranked] == [4, 5, 3, 2]
    assert rank_suppliers(hits, MatchRequest("pipe", exclude_supplier_id=5))[0].supplier_id == 4


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"product_name": "ab"}, "product_name"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"unit": "bucket"}, "unit"),
        ({"budget": "-5"}, "budget"),
        ({"budget": "12.345"}, "budget"),
        ({"state": "Atlantis"}, "state"),
        ({"city": ""}, "city"),
        ({"category": "no-such-thing"}, "category"),
        ({"open_days": 31}, "open_days"),
        ({"open_days": "soon"}, "open_days"),
    ],
)
def test_bad_requirements_name_the_field(ctx, buyer_api, categories, changes, field):
    response = buyer_api.post("/requirements", {**REQUIREMENT, **changes})
    assert response.status_code == 422
    assert field in response.get_json()["errors"], response.get_json()
    assert db.session.scalar(select(func.count()).select_from(BuyRequirement)) == 0


def test_the_feed_masks_the_buyer_until_a_credit_unlocks_it(
    api, ctx, buyer, buyer_api, pipe_suppliers, supplier
):
    posted = _post(buyer_api)
    first = api.sign_in(pipe_suppliers[0].email)
    [item] = first.get("/buyleads").get_json()["items"]
    person = db.session.get(User, buyer.id)
    assert item["buyer"]["name"] == person.name[:2] + "***" + person.name[-1]
    assert item["buyer"]["email"] == person.email[0] + "***@" + person.email.split("@")[1]
    assert item["buyer"]["phone"].startswith("+91 ") and "XXXXXX" in item["buyer"]["phone"]
    assert person.email not in str(item) and person.phone not in str(item)
    assert item["unlocked"] is False and item["unlocks"] == 0

    refused = first.post(f"/buyleads/{posted['id']}/unlock")
    assert refused.status_code == 409 and "balance is 0" in refused.get_json()["detail"]
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0

    _credits(pipe_suppliers[0], 2)
    unlocked = first.post(f"/buyleads/{posted['id']}/unlock")
    assert unlocked.status_code == 200, unlocked.get_json()
    lead = unlocked.get_json()
    assert lead["type"] == "buylead" and lead["source"] == "buy_requirement"
    assert lead["buyer"]["email"] == person.email and lead["buyer"]["phone"] == person.phone
    from marketplace.leads.enquiry_notices import enquiries_to_notify

    assert enquiries_to_notify() == []  # the supplier unlocked it: nobody is to be told
    assert ledger.balance(_profile_id(pipe_suppliers[0])) == 1

    again = first.post(f"/buyleads/{posted['id']}/unlock")
    assert again.get_json()["id"] == lead["id"]  # the same lead ...
    assert ledger.balance(_profile_id(pipe_suppliers[0])) == 1  # ... and no second debit
    feed = first.get("/buyleads").get_json()["items"][0]
    assert feed["unlocked"] is True and feed["buyer"]["email"] == person.email
    assert [row["id"] for row in first.get("/leads?type=buylead").get_json()["items"]] == [
        lead["id"]
    ]
    mine = buyer_api.get(f"/requirements/{posted['id']}").get_json()
    assert mine["unlocks"] == 1
    assert [card["id"] for card in mine["unlocked_by"]] == [_profile_id(pipe_suppliers[0])]

    # A supplier it was not matched to can neither see nor unlock it.
    stranger = api.sign_in(supplier.email)
    assert stranger.get("/buyleads").get_json()["items"] == []
    _credits(supplier)
    assert stranger.post(f"/buyleads/{posted['id']}/unlock").status_code == 404


def test_the_cap_closing_and_expiry_stop_unlocks(app, api, ctx, buyer_api, pipe_suppliers):
    app.config["BUYLEAD_UNLOCK_CAP"] = 2
    try:
        posted = _post(buyer_api)
        for person in pipe_suppliers:
            _credits(person)
        clients = [api.sign_in(person.email) for person in pipe_suppliers]
        for client in clients[:2]:
            assert client.post(f"/buyleads/{posted['id']}/unlock").status_code == 200
        full = clients[2].post(f"/buyleads/{posted['id']}/unlock")
        assert full.status_code == 409 and "as many suppliers" in full.get_json()["detail"]
        assert clients[2].get("/buyleads").get_json()["items"] == []  # no longer offered
        assert ledger.balance(_profile_id(pipe_suppliers[2])) == 5  # refused: not charged
    finally:
        app.config["BUYLEAD_UNLOCK_CAP"] = 10

    closed = _post(buyer_api, product_name="SS 304 seamless pipe 3 inch")
    assert buyer_api.post(f"/requirements/{closed['id']}/close").get_json()["status"] == "closed"
    refused = clients[0].post(f"/buyleads/{closed['id']}/unlock")
    assert refused.status_code == 409 and "closed" in refused.get_json()["detail"]

    expired = _post(buyer_api, product_name="SS 304 seamless pipe 4 inch", open_days=1)
    db.session.execute(
        update(BuyRequirement)
        .where(BuyRequirement.id == expired["id"])
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    commit()
    late = clients[0].post(f"/buyleads/{expired['id']}/unlock")
    assert late.status_code == 409 and "expired" in late.get_json()["detail"]
    assert buyer_api.get(f"/requirements/{expired['id']}").get_json()["status"] == "expired"


def test_a_slot_lost_after_the_debit_gives_the_credit_back_on_the_page(
    app, ctx, client, buyer_api, pipe_suppliers, monkeypatch
):
    """Another supplier takes the last slot between this one's debit and its slot: the page
    says so and commits, and the credit is not spent."""
    from marketplace.leads import requirements

    posted = _post(buyer_api)
    person = pipe_suppliers[0]
    _credits(person, 3)
    spend = requirements.spend_credit

    def spend_then_lose_the_race(*args, **kwargs):
        spent = spend(*args, **kwargs)
        db.session.execute(
            update(BuyRequirement)
            .where(BuyRequirement.id == posted["id"])
            .values(unlocks=app.config["BUYLEAD_UNLOCK_CAP"])
        )
        return spent

    monkeypatch.setattr(requirements, "spend_credit", spend_then_lose_the_race)
    token = sign_in_page(client, person)
    refused = client.post(f"/buyleads/{posted['id']}/unlock", data={"csrf_token": token})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/buyleads")
    db.session.remove()
    assert ledger.balance(_profile_id(person)) == 3
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_concurrent_unlocks_keep_the_cap_and_charge_once(app, ctx, buyer, categories):
    suppliers = [_supplier_with_pipe() for _ in range(6)]
    for person in suppliers:
        _credits(person, 3)
    token = Api(app.test_client()).sign_in(buyer.email).token
    requirement_id = _post(Api(app.test_client(), token))["id"]
    tokens = [Api(app.test_client()).sign_in(person.email).token for person in suppliers]
    # Every supplier clicks twice at once; the cap is 4.
    app.config["BUYLEAD_UNLOCK_CAP"] = 4
    limiter.enabled = False
    answers: list[int] = []
    barrier = threading.Barrier(len(tokens) * 2)

    def click(token: str) -> None:
        client = Api(app.test_client(), token)
        barrier.wait()
        answers.append(client.post(f"/buyleads/{requirement_id}/unlock").status_code)

    try:
        threads = [threading.Thread(target=click, args=(t,)) for t in tokens for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        app.config["BUYLEAD_UNLOCK_CAP"] = 10
        limiter.enabled = True
    db.session.expire_all()
    leads = db.session.scalars(select(Lead).where(Lead.type == LeadType.BUYLEAD)).all()
    assert len(leads) == 4 and len({lead.supplier_id for lead in leads}) == 4
    assert db.session.get(BuyRequirement, requirement_id).unlocks == 4
    debits = db.session.scalars(select(CreditEntry).where(CreditEntry.delta < 0)).all()
    assert sorted(entry.supplier_id for entry in debits) == sorted(
        lead.supplier_id for lead in leads
    )
    assert set(answers) <= {200, 409} and answers.count(200) >= 4, answers


def test_the_pages(app, ctx, client, buyer, pipe_suppliers):
    token = sign_in_page(client, buyer)
    form = client.get("/requirements/new?q=ss+pipe")
    assert form.status_code == 200 and 'value="ss pipe"' in form.text
    refused = client.post(
        "/requirements/new",
        data={"csrf_token": token, **REQUIREMENT, "quantity": "lots", "state": "Atlantis"},
    )
    assert refused.status_code == 422
    assert "Must be a number" in refused.text and "state or union territory" in refused.text
    posted = client.post("/requirements/new", data={"csrf_token": token, **REQUIREMENT})
    assert posted.status_code == 302
    listing = client.get("/requirements")
    assert "SS 304 seamless pipe" in listing.text and "Nobody yet" in listing.text

    supplier_client = app.test_client()
    supplier_token = sign_in_page(supplier_client, pipe_suppliers[0])
    feed = supplier_client.get("/buyleads")
    person = db.session.get(User, buyer.id)
    assert "Unlock for 1 credit" in feed.text and person.email not in feed.text
    requirement_id = db.session.scalar(select(BuyRequirement.id))
    no_credit = supplier_client.post(
        f"/buyleads/{requirement_id}/unlock", data={"csrf_token": supplier_token}
    )
    assert no_credit.status_code == 302
    assert "balance is 0" in supplier_client.get("/buyleads").text
    db.session.expire_all()
    assert db.session.get(BuyRequirement, requirement_id).unlocks == 0  # the refusal took nothing
    _credits(pipe_suppliers[0])
    unlocked = supplier_client.post(
        f"/buyleads/{requirement_id}/unlock", data={"csrf_token": supplier_token}
    )
    assert unlocked.status_code == 302 and "/leads/" in unlocked.headers["Location"]
    assert person.email in supplier_client.get(unlocked.headers["Location"]).text
    assert "Rao Steel" in client.get("/requirements").text  # the buyer sees who unlocked it
