"""The rules of credits: the only code that writes the ledger, orders and invoices.

The ledger is append-only. A grant is a lot (a positive entry, with an expiry for weekly
allocations); a debit draws on one lot, the one that expires first (purchased and goodwill
credits, which never expire, last), and carries that lot's expiry. So the balance is one sum
over the entries that have not expired, an expired allocation takes its debits with it, and a
balance read at any moment is right whether or not the expiry task has run.

Every write to a supplier's ledger first locks the supplier's `credit_accounts` row with an
UPDATE. On PostgreSQL that is a row lock held to the commit; on SQLite the UPDATE is the
transaction's first write (the driver only opens a transaction for writes), which takes the
database's single write lock before the balance is read. Either way two debits of one supplier
run one after the other, and the second sees the first: the balance never goes negative.

Functions flush but never commit: the request (or task) commits once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from marketplace import audit
from marketplace.accounts import policy
from marketplace.accounts.models import Role, SupplierProfile, User
from marketplace.credits import gateways, invoices
from marketplace.credits.models import (
    GRANTS,
    CreditAccount,
    CreditEntry,
    CreditKind,
    CreditOrder,
    Invoice,
    InvoiceKind,
    OrderStatus,
)
from marketplace.credits.plans import Pack, Plan
from marketplace.db import IST, get_owned, paginate, utcnow
from marketplace.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from marketplace.extensions import db
from marketplace.formatting import rupees
from marketplace.notifications import absolute_url, send_email
from marketplace.validation import Input, Invalid

log = logging.getLogger(__name__)

ALLOCATION_BATCH = 200  # suppliers per commit in the weekly run
MAX_GRANT = 100_000
EXPIRY_LOOKBACK = timedelta(weeks=5)


class NoCredits(ServiceError):
    """Spending with an empty balance. A 409 (the request conflicts with the balance, as the
    API's conventions use 409): 402 has no agreed meaning and clients treat it unevenly."""

    status = 409
    title = "No credits left"


class PaymentMismatch(ServiceError):
    status = 422
    title = "Payment does not match the order"


# --- plans, packs, weeks ---------------------------------------------------------------------


def plans() -> tuple[Plan, ...]:
    configured: tuple[Plan, ...] = current_app.config["CREDIT_PLANS"]
    return configured


def default_plan() -> Plan:
    return plans()[0]


def find_plan(plan_id: str) -> Plan:
    for plan in plans():
        if plan.id == plan_id:
            return plan
    return default_plan()  # a plan removed from the configuration: the default's terms


def packs() -> tuple[Pack, ...]:
    configured: tuple[Pack, ...] = current_app.config["CREDIT_PACKS"]
    return configured


def week_of(moment: datetime) -> date:
    """The Monday (in India) of the week a moment falls in."""
    local = moment.astimezone(IST).date()
    return local - timedelta(days=local.weekday())


def week_ends(monday: date) -> datetime:
    """The end of a week: the next Monday's midnight in India, in UTC."""
    return datetime.combine(monday + timedelta(days=7), time.min, IST).astimezone(UTC)


# --- the ledger ------------------------------------------------------------------------------


def _live(at: datetime) -> Any:
    return or_(CreditEntry.expires_at.is_(None), CreditEntry.expires_at > at)


def balance(supplier_id: int, *, at: datetime | None = None) -> int:
    """The credits a supplier can spend now (or at `at`): the sum of the entries that count."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(CreditEntry.delta), 0)).where(
            CreditEntry.supplier_id == supplier_id, _live(at or utcnow())
        )
    )
    return int(total or 0)


def _lock(supplier_id: int) -> CreditAccount:
    """Take the supplier's ledger lock (see the module's docstring); makes the row if new."""

    def touch() -> int:
        result = db.session.execute(
            update(CreditAccount)
            .where(CreditAccount.supplier_id == supplier_id)
            .values(locked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    if not touch():
        if db.session.get(SupplierProfile, supplier_id) is None:
            raise NotFound("No such supplier.")
        try:
            with db.session.begin_nested():
                db.session.add(CreditAccount(supplier_id=supplier_id, plan=default_plan().id))
        except IntegrityError:  # another transaction made it first: queue behind it
            touch()
    account = db.session.get(CreditAccount, supplier_id, populate_existing=True)
    assert account is not None
    return account


def account_plan(supplier_id: int) -> Plan:
    plan_id = db.session.scalar(
        select(CreditAccount.plan).where(CreditAccount.supplier_id == supplier_id)
    )
    return find_plan(plan_id) if plan_id else default_plan()


def _existing(supplier_id: int, reference: str) -> CreditEntry | None:
    return db.session.scalar(
        select(CreditEntry).where(
            CreditEntry.supplier_id == supplier_id, CreditEntry.reference == reference
        )
    )


def _remaining() -> Any:
    """A lot's credits not yet drawn on (its delta plus its debits)."""
    debit = aliased(CreditEntry)
    drawn = (
        select(func.coalesce(func.sum(debit.delta), 0))
        .where(debit.lot_id == CreditEntry.id)
        .scalar_subquery()
    )
    return CreditEntry.delta + drawn


def _lots(supplier_id: int, at: datetime) -> list[tuple[CreditEntry, int]]:
    """The supplier's live lots with credits left, in the order they are spent: the soonest
    to expire first (this week's allocation), then the ones that never expire, oldest first."""
    remaining = _remaining().label("remaining")
    rows = db.session.execute(
        select(CreditEntry, remaining)
        .where(
            CreditEntry.supplier_id == supplier_id,
            CreditEntry.kind.in_(GRANTS),
            _live(at),
        )
        .order_by(CreditEntry.expires_at.is_(None), CreditEntry.expires_at, CreditEntry.id)
    ).all()
    return [(lot, int(left)) for lot, left in rows if left > 0]


def _check_reference(reference: str) -> str:
    if not isinstance(reference, str) or not 1 <= len(reference) <= 64:
        raise ValueError("a ledger reference is 1 to 64 characters")
    return reference


def spend_credit(
    supplier_id: int, *, reason: str, reference: str, kind: CreditKind = CreditKind.UNLOCK
) -> CreditEntry:
    """Debit one credit, once per `reference`: a second call with the same reference returns
    the first debit and debits nothing. Raises NoCredits when the balance is 0."""
    _check_reference(reference)
    _lock(supplier_id)
    existing = _existing(supplier_id, reference)
    if existing is not None:
        if existing.delta >= 0:
            raise Conflict(f"The reference {reference} is already used by a grant.")
        return existing
    now = utcnow()
    lots = _lots(supplier_id, now)
    if not lots:
        raise NoCredits(
            "Your credit balance is 0, so this cannot be unlocked. Buy a credit pack on the "
            "Credits page (/credits, or POST /api/v1/orders); a paid plan also adds credits "
            "every Monday."
        )
    lot, _ = lots[0]
    entry = CreditEntry(
        supplier_id=supplier_id,
        delta=-1,
        kind=kind,
        reason=reason[:200],
        reference=reference,
        lot_id=lot.id,
        expires_at=lot.expires_at,
        created_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def grant_credits(
    supplier_id: int,
    credits: int,
    *,
    kind: CreditKind,
    reason: str,
    reference: str,
    expires_at: datetime | None = None,
    week: date | None = None,
    actor_id: int | None = None,
) -> CreditEntry:
    """Add a lot of credits, once per `reference` (a repeat returns the first grant)."""
    entry, _ = _grant(
        supplier_id,
        credits,
        kind=kind,
        reason=reason,
        reference=reference,
        expires_at=expires_at,
        week=week,
        actor_id=actor_id,
    )
    return entry


def _grant(
    supplier_id: int,
    credits: int,
    *,
    kind: CreditKind,
    reason: str,
    reference: str,
    expires_at: datetime | None = None,
    week: date | None = None,
    actor_id: int | None = None,
) -> tuple[CreditEntry, bool]:
    """The grant, and whether it is new."""
    if kind not in GRANTS:
        raise ValueError(f"{kind} is not a kind of grant")
    if not 1 <= credits <= MAX_GRANT:
        raise ValueError(f"a grant is 1 to {MAX_GRANT} credits")
    _check_reference(reference)
    _lock(supplier_id)
    existing = _existing(supplier_id, reference)
    if existing is not None:
        return existing, False
    entry = CreditEntry(
        supplier_id=supplier_id,
        delta=credits,
        kind=kind,
        reason=reason[:200],
        reference=reference,
        expires_at=expires_at,
        week=week,
        actor_id=actor_id,
        created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry, True


def _take_back(
    supplier_id: int, lot: CreditEntry, *, kind: CreditKind, reason: str, ref: str
) -> CreditEntry | None:
    """Debit what is left of one lot (under the supplier's lock); None if nothing is left."""
    left = db.session.scalar(select(_remaining()).where(CreditEntry.id == lot.id)) or 0
    if left <= 0 or _existing(supplier_id, ref) is not None:
        return None
    entry = CreditEntry(
        supplier_id=supplier_id,
        delta=-int(left),
        kind=kind,
        reason=reason[:200],
        reference=ref,
        lot_id=lot.id,
        expires_at=lot.expires_at,
        created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def ledger(supplier_id: int, *, page: int, per_page: int) -> tuple[list[CreditEntry], int]:
    query = select(CreditEntry).where(CreditEntry.supplier_id == supplier_id)
    return paginate(
        query.order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc()),
        page=page,
        per_page=per_page,
    )


@dataclass(frozen=True)
class Summary:
    balance: int
    plan: Plan
    expiring: int  # credits that expire at the end of this week unless spent
    expires_at: datetime | None


def summary(supplier_id: int) -> Summary:
    now = utcnow()
    lots = _lots(supplier_id, now)
    expiring = [(lot, left) for lot, left in lots if lot.expires_at is not None]
    return Summary(
        balance=balance(supplier_id, at=now),
        plan=account_plan(supplier_id),
        expiring=sum(left for _, left in expiring),
        expires_at=min((lot.expires_at for lot, _ in expiring), default=None),  # type: ignore[type-var]
    )


# --- who --------------------------------------------------------------------------------------


def supplier_of(user: User) -> SupplierProfile:
    """The caller's business; only suppliers hold credits."""
    return policy.business_of(user, "hold credits")


def _supplier_by_email(email: str) -> SupplierProfile:
    from marketplace.accounts.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise NotFound(f"No account has the email {email}.")
    if user.supplier is None:
        raise ValidationFailed({"email": [f"{email} is not a supplier's account"]})
    return user.supplier


# --- operators: goodwill and plans ----------------------------------------------------------


def grant_goodwill(
    email: str, credits: Any, reason: Any, *, actor_id: int | None = None
) -> CreditEntry:
    """Credits given by an operator (`flask credits grant`): never expire, always audited."""
    inp = Input({"credits": credits, "reason": reason})
    amount = inp.integer("credits", minimum=1, maximum=10_000)
    why = inp.text("reason", min_length=3, max_length=200)
    inp.raise_if_invalid()
    supplier = _supplier_by_email(email)
    entry = grant_credits(
        supplier.id,
        amount,  # type: ignore[arg-type]
        kind=CreditKind.GOODWILL,
        reason=why,
        reference=f"goodwill:{uuid.uuid4().hex}",
        actor_id=actor_id,
    )
    audit.record(
        "credits.goodwill_granted",
        actor_id=actor_id,
        subject=supplier,
        credits=amount,
        reason=why,
        entry_id=entry.id,
    )
    return entry


def set_plan(email: str, plan_id: str, *, actor_id: int | None = None) -> Plan:
    """Move a supplier to a plan (audited); its allocation applies from the next weekly run."""
    plan = next((p for p in plans() if p.id == plan_id.strip().lower()), None)
    if plan is None:
        raise ValidationFailed({"plan": ["must be one of: " + ", ".join(p.id for p in plans())]})
    supplier = _supplier_by_email(email)
    account = _lock(supplier.id)
    if account.plan != plan.id:
        audit.record(
            "credits.plan_changed",
            actor_id=actor_id,
            subject=supplier,
            old=account.plan,
            new=plan.id,
        )
        account.plan = plan.id
    return plan


# --- the weekly run --------------------------------------------------------------------------


def allocate_week(at: datetime | None = None, *, limit: int = ALLOCATION_BATCH) -> int:
    """Grant this week's plan credits to up to `limit` suppliers on a plan with an allocation
    that have not had them yet: once per supplier and week (a unique row per week, so running
    twice grants nothing more). Returns how many got credits; the caller commits and calls
    again until that is fewer than `limit`."""
    now = at or utcnow()
    monday = week_of(now)
    ends = week_ends(monday)
    paying = {plan.id: plan for plan in plans() if plan.weekly_credits > 0}
    if not paying:
        return 0
    plan_of = func.coalesce(CreditAccount.plan, default_plan().id)
    already = (
        select(CreditEntry.id)
        .where(CreditEntry.supplier_id == SupplierProfile.id, CreditEntry.week == monday)
        .exists()
    )
    due = db.session.execute(
        select(SupplierProfile.id, plan_of)
        .join(User, User.id == SupplierProfile.user_id)
        .outerjoin(CreditAccount, CreditAccount.supplier_id == SupplierProfile.id)
        .where(User.is_active_account.is_(True), plan_of.in_(list(paying)), ~already)
        .order_by(SupplierProfile.id)
        .limit(limit)
    ).all()
    granted = 0
    for supplier_id, plan_id in due:
        plan = paying[plan_id]
        _, new = _grant(
            supplier_id,
            plan.weekly_credits,
            kind=CreditKind.ALLOCATION,
            reason=f"{plan.name} plan: credits for the week of {monday:%d %b %Y}",
            reference=f"allocation:{monday.isoformat()}",
            expires_at=ends,
            week=monday,
        )
        granted += new
    return granted


def record_expiries(at: datetime | None = None) -> int:
    """Write what was left of each allocation whose week has ended as an `expiry` entry, so the
    ledger says where those credits went. The balance already left them out (see above); this
    only records it, once per lot."""
    now = at or utcnow()
    expiry = aliased(CreditEntry)
    recorded = (
        select(expiry.id)
        .where(expiry.lot_id == CreditEntry.id, expiry.kind == CreditKind.EXPIRY)
        .exists()
    )
    lots = db.session.scalars(
        select(CreditEntry)
        .where(
            CreditEntry.kind == CreditKind.ALLOCATION,
            CreditEntry.expires_at <= now,
            # Only recent weeks: older ones were recorded by earlier runs (and the balance never
            # needed the record), so each run reads a few weeks, not the whole history.
            CreditEntry.expires_at > now - EXPIRY_LOOKBACK,
            _remaining() > 0,
            ~recorded,
        )
        .order_by(CreditEntry.id)
        .limit(5000)
    ).all()
    written = 0
    for lot in lots:
        _lock(lot.supplier_id)
        entry = _take_back(
            lot.supplier_id,
            lot,
            kind=CreditKind.EXPIRY,
            reason=f"Unused credits of the week of {lot.week:%d %b %Y} expired"
            if lot.week
            else "Unused weekly credits expired",
            ref=f"expiry:{lot.id}",
        )
        written += entry is not None
    return written


# --- orders and payments ---------------------------------------------------------------------


def find_pack(pack_id: str) -> Pack:
    for pack in packs():
        if pack.id == pack_id:
            return pack
    raise Invalid("must be one of: " + ", ".join(pack.id for pack in packs()))


def create_order(user: User, data: Any) -> tuple[CreditOrder, dict[str, Any]]:
    """An order for a credit pack, priced with GST for the supplier's state, registered with
    the payment gateway. Returns the order and what the client needs to pay it."""
    supplier = supplier_of(user)
    inp = Input(data)
    for field in set(inp.data) - {"pack"}:
        inp.fail(field, "is not a field of an order")
    pack = inp.text("pack", max_length=32, check=find_pack)
    inp.raise_if_invalid()
    split = invoices.tax_split(pack.price, supplier.gstin)
    gateway = gateways.configured()
    order = CreditOrder(
        supplier=supplier,
        supplier_id=supplier.id,
        pack_id=pack.id,
        credits=pack.credits,
        taxable_value=split.taxable_value,
        cgst=split.cgst,
        sgst=split.sgst,
        igst=split.igst,
        total=split.total,
        gateway=gateway.name,
    )
    db.session.add(order)
    db.session.flush()
    order.gateway_order_id = gateway.create_order(order)
    db.session.flush()
    audit.record("credits.order_created", actor_id=user.id, subject=order, pack=pack.id)
    return order, gateway.checkout(order)


def checkout_for(order: CreditOrder) -> dict[str, Any] | None:
    """How to pay an order that is still unpaid (None once it is paid or refunded)."""
    if order.status not in (OrderStatus.CREATED, OrderStatus.FAILED):
        return None
    try:
        gateway = gateways.named(order.gateway)
    except NotFound:  # made with a gateway no longer in use: it cannot be paid any more
        return None
    return gateway.checkout(order)


def supplier_order(user: User, order_id: int) -> CreditOrder:
    supplier = supplier_of(user)
    return get_owned(CreditOrder, order_id, CreditOrder.supplier_id == supplier.id)


def supplier_orders(user: User, *, page: int, per_page: int) -> tuple[list[CreditOrder], int]:
    supplier = supplier_of(user)
    return _page(
        select(CreditOrder).where(CreditOrder.supplier_id == supplier.id),
        CreditOrder.created_at,
        CreditOrder.id,
        page=page,
        per_page=per_page,
    )


def all_orders(*, status: str | None, page: int, per_page: int) -> tuple[list[CreditOrder], int]:
    """Every supplier's orders, for admins, each with its supplier (the page names them)."""
    query = select(CreditOrder).options(joinedload(CreditOrder.supplier))
    if status in {str(s) for s in OrderStatus}:
        query = query.where(CreditOrder.status == status)
    return _page(query, CreditOrder.created_at, CreditOrder.id, page=page, per_page=per_page)


def _page(query: Any, *order_by: Any, page: int, per_page: int) -> tuple[list[Any], int]:
    ordered = query.order_by(*(column.desc() for column in order_by))
    return paginate(ordered, page=page, per_page=per_page)


@dataclass(frozen=True)
class CallbackResult:
    result: str  # "granted", "already_granted", "payment_failed", "ignored"
    order: CreditOrder | None = None
    invoice: Invoice | None = None


def receive_callback(gateway_name: str, body: bytes, headers: Mapping[str, str]) -> CallbackResult:
    """A gateway's signed callback (a webhook delivery, or the sandbox page's outcome): verify
    it, then act on it once. A forged or unsigned one raises ForgedCallback and does nothing."""
    gateway = gateways.named(gateway_name)
    try:
        event = gateway.verify_callback(body, headers)
    except gateways.ForgedCallback:
        log.warning("refused a %s callback with a missing or wrong signature", gateway_name)
        raise
    return apply_payment_event(gateway.name, event)


def confirm_checkout(user: User, order_id: int, params: Mapping[str, str]) -> CallbackResult:
    """Razorpay Checkout's answer in the browser (signed with the key secret)."""
    order = supplier_order(user, order_id)
    gateway = gateways.named(order.gateway)
    if not isinstance(gateway, gateways.RazorpayGateway):
        raise NotFound("This order is not paid through Razorpay.")
    # Checked before the gateway is asked anything (verifying captures the payment).
    if params.get("razorpay_order_id") != order.gateway_order_id:
        raise gateways.ForgedCallback("This payment belongs to another order.")
    if order.status == OrderStatus.PAID:  # the same answer again (a reload): nothing to do
        return CallbackResult("already_granted", order, _invoice_of(order))
    if order.status == OrderStatus.REFUNDED:
        raise Conflict("This order was refunded; order the pack again to buy it.")
    return apply_payment_event(gateway.name, gateway.verify_checkout(params))


def _order_for(gateway_name: str, gateway_order_id: str | None) -> CreditOrder | None:
    if not gateway_order_id:
        return None
    return db.session.scalar(
        select(CreditOrder).where(
            CreditOrder.gateway == gateway_name, CreditOrder.gateway_order_id == gateway_order_id
        )
    )


def apply_payment_event(gateway_name: str, event: gateways.PaymentEvent) -> CallbackResult:
    """Act on a verified event, idempotently: a captured payment marks its order paid with a
    conditional UPDATE (only one delivery can win it, however many arrive at once), and only
    the winner grants the credits and issues the invoice."""
    if event.outcome == "ignored":
        return CallbackResult("ignored")
    order = _order_for(gateway_name, event.gateway_order_id)
    if order is None:  # not one of ours (another integration on the same gateway account)
        log.info("a %s event for unknown order %s", gateway_name, event.gateway_order_id)
        return CallbackResult("ignored")
    if event.outcome == "failed":
        db.session.execute(
            update(CreditOrder)
            .where(CreditOrder.id == order.id, CreditOrder.status == OrderStatus.CREATED)
            .values(status=OrderStatus.FAILED, failure_reason=event.reason, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(order)
        return CallbackResult("payment_failed", order)
    if event.amount != order.paise or event.currency != gateways.CURRENCY:
        log.error(
            "order %s: %s captured %s %s, the order is %s INR",
            order.id,
            gateway_name,
            event.amount,
            event.currency,
            order.paise,
        )
        raise PaymentMismatch(
            f"The captured amount ({event.amount} {event.currency} paise) is not the order's "
            f"total ({order.paise} INR paise); nothing was granted."
        )
    now = utcnow()
    won = db.session.execute(
        update(CreditOrder)
        .where(
            CreditOrder.id == order.id,
            CreditOrder.status.in_((OrderStatus.CREATED, OrderStatus.FAILED)),
        )
        .values(status=OrderStatus.PAID, payment_id=event.payment_id, paid_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    db.session.refresh(order)
    if not won:
        if order.payment_id != event.payment_id:
            # A second payment for a paid order: the payer was charged twice. Keep a record
            # for an admin to refund it; grant nothing.
            audit.record(
                "credits.extra_payment",
                subject=order,
                gateway=gateway_name,
                payment_id=event.payment_id,
            )
        return CallbackResult("already_granted", order, _invoice_of(order))
    grant_credits(
        order.supplier_id,
        order.credits,
        kind=CreditKind.PURCHASE,
        reason=f"Bought {order.credits} credits (order #{order.id})",
        reference=f"order:{order.id}",
    )
    invoice = invoices.issue_invoice(order)
    audit.record(
        "credits.order_paid",
        subject=order,
        gateway=gateway_name,
        payment_id=event.payment_id,
        invoice=invoice.number,
    )
    owner = order.supplier.user
    send_email(
        owner.email,
        f"Payment received: {order.credits} credits, invoice {invoice.number}",
        "credits_purchased",
        order=order,
        invoice=invoice,
        total=rupees(order.total),
        link=absolute_url("credits.invoice_page", invoice_id=invoice.id),
    )
    return CallbackResult("granted", order, invoice)


def _invoice_of(order: CreditOrder, kind: InvoiceKind = InvoiceKind.INVOICE) -> Invoice | None:
    return db.session.scalar(
        select(Invoice).where(Invoice.order_id == order.id, Invoice.kind == kind)
    )


def invoice_of(order: CreditOrder) -> Invoice | None:
    return _invoice_of(order)


def invoices_of(orders: Sequence[CreditOrder]) -> dict[int, Invoice]:
    """The tax invoice of each order that has one, by order id: one query for a page."""
    if not orders:
        return {}
    rows = db.session.scalars(
        select(Invoice).where(
            Invoice.order_id.in_([order.id for order in orders]),
            Invoice.kind == InvoiceKind.INVOICE,
        )
    )
    return {row.order_id: row for row in rows}


# --- refunds (admins) ------------------------------------------------------------------------


def refund_order(actor: User, order_id: int, data: Any) -> tuple[CreditOrder, Invoice, int]:
    """Refund a paid order: the order's unspent credits are debited back (credits already
    spent cannot be: the balance never goes negative), a credit note reverses the invoice, and
    the gateway returns the money. Returns the order, the credit note and the credits taken."""
    if not actor.has_role(Role.ADMIN):
        raise Forbidden("Only admins refund orders.")
    inp = Input(data)
    reason = inp.text("reason", min_length=3, max_length=300)
    inp.raise_if_invalid()
    order = db.session.get(CreditOrder, order_id)
    if order is None:
        raise NotFound("No such order.")
    now = utcnow()
    claimed = db.session.execute(
        update(CreditOrder)
        .where(CreditOrder.id == order_id, CreditOrder.status == OrderStatus.PAID)
        .values(status=OrderStatus.REFUNDED, refunded_at=now, refund_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    db.session.refresh(order)
    if not claimed:
        raise Conflict(f"Only a paid order can be refunded; order #{order.id} is {order.status}.")
    invoice = _invoice_of(order)
    assert invoice is not None, "a paid order has its invoice"
    _lock(order.supplier_id)
    lot = _existing(order.supplier_id, f"order:{order.id}")
    taken = None
    if lot is not None:
        taken = _take_back(
            order.supplier_id,
            lot,
            kind=CreditKind.REFUND,
            reason=f"Refund of order #{order.id}: its unspent credits",
            ref=f"refund:order:{order.id}",
        )
    note = invoices.issue_credit_note(order, invoice, reason)
    order.refund_id = gateways.named(order.gateway).refund(order)  # last: a refusal rolls back
    credits_taken = -taken.delta if taken is not None else 0
    audit.record(
        "credits.order_refunded",
        actor_id=actor.id,
        subject=order,
        reason=reason,
        credit_note=note.number,
        credits_taken=credits_taken,
    )
    send_email(
        order.supplier.user.email,
        f"Refund of order #{order.id}: credit note {note.number}",
        "credits_refunded",
        order=order,
        note=note,
        credits_taken=credits_taken,
        total=rupees(order.total),
        link=absolute_url("credits.invoice_page", invoice_id=note.id),
    )
    return order, note, credits_taken


# --- invoices --------------------------------------------------------------------------------


def visible_invoice(user: User, invoice_id: int) -> Invoice:
    """An invoice of the caller's business, or any for an admin; anyone else's is not found."""
    if user.has_role(Role.ADMIN):
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound("No such invoice.")
        return invoice
    supplier = supplier_of(user)
    return get_owned(Invoice, invoice_id, Invoice.supplier_id == supplier.id)


def supplier_invoices(user: User, *, page: int, per_page: int) -> tuple[list[Invoice], int]:
    supplier = supplier_of(user)
    return _page(
        select(Invoice).where(Invoice.supplier_id == supplier.id),
        Invoice.issued_at,
        Invoice.id,
        page=page,
        per_page=per_page,
    )
