"""Reviews over JSON: a supplier's reviews and rating (public), rating it after real trade, the
supplier's reply, reports and the officer's decision. Who may do what is decided in
marketplace.reviews.policy (asked by the rules)."""

from __future__ import annotations

from marketplace.accounts.models import BUSINESS_ROLES
from marketplace.accounts.policy import Scope
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.openapi import Reply, operation
from marketplace.reviews import moderation, policy, queries, ratings, schemas, writing
from marketplace.reviews.inputs import DecisionIn, ReplyIn, ReportIn, ReviewIn, ReviewsQuery


@bp.get("/suppliers/<int:supplier_id>/reviews")
@operation(
    "A supplier's reviews, newest first, with its average rating, count and distribution",
    tag="reviews",
    query=ReviewsQuery,
    responses={200: schemas.ReviewPage},
    problems=(404,),
)
def supplier_reviews(supplier_id: int, query: ReviewsQuery):  # type: ignore[no-untyped-def]
    supplier = policy.rated_supplier(supplier_id)
    rows, total = queries.supplier_reviews(supplier.id, page=query.page, per_page=query.per_page)
    return {
        **query.answer([schemas.public(row) for row in rows], total),
        "rating": schemas.rating_with_distribution(ratings.rating_with_distribution(supplier.id)),
    }


@bp.post("/suppliers/<int:supplier_id>/reviews")
@authenticated(person=True)
@operation(
    "Rate a supplier (1 to 5 stars, an optional review) after real trade with it: it answered "
    "your enquiry, sent you a quotation or unlocked your buy requirement. A second rating "
    "replaces the first (200)",
    tag="reviews",
    body=ReviewIn,
    responses={
        201: Reply(schemas.OwnReview, "Rated"),
        200: Reply(schemas.OwnReview, "Your earlier rating, replaced"),
    },
    problems=(404, 409),
)
def rate_supplier(supplier_id: int, body: ReviewIn):  # type: ignore[no-untyped-def]
    review, created = writing.rate_supplier(current_api_user(), supplier_id, body)
    return schemas.own(review), (201 if created else 200)


@bp.post("/reviews/<int:review_id>/reply")
@authenticated(*BUSINESS_ROLES, scope=Scope.LEADS_WRITE)
@operation(
    "The supplier replies to a review of its business, once",
    tag="reviews",
    body=ReplyIn,
    responses={200: schemas.ReviewView},
    problems=(404, 409),
)
def reply_to_review(review_id: int, body: ReplyIn):  # type: ignore[no-untyped-def]
    return schemas.public(writing.reply_to_review(current_api_user(), review_id, body))


@bp.post("/reviews/<int:review_id>/reports")
@authenticated(person=True)
@operation(
    "Report a review to the grievance officer, saying why",
    tag="reviews",
    body=ReportIn,
    responses={201: Reply(schemas.ReportCreated, "Reported")},
    problems=(404, 409),
)
def report_review(review_id: int, body: ReportIn):  # type: ignore[no-untyped-def]
    report = moderation.report_review(current_api_user(), review_id, body)
    return {"id": report.id, "review_id": report.review_id, "reported_at": report.created_at}, 201


@bp.post("/reviews/<int:review_id>/decision")
@authenticated(person=True)
@operation(
    "The grievance officer hides a reported review (its author is told the reason) or keeps "
    "it; either closes its reports",
    tag="reviews",
    body=DecisionIn,
    responses={200: schemas.OwnReview},
    problems=(404, 409),
)
def decide_review(review_id: int, body: DecisionIn):  # type: ignore[no-untyped-def]
    return schemas.own(moderation.decide(current_api_user(), review_id, body))
