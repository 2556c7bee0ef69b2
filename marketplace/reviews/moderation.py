"""Reports and the officer's decision: anyone signed in may report a review; it then waits on
the grievance officer's desk (marketplace.desk) until the officer hides it, with a reason its
author is told, or keeps it. Both decisions close every open report of the review and are
audited."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from marketplace import audit, desk
from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.legal_clocks import clock
from marketplace.notifications import absolute_url, send_email
from marketplace.reviews import policy
from marketplace.reviews.inputs import DecisionIn, ReportIn
from marketplace.reviews.models import ReportOutcome, Review, ReviewReport
from marketplace.signals import supplier_changed

# A report is a complaint about content on the portal: the officer resolves it within the
# grievance clock (IT Rules 2021, r.3(2)(a)(i)), counted from the first open report.
RESOLVE_CLOCK = "grievance_resolve"


def report_review(user: User, review_id: int, given: ReportIn) -> ReviewReport:
    review = policy.report_target(user, review_id)
    already = db.session.scalar(
        select(ReviewReport.id).where(
            ReviewReport.review_id == review.id,
            ReviewReport.reporter_id == user.id,
            ReviewReport.resolved_at.is_(None),
        )
    )
    if already is not None:
        raise Conflict("You have already reported this review; the grievance officer has it.")
    report = ReviewReport(review_id=review.id, reporter_id=user.id, reason=given.reason)
    db.session.add(report)
    db.session.flush()
    audit.record("review.reported", actor_id=user.id, subject=review, report_id=report.id)
    return report


def open_reports(review_id: int) -> list[ReviewReport]:
    return list(
        db.session.scalars(
            select(ReviewReport)
            .where(ReviewReport.review_id == review_id, ReviewReport.resolved_at.is_(None))
            .order_by(ReviewReport.id)
        )
    )


def decide(officer: User, review_id: int, given: DecisionIn) -> Review:
    """Hide the review (its author is told why) or keep it; either closes its open reports."""
    review = policy.moderated_review(officer, review_id)
    now = utcnow()
    hide = given.decision == "hide"
    if hide and not review.visible:
        raise Conflict("This review is already hidden.")
    outcome = ReportOutcome.HIDDEN if hide else ReportOutcome.KEPT
    db.session.execute(
        update(ReviewReport)
        .where(ReviewReport.review_id == review.id, ReviewReport.resolved_at.is_(None))
        .values(resolved_at=now, outcome=outcome)
    )
    if hide:
        review.hidden_at, review.hidden_reason, review.hidden_by_id = now, given.reason, officer.id
        supplier_changed.send(review.supplier_id)
        _tell_author(review)
    db.session.flush()
    audit.record(
        f"review.{outcome.value}", actor_id=officer.id, subject=review, reason=given.reason
    )
    return review


def _tell_author(review: Review) -> None:
    if review.author is None:  # an erased author's rating: nobody to tell
        return
    send_email(
        review.author.email,
        _l("Your review of %(company)s is hidden", company=review.supplier.company_name),
        "review_hidden",
        language=review.author.language,
        review=review,
        url=absolute_url("reviews.supplier_reviews", supplier_id=review.supplier_id),
    )


@desk.register_source
def reported_reviews() -> Iterable[desk.DeskItem]:
    """One desk item per reported review, whatever the number of reports."""
    rows = db.session.execute(
        select(
            ReviewReport.review_id, func.min(ReviewReport.created_at), func.count(ReviewReport.id)
        )
        .where(ReviewReport.resolved_at.is_(None))
        .group_by(ReviewReport.review_id)
    ).all()
    resolve = clock(RESOLVE_CLOCK)
    for review_id, first_reported, count in rows:
        yield desk.DeskItem(
            kind="review_report",
            id=review_id,
            reference=f"RV-{review_id}",
            subject=f"Review reported ({count} report{'' if count == 1 else 's'})",
            status="reported",
            status_label="Reported",
            received_at=first_reported,
            acknowledge_by=None,
            resolve_by=resolve.due(first_reported),
            url=url_for("reviews.desk_review", review_id=review_id),
        )
