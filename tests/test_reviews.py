"""Ratings only from real trade: who may rate (each kind of trade, and nobody without one), one
rating per buyer and supplier, the supplier's one reply, reports to the officer's desk and the
officer's decision, the public listing with its rating, the export and the erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from marketplace import desk
from marketplace.accounts.models import User
from marketplace.audit import AuditEvent
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.services import create_product
from marketplace.credits import operators
from marketplace.credits.inputs import GoodwillIn
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads import pipeline
from marketplace.privacy.export import collect
from marketplace.reviews import writing
from marketplace.reviews.eligibility import trade_basis
from marketplace.reviews.models import Review, ReviewReport
from marketplace.reviews.policy import NOT_ELIGIBLE
from marketplace.reviews.ratings import NO_RATING, supplier_ratings
from search.documents import rating_rank
from tests import factories
from tests.conftest import Api, Shop, csrf_token, enquire, outbox, sign_in_page
from tests.test_requirements import REQUIREMENT, _supplier_with_pipe


def _supplier_id(person_id: int) -> int:
    return db.session.get_one(User, person_id).supplier.id


def _answer(api: Api, shop: Shop, *, quotation: bool = False, buyer_id: int | None = None) -> int:
    """An enquiry from the buyer, answered by the supplier (with a quotation if asked)."""
    lead_id = enquire(shop, buyer_id)
    supplier_api = api.sign_in(db.session.get_one(User, shop.supplier_id).email)
    body: dict = {"text": "Ex-works Pune, dispatch in 7 days."}
    if quotation:
        valid_until = (pipeline.today_in_india() + timedelta(days=15)).isoformat()
        body["quotation"] = {
            "price": "318.00",
            "quantity": "10",
            "unit": "kg",
            "valid_until": valid_until,
        }
    sent = supplier_api.post(f"/leads/{lead_id}/messages", body)
    assert sent.status_code == 201, sent.get_json()
    return lead_id


@pytest.fixture()
def rater(api: Api, shop: Shop) -> Api:
    """The shop's buyer, signed in, after the supplier answered its enquiry."""
    _answer(api, shop)
    return api.sign_in(db.session.get_one(User, shop.buyer_id).email)


def _reviews_url(shop: Shop) -> str:
    return f"/suppliers/{_supplier_id(shop.supplier_id)}/reviews"


# --- who may rate ----------------------------------------------------------------------------


def test_without_trade_a_buyer_cannot_rate_and_is_told_what_it_takes(api, shop):
    buyer_api = api.sign_in(db.session.get_one(User, shop.buyer_id).email)
    refused = buyer_api.post(_reviews_url(shop), {"rating": 5})
    assert refused.status_code == 403 and refused.get_json()["detail"] == NOT_ELIGIBLE
    enquire(shop)  # asked, but the supplier never answered: still no trade
    again = buyer_api.post(_reviews_url(shop), {"rating": 5})
    assert again.status_code == 403 and "answered your enquiry" in again.get_json()["detail"]
    assert db.session.scalars(select(Review)).all() == []


def test_an_answered_enquiry_lets_the_buyer_rate(rater, shop):
    made = rater.post(_reviews_url(shop), {"rating": 4, "text": "Prompt and clear answers."})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["rating"] == 4 and body["basis"] == "answered_enquiry"
    assert body["text"] == "Prompt and clear answers." and body["hidden_at"] is None


def test_a_quotation_lets_the_buyer_rate(api, shop):
    _answer(api, shop, quotation=True)
    buyer_api = api.sign_in(db.session.get_one(User, shop.buyer_id).email)
    made = buyer_api.post(_reviews_url(shop), {"rating": 5})
    assert made.status_code == 201 and made.get_json()["basis"] == "quotation"


def test_an_unlocked_buylead_lets_the_buyer_rate(api, ctx, categories, buyer, buyer_api):
    seller = _supplier_with_pipe()
    posted = buyer_api.post("/requirements", REQUIREMENT).get_json()
    operators.grant_goodwill(
        seller.email, GoodwillIn.model_validate({"credits": 2, "reason": "test credits"})
    )
    commit()
    url = f"/suppliers/{_supplier_id(seller.id)}/reviews"
    assert buyer_api.post(url, {"rating": 4}).status_code == 403  # matched is not trade
    unlocked = api.sign_in(seller.email).post(f"/buyleads/{posted['id']}/unlock")
    assert unlocked.status_code == 200, unlocked.get_json()
    made = buyer_api.post(url, {"rating": 4})
    assert made.status_code == 201 and made.get_json()["basis"] == "buylead"


def test_nobody_rates_their_own_business(api, shop):
    owner = api.sign_in(db.session.get_one(User, shop.supplier_id).email)
    refused = owner.post(_reviews_url(shop), {"rating": 5})
    assert refused.status_code == 403 and "own business" in refused.get_json()["detail"]


def test_an_unknown_supplier_is_not_found(api, rater):
    assert rater.post("/suppliers/999999/reviews", {"rating": 5}).status_code == 404
    assert api.get("/suppliers/999999/reviews").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"rating": 4, "text": "x" * 2001}, "text"),
        ({"rating": 4, "text": 12}, "text"),
        ({"rating": 4, "text": "Call them on 98200 11223 instead."}, "text"),
        ({"rating": 4, "text": "Better prices at https://cheap.example.in"}, "text"),
    ],
)
def test_bad_input_names_the_field(rater, shop, body, field):
    refused = rater.post(_reviews_url(shop), body)
    assert refused.status_code == 422 and field in refused.get_json()["errors"]


def test_a_review_is_plain_text(client, rater, shop):
    rater.post(_reviews_url(shop), {"rating": 3, "text": "<script>alert(1)</script> Late."})
    page = client.get(_reviews_url(shop)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# --- one per buyer and supplier, editable ------------------------------------------------------


def test_a_second_rating_replaces_the_first(rater, shop):
    first = rater.post(_reviews_url(shop), {"rating": 2, "text": "Slow to dispatch."})
    second = rater.post(_reviews_url(shop), {"rating": 4, "text": "They made up for it."})
    assert first.status_code == 201 and second.status_code == 200
    assert second.get_json()["id"] == first.get_json()["id"]
    [review] = db.session.scalars(select(Review)).all()
    db.session.refresh(review)
    assert (review.rating, review.text) == (4, "They made up for it.")
    assert review.updated_at >= review.created_at
    assert second.get_json()["updated_at"] >= first.get_json()["updated_at"]
    listed = rater.get(_reviews_url(shop)).get_json()
    assert listed["total"] == 1 and listed["rating"]["average"] == 4.0


# --- the supplier's reply ------------------------------------------------------------------------


def test_the_supplier_replies_once_and_only_it(api, rater, shop):
    review_id = rater.post(_reviews_url(shop), {"rating": 2}).get_json()["id"]
    owner = api.sign_in(db.session.get_one(User, shop.supplier_id).email)
    other = api.sign_in(factories.supplier().email)
    assert other.post(f"/reviews/{review_id}/reply", {"text": "Not us."}).status_code == 403
    assert rater.post(f"/reviews/{review_id}/reply", {"text": "Me again."}).status_code == 403
    assert owner.post(f"/reviews/{review_id}/reply", {}).get_json()["errors"]["text"]
    replied = owner.post(f"/reviews/{review_id}/reply", {"text": "Sorry; fixed since March."})
    assert replied.status_code == 200
    assert replied.get_json()["reply"]["text"] == "Sorry; fixed since March."
    again = owner.post(f"/reviews/{review_id}/reply", {"text": "One more thing."})
    assert again.status_code == 409
    listed = api.get(_reviews_url(shop)).get_json()["items"]
    assert listed[0]["reply"]["text"] == "Sorry; fixed since March."


# --- reports, the desk and the officer's decision ----------------------------------------------


def test_a_report_reaches_the_desk_and_the_officer_hides_with_a_reason(app, api, rater, shop):
    review_id = rater.post(_reviews_url(shop), {"rating": 1, "text": "Cheats!"}).get_json()["id"]
    reporter = api.sign_in(factories.buyer().email)
    assert reporter.post(f"/reviews/{review_id}/reports", {}).status_code == 422
    reported = reporter.post(f"/reviews/{review_id}/reports", {"reason": "Abusive, no facts."})
    assert reported.status_code == 201
    assert reporter.post(f"/reviews/{review_id}/reports", {"reason": "Again."}).status_code == 409
    [item] = [i for i in desk.open_items() if i.kind == "review_report"]
    assert item.id == review_id and item.resolve_by == item.received_at + timedelta(days=15)

    decision = {"decision": "hide", "reason": "Accuses without facts (terms, section 4)."}
    assert reporter.post(f"/reviews/{review_id}/decision", decision).status_code == 403
    officer = api.sign_in(factories.staff().email)
    assert officer.post(f"/reviews/{review_id}/decision", {"decision": "hide"}).status_code == 422
    hidden = officer.post(f"/reviews/{review_id}/decision", decision)
    assert hidden.status_code == 200 and hidden.get_json()["hidden_reason"] == decision["reason"]

    listed = api.get(_reviews_url(shop)).get_json()
    assert listed["total"] == 0 and listed["rating"] == {
        "average": None,
        "count": 0,
        "distribution": dict.fromkeys("12345", 0),
    }
    assert [i for i in desk.open_items() if i.kind == "review_report"] == []
    assert db.session.scalar(select(ReviewReport.outcome)) == "hidden"
    assert db.session.scalar(
        select(AuditEvent.details).where(AuditEvent.action == "review.hidden")
    ) == {"reason": decision["reason"]}
    author_email = db.session.get_one(User, shop.buyer_id).email
    told = [mail for mail in outbox(app) if author_email in mail and "is hidden" in mail]
    assert told and decision["reason"] in told[0]
    # Hidden from the public, not from its author: a second report finds nothing.
    assert reporter.post(f"/reviews/{review_id}/reports", {"reason": "x" * 10}).status_code == 404


def test_the_officer_may_keep_a_reported_review(api, rater, shop):
    review_id = rater.post(_reviews_url(shop), {"rating": 3}).get_json()["id"]
    api.sign_in(factories.buyer().email).post(
        f"/reviews/{review_id}/reports", {"reason": "I disagree with it."}
    )
    officer = api.sign_in(factories.staff().email)
    kept = officer.post(
        f"/reviews/{review_id}/decision", {"decision": "keep", "reason": "An honest opinion."}
    )
    assert kept.status_code == 200 and kept.get_json()["hidden_at"] is None
    assert api.get(_reviews_url(shop)).get_json()["total"] == 1
    assert db.session.scalar(select(ReviewReport.outcome)) == "kept"


# --- the public listing and the ratings of many suppliers ------------------------------------


def test_the_listing_has_the_average_count_and_distribution(api, ctx, shop):
    for stars in (5, 4, 4):
        person = factories.buyer()
        _answer(api, shop, buyer_id=person.id)
        made = api.sign_in(person.email).post(_reviews_url(shop), {"rating": stars})
        assert made.status_code == 201
    listed = api.get(_reviews_url(shop) + "?per_page=2").get_json()
    assert listed["total"] == 3 and listed["page"] == 1 and listed["per_page"] == 2
    assert len(listed["items"]) == 2
    assert listed["rating"] == {
        "average": 4.3,
        "count": 3,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1},
    }
    assert api.get(_reviews_url(shop) + "?per_page=500").status_code == 422


def test_supplier_ratings_reads_many_suppliers_in_one_query(app, rater, shop):
    rater.post(_reviews_url(shop), {"rating": 4})
    rated = _supplier_id(shop.supplier_id)
    unrated = _supplier_id(factories.supplier().id)
    statements: list[str] = []

    def count(*args) -> None:  # type: ignore[no-untyped-def]
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = supplier_ratings([rated, unrated, rated])
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert found[rated].average == 4.0 and found[rated].count == 1
    assert found[unrated] == NO_RATING


# --- personal data: export and erasure -------------------------------------------------------


def test_the_review_text_is_exported_and_erased_with_its_author(api, rater, shop):
    buyer = db.session.get_one(User, shop.buyer_id)
    review_id = rater.post(
        _reviews_url(shop), {"rating": 2, "text": f"Ask for {buyer.name}: nobody answered."}
    ).get_json()["id"]
    owner = api.sign_in(db.session.get_one(User, shop.supplier_id).email)
    owner.post(f"/reviews/{review_id}/reply", {"text": f"Dear {buyer.name}, we did call."})
    other = factories.buyer()  # an author may not report their own review: another's
    _answer(api, shop, buyer_id=other.id)
    theirs = api.sign_in(other.email).post(_reviews_url(shop), {"rating": 4, "text": "Fine."})
    reported = rater.post(f"/reviews/{theirs.get_json()['id']}/reports", {"reason": "A test."})
    assert reported.status_code == 201, reported.get_json()
    sections = collect(db.session.get_one(User, shop.buyer_id))
    assert sections["reviews"][0]["text"] == f"Ask for {buyer.name}: nobody answered."
    assert sections["review_reports"][0]["reason"] == "A test."
    supplier_sections = collect(db.session.get_one(User, shop.supplier_id))
    assert supplier_sections["review_replies"][0]["text"] == f"Dear {buyer.name}, we did call."

    made = rater.post("/privacy/requests", {"type": "deletion", "password": factories.PASSWORD})
    officer = api.sign_in(factories.staff().email)
    decided = officer.post(
        f"/privacy/requests/{made.get_json()['id']}/decision", {"decision": "approve"}
    )
    assert decided.status_code == 200, decided.get_json()
    db.session.expire_all()
    review = db.session.get_one(Review, review_id)
    assert (review.author_id, review.text, review.rating) == (None, "", 2)
    assert buyer.name not in (review.reply_text or "")
    assert db.session.scalar(select(ReviewReport.reason)) == "[erased]"
    listed = api.get(_reviews_url(shop)).get_json()
    assert listed["rating"]["count"] == 2
    assert "A former buyer" in [item["author"] for item in listed["items"]]


# --- the pages -----------------------------------------------------------------------------


def test_the_storefront_and_product_page_show_the_rating(app, client, rater, shop):
    rater.post(_reviews_url(shop), {"rating": 4, "text": "Good pipes, honest weights."})
    supplier_id = _supplier_id(shop.supplier_id)
    store = client.get(f"/suppliers/{supplier_id}", follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="rating-average">4.0<' in store and "Good pipes, honest weights." in store
    assert 'data-testid="stars-4">1<' in store
    product = client.get(f"/products/{shop.product_id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert 'data-testid="rating-count">1<' in product
    assert f"/suppliers/{supplier_id}/reviews" in product


def test_the_rating_form_needs_trade_and_a_csrf_token(app, api, shop):
    supplier_id = _supplier_id(shop.supplier_id)
    stranger = app.test_client()
    sign_in_page(stranger, factories.buyer())
    refused = stranger.get(f"/suppliers/{supplier_id}/reviews/new")
    assert refused.status_code == 403 and "answered your enquiry" in refused.get_data(as_text=True)

    _answer(api, shop)
    browser = app.test_client()
    buyer = db.session.get_one(User, shop.buyer_id)
    sign_in_page(browser, factories.Registered(buyer.id, buyer.email, factories.PASSWORD))
    url = f"/suppliers/{supplier_id}/reviews/new"
    form = browser.get(url).get_data(as_text=True)
    assert browser.post(url, data={"rating": "5"}).status_code == 400  # no CSRF token
    bad = browser.post(url, data={"csrf_token": csrf_token(form), "rating": "9"})
    assert bad.status_code == 422 and "between 1 and 5" in bad.get_data(as_text=True)
    done = browser.post(url, data={"csrf_token": csrf_token(form), "rating": "5", "text": "Fine."})
    assert done.status_code == 302
    assert db.session.scalar(select(Review.rating)) == 5


# --- search ----------------------------------------------------------------------------------


def test_search_sorts_by_rating_and_follows_rating_changes(api, ctx, categories, rater, shop):
    rival = factories.supplier()
    rival_shop = Shop(rival.id, factories.buyer().id, _pipe_of(rival))
    _answer(api, rival_shop)
    rival_rater = api.sign_in(db.session.get_one(User, rival_shop.buyer_id).email)
    rival_rater.post(_reviews_url(rival_shop), {"rating": 5})
    rater.post(_reviews_url(shop), {"rating": 3})

    def ranked() -> list[tuple[int, dict]]:
        found = api.get("/search?q=pipe&sort=rating").get_json()["items"]
        return [(item["id"], item["supplier"]["rating"]) for item in found]

    assert ranked() == [
        (rival_shop.product_id, {"average": 5.0, "count": 1}),
        (shop.product_id, {"average": 3.0, "count": 1}),
    ]
    rival_review = db.session.scalar(select(Review.id).where(Review.rating == 5))
    officer = api.sign_in(factories.staff().email)
    hidden = officer.post(
        f"/reviews/{rival_review}/decision", {"decision": "hide", "reason": "Written by staff."}
    )
    assert hidden.status_code == 200
    assert ranked() == [
        (shop.product_id, {"average": 3.0, "count": 1}),
        (rival_shop.product_id, {"average": None, "count": 0}),
    ]


def _pipe_of(person: factories.Registered) -> int:
    product = create_product(
        db.session.get_one(User, person.id),
        ProductIn.model_validate(
            {
                "name": "SS 316 Seamless Pipe",
                "category": "stainless-steel-pipes",
                "description": "Seamless pipe for chemical plants.",
                "price": "410.00",
                "unit": "kg",
                "moq": 1,
            }
        ),
    )
    commit()
    return product.id


def test_the_demo_has_reviews_earned_by_trade(app, ctx, api):
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--products", "120", "--buyers", "3"]
    )
    assert result.exit_code == 0, result.output
    reviews = db.session.scalars(select(Review)).all()
    assert len(reviews) >= 5
    for review in reviews:
        assert trade_basis(review.author_id, review.supplier_id) == review.basis
    assert sum(review.reply_text is not None for review in reviews) == 1
    top = api.get("/search?sort=rating&per_page=1").get_json()["items"][0]["supplier"]
    assert top["rating"]["count"] >= 1 and top["rating"]["average"] >= 4.5


def test_the_officer_hides_a_reported_review_from_the_desk_page(app, api, rater, shop):
    review_id = rater.post(_reviews_url(shop), {"rating": 1, "text": "Fraud!!"}).get_json()["id"]
    reporter = app.test_client()
    token = sign_in_page(reporter, factories.buyer())
    reported = reporter.post(
        f"/reviews/{review_id}/report", data={"csrf_token": token, "reason": "No facts at all."}
    )
    assert reported.status_code == 302
    officer = app.test_client()
    token = sign_in_page(officer, factories.staff())
    assert f"RV-{review_id}" in officer.get("/desk").get_data(as_text=True)
    page = officer.get(f"/desk/reviews/{review_id}").get_data(as_text=True)
    assert "No facts at all." in page and "Fraud!!" in page
    refused = officer.post(
        f"/desk/reviews/{review_id}", data={"csrf_token": token, "decision": "hide"}
    )
    assert (
        refused.status_code == 422
        and "this field is required" in refused.get_data(as_text=True).lower()
    )
    hidden = officer.post(
        f"/desk/reviews/{review_id}",
        data={"csrf_token": token, "decision": "hide", "reason": "Accuses without facts."},
    )
    assert hidden.status_code == 302
    assert db.session.get_one(Review, review_id).hidden_reason == "Accuses without facts."
    assert f"RV-{review_id}" not in officer.get("/desk").get_data(as_text=True)


def test_the_rating_rank_puts_any_higher_average_first():
    assert rating_rank(4.51, 10) > rating_rank(4.50, 20_000)
    assert rating_rank(4.0, 5) > rating_rank(3.9, 150_000)
    assert rating_rank(4.5, 21) > rating_rank(4.5, 20) > rating_rank(None, 0)


def test_a_double_submitted_first_rating_is_one_review_not_a_500(rater, shop, monkeypatch):
    """The second submit of a double click looked before the first was written: the unique
    constraint stops its insert, and it edits the first one's review instead of failing."""
    assert rater.post(_reviews_url(shop), {"rating": 4}).status_code == 201
    real, calls = writing.own_review, []

    def looked_too_early(user, supplier_id):  # type: ignore[no-untyped-def]
        calls.append(supplier_id)
        return None if len(calls) == 1 else real(user, supplier_id)

    monkeypatch.setattr(writing, "own_review", looked_too_early)
    again = rater.post(_reviews_url(shop), {"rating": 5, "text": "Even better on delivery."})
    assert again.status_code == 200, again.get_json()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    assert db.session.scalar(select(Review.rating)) == 5
