"""The ledger: the balance, and the only code that writes grants and debits.

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

This module is the way in for other domains: `balance`, `spend_credit` and `grant_credits`.
Functions flush but never commit: the request (or task) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from marketplace import metrics
from marketplace.accounts.models import SupplierProfile
from marketplace.credits.models import GRANTS, CreditAccount, CreditEntry, CreditKind
from marketplace.credits.plans import Plan, default_plan, find_plan
from marketplace.db import utcnow
from marketplace.errors import Conflict, NotFound, ServiceError
from marketplace.extensions import db

MAX_GRANT = 100_000


class NoCredits(ServiceError):
    """Spending with an empty balance. A 409 (the request conflicts with the balance, as the
    API's conventions use 409): 402 has no agreed meaning and clients treat it unevenly."""

    status = 409
    title = "No credits left"


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


def lock_account(supplier_id: int) -> CreditAccount:
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
            raise NotFound(_("No such supplier."))
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


def entry_by_reference(supplier_id: int, reference: str) -> CreditEntry | None:
    return db.session.scalar(
        select(CreditEntry).where(
            CreditEntry.supplier_id == supplier_id, CreditEntry.reference == reference
        )
    )


def unspent() -> Any:
    """A lot's credits not yet drawn on (its delta plus its debits), as a column expression."""
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
    remaining = unspent().label("remaining")
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
    lock_account(supplier_id)
    existing = entry_by_reference(supplier_id, reference)
    if existing is not None:
        if existing.delta >= 0:
            raise Conflict(
                _("The reference %(reference)s is already used by a grant.", reference=reference)
            )
        return existing
    now = utcnow()
    lots = _lots(supplier_id, now)
    if not lots:
        raise NoCredits(
            _(
                "Your credit balance is 0, so this cannot be unlocked. Buy a credit pack on the "
                "Credits page; a paid plan also adds credits every Monday."
            )
        )
    lot, _unused = lots[0]
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
    metrics.count_on_commit(metrics.CREDITS_DEBITED, 1, kind=str(kind))
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
    entry, _created = grant_once(
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


def grant_once(
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
    """The grant of `grant_credits`, and whether it is new."""
    if kind not in GRANTS:
        raise ValueError(f"{kind} is not a kind of grant")
    if not 1 <= credits <= MAX_GRANT:
        raise ValueError(f"a grant is 1 to {MAX_GRANT} credits")
    _check_reference(reference)
    lock_account(supplier_id)
    existing = entry_by_reference(supplier_id, reference)
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


def unspent_in(lot: CreditEntry) -> int:
    """The credits of one lot not yet spent (nor taken back, nor expired)."""
    return int(db.session.scalar(select(unspent()).where(CreditEntry.id == lot.id)) or 0)


def take_back(
    supplier_id: int, lot: CreditEntry, *, kind: CreditKind, reason: str, ref: str
) -> CreditEntry | None:
    """Debit what is left of one lot (under the supplier's lock); None if nothing is left."""
    left = unspent_in(lot)
    if left <= 0 or entry_by_reference(supplier_id, ref) is not None:
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
    metrics.count_on_commit(metrics.CREDITS_DEBITED, -entry.delta, kind=str(kind))
    return entry


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
        expiring=sum(left for _lot, left in expiring),
        expires_at=min((lot.expires_at for lot, _ in expiring), default=None),  # type: ignore[type-var]
    )
