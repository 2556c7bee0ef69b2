"""The rules of leads: the only code that creates or changes enquiries, leads and messages.

Who may see a lead is decided here, once (`supplier_lead`, `party_lead`): a supplier sees its
own leads, a buyer the enquiries it sent; anyone else's lead is not found. Functions flush but
never commit; notifications and webhook deliveries are written in the same transaction.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import ReturningInsert

from marketplace import audit
from marketplace.accounts import registration as accounts
from marketplace.accounts.models import User
from marketplace.catalog import services as catalog
from marketplace.crypto import blind_index
from marketplace.db import IST, UTCDateTime, get_owned, utcnow
from marketplace.errors import Conflict, NotFound, ServiceError, TooManyRequests, ValidationFailed
from marketplace.extensions import db
from marketplace.leads import queries, webhooks
from marketplace.leads.inputs import check_unit, read_quantity
from marketplace.leads.models import (
    EnquiryGuard,
    GuestEnquiry,
    Lead,
    LeadNote,
    LeadSource,
    LeadStatus,
    LeadType,
    Message,
    MessageSide,
    SupplierBlock,
    WebhookEvent,
)
from marketplace.leads.schemas import quantity_text
from marketplace.notifications import absolute_url, send_email, send_sms
from marketplace.validation import MAX_ID, Input, Invalid, read_date
from workers import soon

DUPLICATE_WINDOW = timedelta(hours=24)
NOTICE_RETRY_LIMIT = timedelta(hours=1)  # the longest a failed new-enquiry notice waits

GUEST_CODE_TTL = timedelta(minutes=10)
GUEST_CODE_ATTEMPTS = 5
GUEST_CODES_PER_PHONE_PER_HOUR = 3
GUEST_PURGE_AFTER = timedelta(days=1)

FOLLOW_UP_HORIZON = timedelta(days=365)
QUOTE_VALIDITY_HORIZON = timedelta(days=365)
REMINDER_BATCH = 500

# Spam control, for the pages and the API alike: a buyer, and an address, send only so many.
ENQUIRY_LIMITS_PER_BUYER = "5 per minute; 60 per day"
ENQUIRY_LIMITS_PER_ADDRESS = "20 per minute; 300 per day"
GUEST_LIMITS_PER_ADDRESS = "5 per hour; 20 per day"
REQUIREMENT_LIMITS_PER_BUYER = "5 per minute; 20 per day"


def today_in_india() -> date:
    return utcnow().astimezone(IST).date()


# --- reading input ---------------------------------------------------------------------------


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


def _read_enquiry(inp: Input) -> EnquiryRequest | None:
    product = supplier_id = supplier_user_id = None
    if inp.has("product_id"):
        product_id = inp.integer("product_id", minimum=1, maximum=MAX_ID)
        if product_id is not None:
            try:
                product = catalog.listed_product(product_id)
            except NotFound:
                inp.fail("product_id", "no such product is listed")
            else:
                supplier_id, supplier_user_id = product.supplier_id, product.supplier_user_id
        if inp.has("supplier_id"):  # allowed beside the product, but it must be its supplier
            named = inp.integer("supplier_id", minimum=1, maximum=MAX_ID)
            if named is not None and supplier_id is not None and named != supplier_id:
                inp.fail("supplier_id", "is not the supplier of this product")
    elif inp.has("supplier_id"):
        asked = inp.integer("supplier_id", minimum=1, maximum=MAX_ID)
        if asked is not None:
            try:
                profile = catalog.public_supplier(asked)
            except NotFound:
                inp.fail("supplier_id", "no such supplier")
            else:
                supplier_id, supplier_user_id = profile.id, profile.user_id
    else:
        inp.fail("product_id", "name the product (product_id) or the supplier (supplier_id)")
    quantity = read_quantity(inp, "quantity")
    unit = inp.text("unit", required=False, max_length=24, check=check_unit)
    if quantity is not None and unit is None and product is not None:
        unit = product.unit  # "500" about a product sold per kg means 500 kg
    message = inp.text("message", min_length=4, max_length=4000, multiline=True)
    city = inp.text("city", required=False, min_length=2, max_length=100)
    if supplier_id is None or supplier_user_id is None or message is None:
        return None
    return EnquiryRequest(
        supplier_id=supplier_id,
        supplier_user_id=supplier_user_id,
        product_id=product.id if product else None,
        product_name=product.name if product else None,
        quantity=quantity,
        unit=unit,
        message=message,
        city=city,
    )


# --- enquiries -------------------------------------------------------------------------------


def send_enquiry(buyer_id: int, data: Any, *, source: LeadSource) -> tuple[int, bool]:
    """Turn the buyer's enquiry into a lead for the supplier. Returns (lead id, duplicate): the
    same buyer asking about the same product (or storefront) within 24 hours gets the first
    lead back. Takes the buyer's id: the API sends enquiries without loading the account."""
    inp = Input(data)
    request = _read_enquiry(inp)
    if request is not None and request.supplier_user_id == buyer_id:
        inp.fail("product_id" if request.product_id else "supplier_id", "this is your own business")
    inp.raise_if_invalid()
    assert request is not None
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
    if lead.status != LeadStatus.SPAM:  # a blocked buyer's enquiry stays silent
        # Emitted here, with the lead as it is now and before any later change's event.
        # `hooked`: the supplier has live webhooks (most have none, and are not asked again).
        if lead.hooked:
            webhooks.emit(WebhookEvent.LEAD_CREATED, db.session.get_one(Lead, lead.id))
        from marketplace.leads.tasks import notify_new_enquiries  # it imports this module

        # The new lead is the durable notice (empty supplier_notified_at): no task is queued.
        soon(notify_new_enquiries, lead.id)
    return lead.id, False


# Every enquiry runs the next two statements, so each is built once (building one costs more
# than running it), and on the tables, not through the ORM's unit of work.


@cache
def _new_enquiry() -> ReturningInsert[tuple[int, LeadStatus, datetime, bool]]:
    """INSERT the lead. A blocked buyer's enquiry is born in the supplier's spam folder, and
    settled (nobody is told of it). RETURNING also says whether the supplier has live webhooks
    (`hooked`)."""
    # The subqueries take the lead's supplier and buyer again as parameters of their own (the
    # VALUES' parameters are reserved to them).
    blocked = exists().where(
        SupplierBlock.supplier_id == bindparam("lead_supplier"),
        SupplierBlock.buyer_id == bindparam("lead_buyer"),
    )
    status = case((blocked, LeadStatus.SPAM.value), else_=LeadStatus.NEW.value)
    settled_at = case((blocked, bindparam("now", type_=UTCDateTime())), else_=None)
    leads = Lead.__table__
    hooked = webhooks.live_webhooks_exist(bindparam("lead_supplier"))
    return (
        leads.insert()
        .values(status=type_coerce(status, leads.c.status.type), supplier_notified_at=settled_at)
        .returning(leads.c.id, leads.c.status, leads.c.created_at, hooked.label("hooked"))
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


def _untold() -> ColumnElement[bool]:
    # Only a lead still new is told: one the supplier has moved on (to spam, contacted, ...)
    # before its notice went out has been seen already.
    return and_(Lead.supplier_notified_at.is_(None), Lead.status == LeadStatus.NEW)


def enquiries_to_notify() -> list[int]:
    """The enquiries whose supplier is still to be told, oldest first."""
    return list(db.session.scalars(select(Lead.id).where(_untold()).order_by(Lead.id)))


def _notice_due() -> ColumnElement[bool]:
    """Untold, and not waiting after a failure."""
    return and_(_untold(), or_(Lead.notice_retry_at.is_(None), Lead.notice_retry_at <= utcnow()))


def notice_due_since() -> datetime | None:
    """Since when the notice that has waited longest has been due: how far the notices are
    behind. A notice put off after a failure is due from its retry time, not from its lead."""
    never_tried = db.session.scalar(
        select(Lead.created_at)
        .where(_notice_due(), Lead.notice_retry_at.is_(None))
        .order_by(Lead.id)
        .limit(1)
    )
    put_off = db.session.scalar(
        select(func.min(Lead.notice_retry_at)).where(
            _notice_due(), Lead.notice_retry_at.is_not(None)
        )
    )
    return min((moment for moment in (never_tried, put_off) if moment), default=None)


def retry_notices_now() -> int:
    """Make every notice put off after a failure due at once (by hand, once the fault is
    mended). Returns how many."""
    return db.session.execute(
        update(Lead)
        .where(_untold(), Lead.notice_retry_at.is_not(None))
        .values(notice_retry_at=None, updated_at=Lead.updated_at)
    ).rowcount  # type: ignore[attr-defined]


def next_enquiry_to_notify(after: int) -> int | None:
    """The oldest enquiry after `after` whose notice is due (its supplier is still to be told,
    and it is not waiting after a failure), locked for this transaction. One that another run
    holds is skipped, so runs side by side share the work."""
    return db.session.scalar(
        select(Lead.id)
        .where(_notice_due(), Lead.id > after)
        .order_by(Lead.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def put_off_notice(lead_id: int) -> datetime | None:
    """After a failed notice: its next try waits as long again as the lead has waited so far
    (at least a second, at most NOTICE_RETRY_LIMIT), so a notice that keeps failing is tried,
    and logged, less and less often, and still goes out once the fault is mended. Returns when
    it is tried again (None when the lead is gone or told)."""
    now = utcnow()
    created_at = db.session.scalar(select(Lead.created_at).where(Lead.id == lead_id, _untold()))
    if created_at is None:
        return None
    retry_at = now + min(max(now - created_at, timedelta(seconds=1)), NOTICE_RETRY_LIMIT)
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead_id)
        .values(notice_retry_at=retry_at, updated_at=Lead.updated_at)
    )
    return retry_at


def notify_supplier_of_enquiry(lead_id: int) -> bool:
    """Mail and text the supplier about a new enquiry, once: the lead is claimed first, so a
    second run, or a run beside this one, sends nothing; nor does one for a lead no longer
    untold (moved to spam meanwhile). Returns whether this run told the supplier."""
    # updated_at stays: this is not a change a CRM should pull again.
    claimed = db.session.execute(
        update(Lead)
        .where(Lead.id == lead_id, _untold())
        .values(supplier_notified_at=utcnow(), updated_at=Lead.updated_at)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    lead = db.session.get_one(Lead, lead_id)
    owner = lead.supplier.user
    about = lead.product_name or "your products"
    link = absolute_url("leads.lead_page", lead_id=lead.id)
    send_email(owner.email, f"New enquiry: {about}", "new_enquiry", lead=lead, link=link)
    if owner.phone:
        quantity = f" {quantity_text(lead.quantity)} {lead.unit}" if lead.quantity else ""
        send_sms(owner.phone, f"TradeSetu: new enquiry for {about}{quantity}. Reply: {link}")
    return True


# --- guest enquiries -------------------------------------------------------------------------


def _code_digest(verification_id: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(
        key, f"guest-code:{verification_id}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def start_guest_enquiry(data: Any) -> GuestEnquiry:
    """Check a visitor's enquiry and contact details, and send a one-time code to the mobile.
    Nothing reaches the supplier until the code is confirmed."""
    inp = Input(data)
    contact = accounts.read_contact(inp)
    _read_enquiry(inp)
    inp.raise_if_invalid()
    assert contact is not None
    accounts.refuse_registered(contact)
    now = utcnow()
    db.session.execute(
        delete(GuestEnquiry).where(GuestEnquiry.expires_at < now - GUEST_PURGE_AFTER)
    )
    phone_digest = blind_index(contact.phone)
    recent = db.session.scalar(
        select(func.count()).where(
            GuestEnquiry.phone_digest == phone_digest,
            GuestEnquiry.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= GUEST_CODES_PER_PHONE_PER_HOUR:
        raise TooManyRequests(
            "Too many codes were sent to this mobile in the last hour. Please try later.", 3600
        )
    code = f"{secrets.randbelow(10**6):06d}"
    pending = GuestEnquiry(
        id=str(uuid.uuid4()),
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        phone_digest=phone_digest,
        enquiry={
            key: inp.data.get(key)
            for key in ("product_id", "supplier_id", "quantity", "unit", "message", "city")
            if inp.data.get(key) not in (None, "")
        },
        expires_at=now + GUEST_CODE_TTL,
        created_at=now,
    )
    pending.code_digest = _code_digest(pending.id, code)
    db.session.add(pending)
    minutes = int(GUEST_CODE_TTL.total_seconds() // 60)
    send_sms(
        contact.phone,
        f"{code} is your TradeSetu code to send your enquiry. It expires in {minutes} minutes. "
        "Do not share it.",
    )
    return pending


class WrongCode(ValidationFailed):
    keep_writes = True  # the failed attempt is counted even though the request is refused


def confirm_guest_enquiry(verification_id: str, data: Any) -> tuple[int, User]:
    """Check the code; then the buyer account exists (mobile verified) and the enquiry is sent."""
    pending = db.session.get(GuestEnquiry, verification_id, with_for_update=True)
    now = utcnow()
    if pending is None or pending.created_at < now - GUEST_PURGE_AFTER:
        raise NotFound("No such verification. Please send the enquiry again.")
    if pending.used_at is not None:
        raise Conflict("This code was already used: the enquiry has been sent.")
    inp = Input(data)
    code = inp.text("code", max_length=12)
    inp.raise_if_invalid()
    if pending.expires_at <= now:
        raise ValidationFailed({"code": ["this code has expired; ask for a new one"]})
    if pending.attempts >= GUEST_CODE_ATTEMPTS:
        raise ValidationFailed({"code": ["too many wrong codes; ask for a new one"]})
    if not hmac.compare_digest(pending.code_digest, _code_digest(pending.id, code.strip())):
        pending.attempts += 1
        left = GUEST_CODE_ATTEMPTS - pending.attempts
        raise WrongCode(
            {"code": [f"the code is not right ({left} attempt{'s' if left != 1 else ''} left)"]}
        )
    contact = accounts.Contact(pending.name, pending.email, pending.phone)
    buyer = accounts.register_guest_buyer(contact)
    lead_id, _ = send_enquiry(buyer.id, pending.enquiry, source=LeadSource.GUEST)
    pending.used_at = now
    pending.lead_id = lead_id
    pending.enquiry = {}  # the message now lives on the lead only
    return lead_id, buyer


# --- who sees which lead ---------------------------------------------------------------------


def supplier_lead(user: User, lead_id: int) -> Lead:
    """A lead of the caller's business; anyone else's is not found (404, never 403)."""
    supplier = catalog.supplier_of(user)
    return get_owned(Lead, lead_id, Lead.supplier_id == supplier.id)


def party_lead(user: User, lead_id: int) -> tuple[Lead, MessageSide]:
    """A lead the caller takes part in, and on which side: its supplier or its buyer."""
    lead = db.session.get(Lead, lead_id)
    if lead is not None:
        if lead.supplier.user_id == user.id:
            return lead, MessageSide.SUPPLIER
        if lead.buyer_id == user.id and lead.type == LeadType.ENQUIRY:
            return lead, MessageSide.BUYER
    raise NotFound("No such lead.")


def mark_seen(lead: Lead, side: MessageSide) -> None:
    if side == MessageSide.SUPPLIER:
        lead.supplier_seen_at = utcnow()
    else:
        lead.buyer_seen_at = utcnow()


# --- the lead manager ------------------------------------------------------------------------


def _moment(inp: Input, field: str, *, end: bool) -> datetime | None:
    """An ISO 8601 time with its zone, or a date (a whole day in India: from its midnight, or
    up to the next midnight for the end of a range)."""
    raw = inp.data.get(field)
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        inp.fail(field, "must be an ISO 8601 time such as 2026-11-22T10:15:00Z, or a date")
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time.min, IST).astimezone(UTC)
        value = datetime.fromisoformat(raw.replace(" ", "+", 1) if raw.count(" ") == 1 else raw)
        if value.tzinfo is None:
            inp.fail(field, "must say its time zone, e.g. 2026-11-22T10:15:00Z or +05:30")
            return None
        return value.astimezone(UTC)
    except ValueError:
        inp.fail(field, "must be an ISO 8601 time such as 2026-11-22T10:15:00Z, or a date")
    except OverflowError:  # 9999-12-31 and the day after, or before year 1 once in UTC
        inp.fail(field, "is out of range")
    return None


def read_lead_filter(args: Mapping[str, Any], *, pull: bool) -> queries.LeadFilter:
    """The lead list's filters, from a query string. For the CRM pull (`pull`) the window is
    at most seven days and always closed: it defaults to the last seven days, ends no later
    than a few seconds ago, and a CRM polls on from where the previous window ended."""
    inp = Input(args)
    kind = inp.text("type", required=False, check=lambda v: LeadType(_choice(v, LeadType)))
    status = inp.text("status", required=False, check=lambda v: LeadStatus(_choice(v, LeadStatus)))
    product_id = inp.integer("product_id", required=False, minimum=1, maximum=MAX_ID)
    start = _moment(inp, "start_time", end=False)
    end = _moment(inp, "end_time", end=True)
    unread = inp.boolean("unread")
    if pull and "start_time" not in inp.errors and "end_time" not in inp.errors:
        settled = utcnow() - queries.PULL_SETTLE
        if end is None:
            end = min(start + queries.MAX_PULL_WINDOW, settled) if start else settled
        end = min(end, settled)
        if start is None:
            start = end - queries.MAX_PULL_WINDOW
        if end - start > queries.MAX_PULL_WINDOW:
            inp.fail("end_time", "the window from start_time to end_time is at most 7 days")
    if start and end and end <= start and "end_time" not in inp.errors:
        inp.fail("end_time", "must be later than start_time")
    inp.raise_if_invalid()
    return queries.LeadFilter(
        type=kind, status=status, product_id=product_id, start=start, end=end, unread=unread
    )


def _choice(value: str, choices: type[Any]) -> str:
    if value not in {str(member) for member in choices}:
        raise Invalid("must be one of: " + ", ".join(str(member) for member in choices))
    return value


def list_leads(
    user: User, chosen: queries.LeadFilter, *, oldest_first: bool, page: int, per_page: int
) -> tuple[list[Lead], int]:
    supplier = catalog.supplier_of(user)
    query = queries.supplier_leads_query(supplier.id, chosen)
    return queries.page_of_leads(query, oldest_first=oldest_first, page=page, per_page=per_page)


_LEAD_FIELDS = {"status", "note", "follow_up_on"}


def update_lead(user: User, lead_id: int, data: Any) -> Lead:
    """Move a lead through the pipeline, add a note, set or clear the follow-up date."""
    lead = supplier_lead(user, lead_id)
    inp = Input(data)
    for field in set(inp.data) - _LEAD_FIELDS:
        inp.fail(field, "is not a field of a lead that can be changed")
    status = inp.text("status", required=False, check=lambda v: LeadStatus(_choice(v, LeadStatus)))
    note = inp.text("note", required=False, max_length=2000, multiline=True)
    today = today_in_india()
    follow_up = read_date(inp, "follow_up_on", earliest=today, latest=today + FOLLOW_UP_HORIZON)
    if not inp.errors and not (status or note or "follow_up_on" in inp.data):
        inp.fail("body", "send at least one of: status, note, follow_up_on")
    inp.raise_if_invalid()
    changes: dict[str, Any] = {}
    if status and status != lead.status:
        changes["status"] = [str(lead.status), str(status)]
        lead.status = status
        if status == LeadStatus.SPAM:
            audit.record("lead.marked_spam", actor_id=user.id, subject=lead)
    if note:
        lead.notes.append(LeadNote(author_id=user.id, text=note))
        changes["note"] = True
    if "follow_up_on" in inp.data and follow_up != lead.follow_up_on:
        lead.follow_up_on = follow_up
        changes["follow_up_on"] = follow_up.isoformat() if follow_up else None
    if changes:
        lead.updated_at = utcnow()
        db.session.flush()
        webhooks.emit(WebhookEvent.LEAD_UPDATED, lead)
    return lead


def block_buyer(user: User, lead_id: int) -> Lead:
    """Mark this lead spam and send the buyer's later enquiries to this supplier there too."""
    lead = supplier_lead(user, lead_id)
    if lead.buyer_id is None:
        raise ServiceError("This buyer's account no longer exists.")
    if not buyer_blocked(lead):
        db.session.add(SupplierBlock(supplier_id=lead.supplier_id, buyer_id=lead.buyer_id))
        audit.record("lead.buyer_blocked", actor_id=user.id, subject=lead, buyer_id=lead.buyer_id)
    if lead.status != LeadStatus.SPAM:
        lead.status = LeadStatus.SPAM
        lead.updated_at = utcnow()
        db.session.flush()
        webhooks.emit(WebhookEvent.LEAD_UPDATED, lead)
    return lead


def unblock_buyer(user: User, lead_id: int) -> Lead:
    lead = supplier_lead(user, lead_id)
    removed = db.session.execute(delete(SupplierBlock).where(_block_of(lead))).rowcount  # type: ignore[attr-defined]
    if removed:
        audit.record("lead.buyer_unblocked", actor_id=user.id, subject=lead, buyer_id=lead.buyer_id)
    return lead


def _block_of(lead: Lead) -> ColumnElement[bool]:
    return (SupplierBlock.supplier_id == lead.supplier_id) & (
        SupplierBlock.buyer_id == lead.buyer_id
    )


def buyer_blocked(lead: Lead) -> bool:
    return (
        lead.buyer_id is not None
        and db.session.scalar(select(SupplierBlock.id).where(_block_of(lead))) is not None
    )


# --- the conversation ------------------------------------------------------------------------


def conversation(user: User, lead_id: int) -> tuple[Lead, MessageSide, list[Message]]:
    """The lead's messages, oldest first; reading them marks the lead read for this side."""
    lead, side = party_lead(user, lead_id)
    mark_seen(lead, side)
    rows = db.session.scalars(
        select(Message).where(Message.lead_id == lead.id).order_by(Message.id)
    ).all()
    return lead, side, list(rows)


def buyer_conversation(user: User, lead_id: int) -> tuple[Lead, list[Message]]:
    """An enquiry the caller sent, with its messages; a lead they only supply is not theirs
    to read as an enquiry."""
    lead, side, rows = conversation(user, lead_id)
    if side != MessageSide.BUYER:
        raise NotFound("No such enquiry.")
    return lead, rows


def post_message(user: User, lead_id: int, data: Any) -> Message:
    """A message from either side; a quotation (supplier only) moves the lead to quoted."""
    lead, side = party_lead(user, lead_id)
    inp = Input(data)
    quote = inp.nested("quotation", required=False)
    text = inp.text("text", required=quote is None, max_length=4000, multiline=True)
    entry = Message(lead_id=lead.id, side=side, author_id=user.id, text=text or "")
    if quote is not None:
        if side != MessageSide.SUPPLIER:
            inp.fail("quotation", "only the supplier sends quotations")
        entry.quote_price = quote.money("price")
        if entry.quote_price is not None and entry.quote_price <= 0:
            quote.fail("price", "must be more than zero")
        entry.quote_quantity = read_quantity(quote, "quantity", required=True)
        entry.quote_unit = quote.text("unit", max_length=24, check=check_unit)
        today = today_in_india()
        entry.quote_valid_until = read_date(
            quote, "valid_until", earliest=today, latest=today + QUOTE_VALIDITY_HORIZON
        )
        if entry.quote_valid_until is None and "quotation.valid_until" not in inp.errors:
            quote.fail("valid_until", "this field is required")
    inp.raise_if_invalid()
    now = utcnow()
    db.session.add(entry)
    if side == MessageSide.SUPPLIER:
        lead.supplier_activity_at = now
        lead.supplier_seen_at = now
        if entry.is_quotation and lead.status in (LeadStatus.NEW, LeadStatus.CONTACTED):
            lead.status = LeadStatus.QUOTED
        elif lead.status == LeadStatus.NEW:
            lead.status = LeadStatus.CONTACTED
    else:
        lead.buyer_activity_at = now
        lead.buyer_seen_at = now
    lead.updated_at = now
    db.session.flush()
    if lead.status != LeadStatus.SPAM:  # a spam folder stays quiet
        _notify_other_side(lead, entry)
        webhooks.emit(WebhookEvent.MESSAGE_CREATED, lead, message=entry)
    return entry


def _notify_other_side(lead: Lead, entry: Message) -> None:
    if entry.side == MessageSide.SUPPLIER:
        if lead.buyer is None:
            return
        recipient, sender = lead.buyer, lead.supplier.company_name
        link = absolute_url("leads.enquiry_page", lead_id=lead.id)
    else:
        recipient, sender = lead.supplier.user, lead.buyer.name if lead.buyer else "A buyer"
        link = absolute_url("leads.lead_page", lead_id=lead.id)
    kind = "a quotation" if entry.is_quotation else "a message"
    send_email(
        recipient.email,
        f"{sender} sent you {kind}",
        "new_message",
        lead=lead,
        entry=entry,
        sender=sender,
        link=link,
    )


# --- exports and reminders -------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "created_at",
    "type",
    "source",
    "status",
    "product",
    "quantity",
    "unit",
    "buyer_name",
    "buyer_company",
    "buyer_email",
    "buyer_phone",
    "city",
    "message",
    "follow_up_on",
)


def csv_cell(value: Any) -> str:
    """A spreadsheet must never run a cell: one that starts like a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_csv(user: User, chosen: queries.LeadFilter) -> str:
    """Exactly the leads of the filtered list, every page of it, newest first."""
    supplier = catalog.supplier_of(user)
    rows = queries.all_leads(queries.supplier_leads_query(supplier.id, chosen))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for lead in rows:
        buyer = lead.buyer
        writer.writerow(
            csv_cell(value)
            for value in (
                lead.id,
                lead.created_at.astimezone(IST).strftime("%Y-%m-%d %H:%M"),
                lead.type,
                lead.source,
                lead.status,
                lead.product_name,
                quantity_text(lead.quantity),
                lead.unit,
                buyer.name if buyer else "Deleted account",
                buyer.supplier.company_name if buyer and buyer.supplier else None,
                buyer.email if buyer else None,
                buyer.phone if buyer else None,
                lead.city,
                lead.message,
                lead.follow_up_on,
            )
        )
    audit.record("leads.exported", actor_id=user.id, rows=len(rows))
    return out.getvalue()


def remind_follow_ups() -> int:
    """Email each supplier about the follow-ups due today (or missed), once per lead and date."""
    today = today_in_india()
    due = db.session.scalars(
        select(Lead)
        .where(
            Lead.follow_up_on <= today,
            (Lead.follow_up_reminded_on.is_(None))
            | (Lead.follow_up_reminded_on != Lead.follow_up_on),
            Lead.status.not_in((LeadStatus.WON, LeadStatus.LOST, LeadStatus.SPAM)),
        )
        .order_by(Lead.id)
        .limit(REMINDER_BATCH)
    ).all()
    for lead in due:
        send_email(
            lead.supplier.user.email,
            f"Follow up today: {lead.buyer.name if lead.buyer else 'a lead'}",
            "follow_up",
            lead=lead,
            link=absolute_url("leads.lead_page", lead_id=lead.id),
        )
        lead.follow_up_reminded_on = lead.follow_up_on
    return len(due)
