"""The reviews eraser. A review's text is its author's personal data; the stars are not, once
nothing ties them to the author.

When the author is erased, the decision is to keep the rating, anonymised: its text goes, its
author link goes (the review then shows as by "a former buyer"), and the supplier's reply loses
every copy of the author's name, email and phone. The average stays what other buyers' trade
made it: a supplier cannot lose an honest one-star rating because its author left, and a
rating with no text and no author says nothing about a person. Reports the person made lose
their reason and reporter. A supplier's own replies are its words: erased with its account."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.privacy.erasure import ERASED, Eraser, Subject, redact_columns, register
from marketplace.reviews.models import Review, ReviewReport


def _erase(subject: Subject) -> list[str]:
    written = db.session.scalars(select(Review).where(Review.author_id == subject.user.id)).all()
    for review in written:
        review.text = ""
        review.author_id = None
        review.reply_text = subject.redact(review.reply_text)
    reports = db.session.scalars(
        select(ReviewReport).where(ReviewReport.reporter_id == subject.user.id)
    ).all()
    for report in reports:
        report.reason = ERASED
        report.reporter_id = None
    replies = 0
    if subject.supplier_id is not None:
        for review in db.session.scalars(
            select(Review).where(
                Review.supplier_id == subject.supplier_id, Review.reply_text.is_not(None)
            )
        ):
            review.reply_text = ERASED
            replies += 1
    db.session.flush()
    # The person however written in anyone's review, reply or report (their name's parts too in
    # reviews of their own business).
    mentions = redact_columns(
        subject,
        [Review.text, Review.reply_text, Review.hidden_reason],
        Review.supplier_id == (subject.supplier_id or -1),
    ) + redact_columns(subject, [ReviewReport.reason])
    return [
        f"{len(written)} reviews anonymised: their text erased, their star ratings kept",
        f"{len(mentions)} other reviews, replies and reports no longer name them",
        f"{len(reports)} review reports stripped of their reason",
        f"{replies} replies to reviews erased",
    ]


register(Eraser("reviews", erase=_erase, order=15))
