"""Filing a complaint: reading it, the clocks it starts, and storing it. A signed-in person's
complaint is filed at once; a guest's goes through marketplace.grievances.guest_codes first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.credits.models import CreditOrder
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.grievances import moments
from marketplace.grievances.attachments import read_attachments, store_attachments
from marketplace.grievances.history import add_event
from marketplace.grievances.inputs import GrievanceIn
from marketplace.grievances.models import Category, EventKind, Grievance, RelatedKind, Status
from marketplace.grievances.references import new_reference
from marketplace.i18n import current_language, in_language
from marketplace.leads.models import Lead
from marketplace.legal_clocks import clock
from marketplace.notifications import absolute_url, send_email


@dataclass(frozen=True)
class Complaint:
    category: Category
    subject: str
    description: str
    related_kind: RelatedKind | None
    related_id: int | None


def complaint_for(body: GrievanceIn, user: User | None) -> Complaint:
    """The complaint as filed, once the record it names is found (one's own lead or order)."""
    related = body.related.named() if body.related else None
    if related is not None and not _related_exists(*related, user):
        kind = related[0]
        raise ValidationFailed({f"related.{kind}_id": [str(_NOT_FOUND[kind])]})
    kind, number = related if related else (None, None)
    return Complaint(Category(body.category), body.subject, body.description, kind, number)


# A record named in a complaint that is not found (or not the complainant's), one sentence each.
_NOT_FOUND = {
    RelatedKind.PRODUCT: _l("no such product"),
    RelatedKind.LEAD: _l("no such lead of yours"),
    RelatedKind.ORDER: _l("no such order of yours"),
}


def _related_exists(kind: RelatedKind, number: int, user: User | None) -> bool:
    if kind == RelatedKind.PRODUCT:
        return db.session.get(Product, number) is not None
    if user is None:
        return False  # a guest has no leads or orders of their own
    if kind == RelatedKind.LEAD:
        lead = db.session.get(Lead, number)
        if lead is None:
            return False
        return lead.buyer_id == user.id or (
            user.supplier is not None and lead.supplier_id == user.supplier.id
        )
    order = db.session.get(CreditOrder, number)
    return order is not None and user.supplier is not None and order.supplier_id == user.supplier.id


def create_grievance(
    complaint: Complaint,
    *,
    name: str,
    email: str,
    user: User | None,
    now: datetime,
    language: str | None = None,
) -> Grievance:
    """`language`: the one the complaint was written in (the page's, unless given)."""
    acknowledge_by, resolve_by = deadlines(complaint.category, now)
    grievance = Grievance(
        reference=new_reference("GR", now),
        complainant_id=user.id if user else None,
        complainant_name=name,
        complainant_email=email,
        category=complaint.category,
        subject=complaint.subject,
        description=complaint.description,
        related_kind=complaint.related_kind,
        related_id=complaint.related_id,
        status=Status.RECEIVED,
        received_at=now,
        acknowledge_by=acknowledge_by,
        resolve_by=resolve_by,
        updated_at=now,
        language=language or current_language(),
    )
    db.session.add(grievance)
    add_event(
        grievance=grievance,
        kind=EventKind.FILED,
        actor_id=user.id if user else None,
        status_to=Status.RECEIVED,
        created_at=now,
    )
    db.session.flush()
    audit.record(
        "grievance.filed",
        actor_id=user.id if user else None,
        subject=grievance,
        reference=grievance.reference,
        category=str(complaint.category),
    )
    with in_language(grievance.language):
        send_email(
            email,
            _("Your complaint %(reference)s has been received", reference=grievance.reference),
            "grievance_received",
            grievance=grievance,
            url=absolute_url("grievances.mine" if user else "grievances.file"),
        )
    return grievance


def deadlines(category: Category, received_at: datetime) -> tuple[datetime, datetime]:
    """Acknowledge within 24 hours and resolve within 15 days (IT Rules 2021 r.3(2)); a request
    to remove content is acted on within 72 hours (its 2022 proviso), and a privacy complaint
    is also held to the DPDP Rules' outer bound, whichever comes first."""
    acknowledge_by = clock("grievance_acknowledge").due(received_at)
    resolve_by = clock("grievance_resolve").due(received_at)
    if category in _SHORTER_CLOCK:
        resolve_by = min(resolve_by, clock(_SHORTER_CLOCK[category]).due(received_at))
    return acknowledge_by, resolve_by


# The categories a shorter clock than the 15 days holds to.
_SHORTER_CLOCK = {Category.PRIVACY: "privacy_request", Category.CONTENT_REMOVAL: "content_removal"}


def file_grievance(
    user: User,
    body: GrievanceIn,
    *,
    attachments: Sequence[tuple[str, IO[bytes]]] = (),
    now: datetime | None = None,
) -> Grievance:
    """A signed-in person's complaint: the clocks start now."""
    now = moments.given_or_now(now)
    complaint = complaint_for(body, user)
    pictures = read_attachments(attachments)
    grievance = create_grievance(complaint, name=user.name, email=user.email, user=user, now=now)
    store_attachments(grievance, pictures)
    return grievance
