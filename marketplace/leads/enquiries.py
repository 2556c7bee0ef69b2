"""Enquiries: a buyer's enquiry becomes a lead for the supplier, once per buyer and subject in
24 hours (a repeat gets the first lead back). Flushes, never commits; the lead.created webhook
deliveries are written in the same transaction, and the supplier's notice is the untold lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    exists,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import ReturningInsert

from marketplace import metrics
from marketplace.accounts.models import SupplierProfile
from marketplace.accounts.team_models import TeamMember
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product
from marketplace.db import UTCDateTime, utcnow
from marketplace.errors import FieldErrors, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.leads import assignment, webhook_outbox
from marketplace.leads.inputs import EnquiryIn
from marketplace.leads.models import (
    EnquiryGuard,
    Lead,
    LeadSource,
    LeadStatus,
    LeadType,
    SupplierBlock,
    WebhookEvent,
)
from marketplace.leads.tasks import notify_new_enquiries
from workers import soon

DUPLICATE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class EnquiryRequest:
    supplier_id: int
    supplier_user_id: int
    product_id: int | None
    product_name: str | None
    quantity: Decimal | None
    unit: str | None
    message: str
    city: str | None


def resolve_enquiry(enquiry: EnquiryIn) -> EnquiryRequest:
    """The enquiry's product and supplier, as listed now: a product that is not listed, a
    supplier that is not its own, or no such supplier is refused on its field."""
    errors = FieldErrors()
    product = supplier_id = supplier_user_id = None
    if enquiry.product_id is not None:
        try:
            product = catalog.listed_product(enquiry.product_id)
        except NotFound:
            errors.add("product_id", _("no such product is listed"))
        else:
            supplier_id, supplier_user_id = product.supplier_id, product.supplier_user_id
            # allowed beside the product, but it must be its supplier
            if enquiry.supplier_id is not None and enquiry.supplier_id != supplier_id:
                errors.add("supplier_id", _("is not the supplier of this product"))
    else:
        assert enquiry.supplier_id is not None  # the model names one or the other
        try:
            profile = catalog.public_supplier(enquiry.supplier_id)
        except NotFound:
            errors.add("supplier_id", _("no such supplier"))
        else:
            supplier_id, supplier_user_id = profile.id, profile.user_id
    if errors or supplier_id is None or supplier_user_id is None:
        raise ValidationFailed(errors.errors)
    unit = enquiry.unit
    if enquiry.quantity is not None and unit is None and product is not None:
        unit = product.unit  # "500" about a product sold per kg means 500 kg
    return EnquiryRequest(
        supplier_id=supplier_id,
        supplier_user_id=supplier_user_id,
        product_id=product.id if product else None,
        product_name=product.name if product else None,
        quantity=enquiry.quantity,
        unit=unit,
        message=enquiry.message,
        city=enquiry.city,
    )


def send_enquiry(buyer_id: int, enquiry: EnquiryIn, *, source: LeadSource) -> tuple[int, bool]:
    """Turn the buyer's enquiry into a lead for the supplier. Returns (lead id, duplicate): the
    same buyer asking about the same product (or storefront) within 24 hours gets the first
    lead back. Takes the buyer's id: the API sends enquiries without loading the account."""
    request = resolve_enquiry(enquiry)
    if request.supplier_user_id == buyer_id:
        field = "product_id" if request.product_id else "supplier_id"
        raise ValidationFailed({field: [_("this is your own business")]})
    subject = (
        f"product:{request.product_id}" if request.product_id else f"supplier:{request.supplier_id}"
    )
    # On the session's connection (its transaction) directly: the session's bookkeeping for each
    # statement would cost more than these statements themselves.
    connection = db.session.connection()
    lead = connection.execute(
        _new_enquiry(),
        {
            "supplier_id": request.supplier_id,
            "buyer_id": buyer_id,
            "type": LeadType.ENQUIRY,
            "source": source,
            "product_id": request.product_id,
            "product_name": request.product_name,
            "quantity": request.quantity,
            "unit": request.unit,
            "message": request.message,
            "city": request.city,
            "lead_supplier": request.supplier_id,
            "lead_buyer": buyer_id,
            # The owner's until a team shares it out (below): never unassigned.
            "assignee_id": request.supplier_user_id,
            "now": utcnow(),
        },
    ).one()
    holder_id = connection.execute(
        _guard_upsert(connection.dialect.name),
        {
            "buyer_id": buyer_id,
            "subject": subject,
            "lead_id": lead.id,
            "lead_created_at": lead.created_at,
            "touched_at": lead.created_at,
            "window_start": lead.created_at - DUPLICATE_WINDOW,
        },
    ).scalar_one()
    if holder_id != lead.id:  # a lead of the last 24 hours answers: this one never was
        db.session.execute(delete(Lead).where(Lead.id == lead.id))
        return holder_id, True
    metrics.count_on_commit(metrics.ENQUIRIES_CREATED, source=str(source))
    metrics.count_on_commit(metrics.LEADS_CREATED, type=str(LeadType.ENQUIRY))
    if lead.teamed:  # most businesses are one person, and are not asked again
        _share_out(lead.id, request)
    if lead.status != LeadStatus.SPAM:  # a blocked buyer's enquiry stays silent
        # Emitted here, with the lead as it is now and before any later change's event.
        # `hooked`: the supplier has live webhooks (most have none, and are not asked again).
        if lead.hooked:
            webhook_outbox.emit(WebhookEvent.LEAD_CREATED, db.session.get_one(Lead, lead.id))
        # The new lead is the durable notice (empty supplier_notified_at): no task is queued.
        soon(notify_new_enquiries, lead.id)
    return lead.id, False


def _share_out(lead_id: int, request: EnquiryRequest) -> None:
    category_id = (
        db.session.scalar(select(Product.category_id).where(Product.id == request.product_id))
        if request.product_id
        else None
    )
    supplier = db.session.get_one(SupplierProfile, request.supplier_id)
    assignment.assign_new_lead(lead_id, supplier, category_id=category_id)


# Every enquiry runs the next two statements, so each is built once (building one costs more
# than running it), and on the tables, not through the ORM's unit of work.


@cache
def _new_enquiry() -> ReturningInsert[tuple[int, LeadStatus, datetime, bool, bool]]:
    """INSERT the lead. A blocked buyer's enquiry is born in the supplier's spam folder, and
    settled (nobody is told of it). RETURNING also says whether the supplier has live webhooks
    (`hooked`) and a team to share the lead out among (`teamed`)."""
    # The subqueries take the lead's supplier and buyer again as parameters of their own (the
    # VALUES' parameters are reserved to them).
    blocked = exists().where(
        SupplierBlock.supplier_id == bindparam("lead_supplier"),
        SupplierBlock.buyer_id == bindparam("lead_buyer"),
    )
    status = case((blocked, LeadStatus.SPAM.value), else_=LeadStatus.NEW.value)
    settled_at = case((blocked, bindparam("now", type_=UTCDateTime())), else_=None)
    leads = Lead.__table__
    hooked = webhook_outbox.live_webhooks_exist(bindparam("lead_supplier"))
    teamed = exists().where(
        TeamMember.supplier_id == bindparam("lead_supplier"),
        TeamMember.joined_at.is_not(None),
        TeamMember.removed_at.is_(None),
    )
    return (
        leads.insert()
        .values(
            status=type_coerce(status, leads.c.status.type),
            supplier_notified_at=settled_at,
            assigned_at=bindparam("now", type_=UTCDateTime()),
        )
        .returning(
            leads.c.id,
            leads.c.status,
            leads.c.created_at,
            hooked.label("hooked"),
            teamed.label("teamed"),
        )
    )


@cache
def _guard_upsert(dialect: str) -> ReturningInsert[tuple[int | None]]:
    """Make the new lead this buyer's enquiry about the subject, unless a lead of the window
    holds it; RETURNING the id of the lead that holds it. The upsert takes the row's lock, so
    concurrent submits queue behind each other (on PostgreSQL and SQLite alike), and it
    decides on the row's own columns, which a waiting submit sees as the first one committed
    them (a read of the leads table there would still see the statement's older snapshot)."""
    insert_guard = postgresql_insert if dialect == "postgresql" else sqlite_insert
    guards = EnquiryGuard.__table__
    statement = insert_guard(guards)
    held = and_(
        guards.c.lead_id.is_not(None),
        guards.c.lead_created_at > bindparam("window_start", type_=UTCDateTime()),
    )
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[guards.c.buyer_id, guards.c.subject],
        set_={
            "touched_at": new.touched_at,
            "lead_id": case((held, guards.c.lead_id), else_=new.lead_id),
            "lead_created_at": case((held, guards.c.lead_created_at), else_=new.lead_created_at),
        },
    ).returning(guards.c.lead_id)
