"""What a review, a reply, a report and the officer's decision read: one model each, for the
API (which documents them) and the forms alike."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from marketplace.fields import Choice, PageQuery, Text, WholeNumber
from marketplace.identifiers import contact_spans
from marketplace.validation import Invalid

REVIEW_TEXT_MAX = 2000
REPLY_TEXT_MAX = 1000
REASON_MAX = 1000
HIDE_REASON_MAX = 500


def _published(text: str) -> str:
    """Reviews and replies are public: a phone number, an email address or a link in one would
    publish someone's contact details (or an advert) to everyone."""
    kinds = {kind for _, _, kind in contact_spans(text)}
    if kinds:
        named = ", ".join(
            {"phone": "phone numbers", "email": "email addresses", "link": "links"}[kind]
            for kind in ("phone", "email", "link")
            if kind in kinds
        )
        raise Invalid(f"is published for everyone to read, so it cannot hold {named}")
    return text


class ReviewIn(BaseModel):
    """A rating from 1 to 5 stars and, if the buyer likes, what they would tell other buyers.
    Plain text: no markup is kept or rendered."""

    model_config = ConfigDict(title="ReviewIn")

    rating: WholeNumber(minimum=1, maximum=5, description="stars, 1 to 5")
    text: Text(max_length=REVIEW_TEXT_MAX, multiline=True, required=False, check=_published) = None


class ReplyIn(BaseModel):
    """The supplier's one public answer to a review."""

    model_config = ConfigDict(title="ReplyIn")

    text: Text(max_length=REPLY_TEXT_MAX, multiline=True, check=_published)


class ReportIn(BaseModel):
    """Why a review should be looked at by the grievance officer."""

    model_config = ConfigDict(title="ReportIn")

    reason: Text(max_length=REASON_MAX, min_length=5, multiline=True)


class DecisionIn(BaseModel):
    """The officer's decision on a reported review, with the reason the author is told."""

    model_config = ConfigDict(title="ReviewDecisionIn")

    decision: Choice(("hide", "keep"), description="hide the review, or keep it shown")
    reason: Text(max_length=HIDE_REASON_MAX, multiline=True)


class ReviewsQuery(PageQuery):
    """A page of a supplier's reviews, newest first."""
