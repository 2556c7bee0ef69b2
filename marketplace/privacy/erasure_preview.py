"""What the officer reads before approving an erasure: who asks (name, email, kind of account,
business), what would stop it now, what will be erased, and which records the law makes us
keep, under which rule and until when. Read only: nothing here changes a row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marketplace.accounts.business import acting_for
from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.privacy import decisions
from marketplace.privacy.deletion import erasure_subject
from marketplace.privacy.erasure import erasers
from marketplace.privacy.models import PrivacyRequest, RequestStatus, RequestType
from marketplace.privacy.retention import rule

# What every erasure does, and what it does besides for a supplier (the eraser of each
# domain reports the counts in the certificate once it has run).
ERASED_FOR_EVERYONE = (
    "Name, email address and mobile number, password, sessions and integration keys",
    "Consents, privacy choices and data exports",
    "Their words in enquiries, messages, requirements, reviews and complaints, wherever they "
    "name the person (star ratings stay, without the name)",
)
ERASED_FOR_SUPPLIERS = (
    "Products taken out of search, their text and photos deleted",
    "Storefront photos, business profile, GST check receipts, webhooks and lead notes",
)

# The kind of account, by the role that says most (a supplier may also buy).
_KINDS = {
    Role.ADMIN: "Administrator",
    Role.GRIEVANCE_OFFICER: "Grievance officer",
    Role.SUPPLIER: "Supplier",
    Role.TEAM_MEMBER: "Member of a supplier's team",
    Role.BUYER: "Buyer",
}


@dataclass(frozen=True)
class KeptRecord:
    what: str
    reference: str
    law: str
    until: datetime


@dataclass(frozen=True)
class ErasurePreview:
    request: PrivacyRequest
    name: str
    email: str
    account_kind: str
    business: str | None
    gstin: str | None
    member_since: datetime
    holds: list[str]
    erased: list[str]
    kept: list[KeptRecord]


def preview_erasure(actor: User, request_id: int) -> ErasurePreview | None:
    """The facts for an undecided deletion request; None for any other request."""
    row = decisions.officer_request(actor, request_id)
    undecided = row.status in (RequestStatus.PENDING, RequestStatus.PAUSED)
    if row.type != RequestType.DELETION or not undecided:
        return None
    user = db.session.get_one(User, row.user_id)
    subject = erasure_subject(user, row.id)
    chain = erasers()
    kept = [
        KeptRecord(
            rule(item.record_type).label,
            item.reference,
            rule(item.record_type).legal_basis,
            rule(item.record_type).retain_until(item.starts_at),
        )
        for eraser in chain
        for item in eraser.archive(subject)
    ]
    profile = user.supplier
    acting = acting_for(user) if profile is None else None
    return ErasurePreview(
        request=row,
        name=user.name,
        email=user.email,
        account_kind=next((kind for role, kind in _KINDS.items() if user.has_role(role)), "Buyer"),
        business=profile.company_name if profile else (acting and acting.business.company_name),
        gstin=profile.gstin if profile else None,
        member_since=user.created_at,
        holds=[reason for eraser in chain for reason in eraser.holds(subject)],
        erased=[*ERASED_FOR_EVERYONE, *(ERASED_FOR_SUPPLIERS if profile else ())],
        kept=kept,
    )
