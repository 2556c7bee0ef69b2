"""Review pages: a supplier's reviews with its rating, the buyer's rating form, the supplier's
reply, reports, and the officer's page for a reported review. Handlers read the form, call the
rules (writing, moderation), which ask reviews.policy, and render; a refused form is shown
again with the rules' messages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.accounts.models import SupplierProfile
from marketplace.errors import Conflict, ValidationFailed
from marketplace.reviews import moderation, policy, queries, ratings, schemas, writing
from marketplace.reviews.inputs import DecisionIn, ReplyIn, ReportIn, ReviewIn
from marketplace.reviews.models import Basis, Review
from marketplace.validation import validated
from marketplace.web import person, requested_page, signed_in_person

bp = Blueprint("reviews", __name__)

PER_PAGE = 20
ON_STOREFRONT = 3


def _form() -> dict[str, Any]:
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


def _back_to(review: Review) -> Any:
    return redirect(url_for("reviews.supplier_reviews", supplier_id=review.supplier_id))


# --- what the storefront and the product page show (template globals) ------------------------


@bp.app_template_global()
def supplier_rating(supplier_id: int) -> ratings.RatingSummary:
    return ratings.rating_with_distribution(supplier_id)


@bp.app_template_global()
def latest_reviews(supplier_id: int, count: int = ON_STOREFRONT) -> list[Review]:
    return queries.supplier_reviews(supplier_id, page=1, per_page=count)[0]


bp.add_app_template_global(schemas.author_name, "review_author")
bp.add_app_template_global(schemas.BASIS_LABELS, "review_basis_labels")


# --- the public pages ---------------------------------------------------------------------------


@bp.get("/suppliers/<int:supplier_id>/reviews")
def supplier_reviews(supplier_id: int):  # type: ignore[no-untyped-def]
    supplier = policy.rated_supplier(supplier_id)
    page = requested_page()
    rows, total = queries.supplier_reviews(supplier.id, page=page, per_page=PER_PAGE)
    user = person()
    return render_template(
        "reviews/list.html",
        supplier=supplier,
        reviews=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        summary=ratings.rating_with_distribution(supplier.id),
        can_rate=policy.can_rate(user, supplier),
        own_business=user is not None and supplier.user_id == user.id,
    )


@bp.route("/suppliers/<int:supplier_id>/reviews/new", methods=["GET", "POST"])
def rate_supplier(supplier_id: int):  # type: ignore[no-untyped-def]
    user = signed_in_person()
    supplier = policy.rated_supplier(supplier_id)
    basis = policy.rating_basis(user, supplier)  # the 403 page says what rating takes
    existing = writing.own_review(user, supplier.id)
    if request.method == "GET":
        values = {"rating": existing.rating, "text": existing.text} if existing else {}
        return _rating_page(supplier, basis, values, {}, existing)
    try:
        writing.rate_supplier(user, supplier.id, validated(ReviewIn, _form()))
    except ValidationFailed as refused:
        return _rating_page(supplier, basis, _form(), refused.errors, existing, 422)
    flash(_("Thank you: your rating is published."), "success")
    return redirect(url_for("reviews.supplier_reviews", supplier_id=supplier.id))


def _rating_page(
    supplier: SupplierProfile,
    basis: Basis,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    existing: Review | None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "reviews/rate.html",
        supplier=supplier,
        basis_label=schemas.BASIS_LABELS[basis],
        values=values,
        errors=errors,
        existing=existing,
    ), status


@bp.post("/reviews/<int:review_id>/reply")
def reply(review_id: int):  # type: ignore[no-untyped-def]
    user = signed_in_person()
    review = policy.reply_target(user, review_id)
    try:
        writing.reply_to_review(user, review.id, validated(ReplyIn, _form()))
    except ValidationFailed as refused:
        problem = " ".join(refused.errors.get("text", []))
        flash(_("Not sent. Your reply %(problem)s.", problem=problem), "error")
    else:
        flash(_("Your reply is published under the review."), "success")
    return _back_to(review)


@bp.post("/reviews/<int:review_id>/report")
def report(review_id: int):  # type: ignore[no-untyped-def]
    user = signed_in_person()
    review = policy.seen_review(user, review_id)
    try:
        moderation.report_review(user, review.id, validated(ReportIn, _form()))
    except ValidationFailed as refused:
        problem = " ".join(refused.errors.get("reason", []))
        flash(_("Not sent. The reason %(problem)s.", problem=problem), "error")
    except Conflict as refused:  # their own review, or reported already: said on the page
        flash(refused.detail, "error")
    else:
        flash(_("Thank you. The grievance officer will look at this review."), "success")
    return _back_to(review)


# --- the officer ---------------------------------------------------------------------------------


@bp.route("/desk/reviews/<int:review_id>", methods=["GET", "POST"])
def desk_review(review_id: int):  # type: ignore[no-untyped-def]
    user = signed_in_person()
    review = policy.moderated_review(user, review_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            moderation.decide(user, review.id, validated(DecisionIn, _form()))
        except ValidationFailed as refused:
            errors = refused.errors
        else:
            flash(_("Decision recorded; the reports on this review are closed."), "success")
            return redirect(url_for("grievances.desk_queue"))
    return render_template(
        "reviews/desk.html",
        review=review,
        reports=moderation.open_reports(review.id),
        errors=errors,
        values=_form(),
    ), (422 if errors else 200)
