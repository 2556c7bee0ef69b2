"""Credits: the ledger (balance, spending order, idempotent references, never negative, also under
concurrent debits), weekly allocations (once a week, expiring at its end, with a controlled
clock), credit packs paid through the sandbox and Razorpay gateways (signed callbacks,
idempotent, forged ones refused), GST invoices (CGST + SGST or IGST, numbering per financial
year, immutable, PDF), refunds with credit notes, and the operators' command line."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.audit import AuditEvent
from marketplace.config import ConfigError, load_config
from marketplace.config_rules import validate_config
from marketplace.credits import (
    allocations,
    gateways,
    invoices,
    ledger,
    operators,
    orders,
    payments,
    queries,
    refunds,
    tasks,
)
from marketplace.credits.inputs import OrderIn, RefundIn
from marketplace.credits.models import (
    CreditEntry,
    CreditKind,
    CreditOrder,
    Invoice,
    InvoiceIsImmutable,
    InvoiceKind,
    LedgerIsAppendOnly,
    OrderStatus,
)
from marketplace.db import IST, commit
from marketplace.extensions import db
from tests import factories
from tests.conftest import Api, csrf_token, outbox, sign_in_page, statements

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=IST)  # a Monday morning in India
WEEK_ENDS = datetime(2026, 11, 29, 18, 30, tzinfo=UTC)  # the next Monday's midnight in India

KEY_ID, KEY_SECRET, WEBHOOK_SECRET = "rzp_test_1DP5mmOlF5G5ag", "key-secret-for-tests", "whsec"


def _no(serial: int, series: str = "TS") -> str:
    """A document number of this financial year (tests without a controlled clock)."""
    return invoices.document_number(series, invoices.financial_year(datetime.now(UTC)), serial)


def _supplier_id(person: factories.Registered) -> int:
    return db.session.get(User, person.id).supplier.id


def _karnataka_supplier() -> factories.Registered:
    return factories.supplier(
        gstin=factories.make_gstin("29"),
        address={
            "line1": "12 Peenya Industrial Area",
            "city": "Bengaluru",
            "state": "Karnataka",
            "pincode": "560058",
        },
    )


class Clock:
    """The rules and invoices read the time through `utcnow`: tests move it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
        self.now = now.astimezone(UTC)
        for module in (ledger, allocations, payments, refunds, invoices):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)


@pytest.fixture()
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch, MONDAY)


def _goodwill(supplier_id: int, credits: int, reference: str = "goodwill:test") -> CreditEntry:
    entry = ledger.grant_credits(
        supplier_id, credits, kind=CreditKind.GOODWILL, reason="Welcome", reference=reference
    )
    commit()
    return entry


# --- the ledger ------------------------------------------------------------------------------


def test_the_balance_is_the_sum_of_the_ledger_and_a_reference_is_spent_once(ctx, supplier):
    supplier_id = _supplier_id(supplier)
    assert ledger.balance(supplier_id) == 0
    _goodwill(supplier_id, 2)

    first = ledger.spend_credit(supplier_id, reason="Unlocked: SS pipes", reference="buylead:1")
    commit()
    again = ledger.spend_credit(supplier_id, reason="Unlocked: SS pipes", reference="buylead:1")
    commit()
    assert again.id == first.id and ledger.balance(supplier_id) == 1  # unlocking twice costs once

    ledger.spend_credit(supplier_id, reason="Unlocked: TMT bars", reference="buylead:2")
    commit()
    assert ledger.balance(supplier_id) == 0
    with pytest.raises(ledger.NoCredits) as refused:
        ledger.spend_credit(supplier_id, reason="Unlocked: cement", reference="buylead:3")
    assert refused.value.status == 409
    detail = refused.value.detail
    assert "balance is 0" in detail and "Credits page" in detail and "/api" not in detail
    db.session.rollback()

    rows = db.session.scalars(select(CreditEntry).order_by(CreditEntry.id)).all()
    assert [(row.delta, row.kind) for row in rows] == [
        (2, CreditKind.GOODWILL),
        (-1, CreditKind.UNLOCK),
        (-1, CreditKind.UNLOCK),
    ]
    assert sum(row.delta for row in rows) == ledger.balance(supplier_id) == 0
    with pytest.raises(ledger.Conflict):  # a grant's reference is not a debit's
        ledger.spend_credit(supplier_id, reason="x", reference="goodwill:test")


def test_weekly_credits_are_spent_first_and_expire_at_the_end_of_their_week(ctx, supplier, clock):
    supplier_id = _supplier_id(supplier)
    operators.set_plan(supplier.email, "silver")
    _goodwill(supplier_id, 5)  # never expires
    assert allocations.allocate_week() == 1
    commit()
    allocation = db.session.scalar(select(CreditEntry).where(CreditEntry.kind == "allocation"))
    assert (allocation.delta, allocation.week) == (10, date(2026, 11, 23))
    assert allocation.expires_at == WEEK_ENDS  # Monday 30 Nov, 00:00 in India
    assert ledger.balance(supplier_id) == 15

    for n in range(3):
        spent = ledger.spend_credit(supplier_id, reason="Unlocked", reference=f"buylead:{n}")
        assert spent.lot_id == allocation.id and spent.expires_at == WEEK_ENDS
    commit()
    summary = ledger.summary(supplier_id)
    assert (summary.balance, summary.expiring, summary.expires_at) == (12, 7, WEEK_ENDS)

    clock.set(WEEK_ENDS - timedelta(seconds=1))  # Sunday 23:59:59 in India
    assert ledger.balance(supplier_id) == 12
    clock.set(WEEK_ENDS)  # the week is over: the 7 left of it are gone, bought ones stay
    assert ledger.balance(supplier_id) == 5
    assert ledger.balance(supplier_id, at=MONDAY) == 12  # what it was

    assert allocations.record_expiries() == 1  # the ledger says where they went
    commit()
    assert allocations.record_expiries() == 0
    expiry = db.session.scalar(select(CreditEntry).where(CreditEntry.kind == "expiry"))
    assert (expiry.delta, expiry.lot_id) == (-7, allocation.id)
    assert "week of 23 Nov 2026" in expiry.reason
    assert ledger.balance(supplier_id) == 5

    assert allocations.allocate_week() == 1  # the new week's credits
    commit()
    assert ledger.balance(supplier_id) == 15
    spent = ledger.spend_credit(supplier_id, reason="Unlocked", reference="buylead:next")
    assert spent.lot_id != allocation.id and spent.expires_at == WEEK_ENDS + timedelta(days=7)


def test_the_weekly_allocation_is_granted_once_even_when_the_task_runs_twice(
    app, ctx, clock, monkeypatch
):
    silver, gold, free = factories.supplier(), factories.supplier(), factories.supplier()
    operators.set_plan(silver.email, "silver")
    operators.set_plan(gold.email, "Gold")
    commit()
    monkeypatch.setattr(allocations, "ALLOCATION_BATCH", 1)  # batches of one: the loop is tested

    tasks.allocate_weekly_credits.run()
    tasks.allocate_weekly_credits.run()
    clock.set(MONDAY + timedelta(days=3))  # later the same week
    assert tasks.run_weekly_allocation() == (0, 0)
    result = app.test_cli_runner().invoke(args=["credits", "allocate"])
    assert "0 supplier(s) got this week's credits" in result.output

    rows = db.session.execute(
        select(CreditEntry.supplier_id, func.count()).group_by(CreditEntry.supplier_id)
    ).all()
    assert sorted(count for _, count in rows) == [1, 1]
    assert ledger.balance(_supplier_id(silver)) == 10
    assert ledger.balance(_supplier_id(gold)) == 30
    assert ledger.balance(_supplier_id(free)) == 0

    # The database refuses a second row for the same supplier and week, whatever writes it.
    db.session.add(
        CreditEntry(
            supplier_id=_supplier_id(silver),
            delta=10,
            kind=CreditKind.ALLOCATION,
            reason="again",
            reference="allocation:again",
            week=date(2026, 11, 23),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def _spend_at_once(app, supplier_id: int, references: list[str]) -> list[str]:
    """Each reference spent by its own thread, in its own app context and transaction, all
    released together."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(references))

    def spend(reference: str) -> None:
        with app.app_context():
            barrier.wait()
            try:
                ledger.spend_credit(supplier_id, reason="Unlocked", reference=reference)
                commit()
                outcomes.append("spent")
            except ledger.NoCredits:
                db.session.rollback()
                outcomes.append("no credits")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=spend, args=(ref,)) for ref in references]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_debits_never_overdraw(app, ctx, supplier):
    """Eight unlocks at once against three credits: three succeed, on PostgreSQL (row lock)
    and SQLite (the write lock) alike, and the balance ends at 0, never below."""
    supplier_id = _supplier_id(supplier)
    _goodwill(supplier_id, 3)
    db.session.remove()
    outcomes = _spend_at_once(app, supplier_id, [f"buylead:{n}" for n in range(8)])
    assert sorted(outcomes) == ["no credits"] * 5 + ["spent"] * 3
    assert ledger.balance(supplier_id) == 0
    total = db.session.scalar(select(func.sum(CreditEntry.delta)))
    assert total == 0

    # The same lead unlocked six times at once costs one credit.
    _goodwill(supplier_id, 5, reference="goodwill:more")
    db.session.remove()
    outcomes = _spend_at_once(app, supplier_id, ["buylead:same"] * 6)
    assert outcomes == ["spent"] * 6  # each got the one debit back
    assert ledger.balance(supplier_id) == 4
    debits = db.session.scalar(select(func.count()).where(CreditEntry.reference == "buylead:same"))
    assert debits == 1


def test_ledger_entries_and_invoices_are_never_rewritten(ctx, supplier):
    entry = _goodwill(_supplier_id(supplier), 3)
    entry.delta = 300
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CreditEntry, entry.id))
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()

    order = _paid_order(supplier)
    invoice = queries.invoice_of(order)
    invoice.total = Decimal("1.00")
    with pytest.raises(InvoiceIsImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Invoice, invoice.id))
    with pytest.raises(InvoiceIsImmutable):
        db.session.flush()
    db.session.rollback()


# --- GST -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state_code, price, cgst, sgst, igst, total",
    [
        ("27", "999.00", "89.91", "89.91", "0.00", "1178.82"),  # Maharashtra, as the portal
        ("29", "999.00", "0.00", "0.00", "179.82", "1178.82"),  # Karnataka
        ("27", "3999.00", "359.91", "359.91", "0.00", "4718.82"),
        ("07", "12999.00", "0.00", "0.00", "2339.82", "15338.82"),  # Delhi
        # each tax rounded to the paisa, half up: 9% of 999.50 is 89.955
        ("27", "999.50", "89.96", "89.96", "0.00", "1179.42"),
        ("33", "999.50", "0.00", "0.00", "179.91", "1179.41"),
    ],
)
def test_cgst_and_sgst_in_the_portals_state_igst_elsewhere(
    ctx, state_code, price, cgst, sgst, igst, total
):
    split = invoices.tax_split(Decimal(price), factories.make_gstin(state_code))
    assert (split.cgst, split.sgst, split.igst, split.total) == tuple(
        Decimal(v) for v in (cgst, sgst, igst, total)
    )
    assert split.intra_state == (state_code == "27")


def test_a_states_older_gst_code_is_the_same_state(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "PORTAL_GSTIN", factories.make_gstin("37"))  # Andhra Pradesh
    assert invoices.tax_split(Decimal("100"), factories.make_gstin("28")).intra_state


def test_invoice_numbers_are_per_financial_year_and_at_most_16_characters(ctx):
    assert invoices.financial_year(datetime(2027, 3, 31, 18, 29, 59, tzinfo=UTC)) == "2026-27"
    assert (
        invoices.financial_year(datetime(2027, 3, 31, 18, 30, tzinfo=UTC)) == "2027-28"
    )  # 1 Apr, IST
    assert invoices.document_number("TS", "2026-27", 123) == "TS/26-27/000123"
    assert len(invoices.document_number("TS", "2099-00", 9_999_999)) == 16
    with pytest.raises(RuntimeError):
        invoices.document_number("TS", "2026-27", 10_000_000)


def test_each_financial_year_numbers_from_one(ctx, supplier, clock):
    clock.set(datetime(2027, 3, 31, 23, 0, tzinfo=IST))
    march = [queries.invoice_of(_paid_order(supplier)).number for _ in range(2)]
    clock.set(datetime(2027, 4, 1, 0, 30, tzinfo=IST))
    april = queries.invoice_of(_paid_order(supplier)).number
    assert march == ["TS/26-27/000001", "TS/26-27/000002"]
    assert april == "TS/27-28/000001"


def test_concurrent_payments_never_share_an_invoice_number(app, ctx):
    people = [factories.supplier() for _ in range(5)]
    order_ids = [_order(person).id for person in people]
    db.session.remove()
    barrier = threading.Barrier(len(order_ids))
    errors: list[BaseException] = []

    def pay(order_id: int) -> None:
        with app.app_context():
            try:
                order = db.session.get(CreditOrder, order_id)
                body, headers = _sandbox().simulate(order, pay=True)
                barrier.wait()
                payments.receive_callback("sandbox", body, headers)
                commit()
            except BaseException as error:  # reported below, with the thread's context
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay, args=(order_id,)) for order_id in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = db.session.scalars(select(Invoice.number).order_by(Invoice.serial)).all()
    assert numbers == [_no(n) for n in range(1, 6)]  # no gap, no repeat


# --- orders and the sandbox gateway ----------------------------------------------------------


def _sandbox() -> gateways.SandboxGateway:
    return gateways.SandboxGateway(gateways.sandbox_secret())


def _order(person: factories.Registered, pack: str = "credits-10") -> CreditOrder:
    user = db.session.get(User, person.id)
    order, _ = orders.create_order(user, OrderIn.model_validate({"pack": pack}))
    commit()
    return order


def _paid_order(person: factories.Registered, pack: str = "credits-10") -> CreditOrder:
    order = _order(person, pack)
    body, headers = _sandbox().simulate(order, pay=True)
    result = payments.receive_callback("sandbox", body, headers)
    commit()
    assert result.result == "granted"
    return result.order


def _webhook(api: Api, body: bytes, headers: dict[str, str], gateway: str = "sandbox"):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1/payments/{gateway}/webhook",
        data=body,
        headers={"Content-Type": "application/json", **headers},
    )


def test_packs_are_public_and_an_order_is_priced_with_gst(api, supplier_api):
    packs = api.get("/credit-packs")
    assert packs.get_json() == [
        {"id": "credits-10", "credits": 10, "price": "999.00"},
        {"id": "credits-50", "credits": 50, "price": "3999.00"},
        {"id": "credits-200", "credits": 200, "price": "12999.00"},
    ]
    created = supplier_api.post("/orders", {"pack": "credits-50"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert {k: body[k] for k in ("status", "taxable_value", "cgst", "sgst", "igst", "total")} == {
        "status": "created",
        "taxable_value": "3999.00",
        "cgst": "359.91",
        "sgst": "359.91",
        "igst": "0.00",
        "total": "4718.82",
    }
    assert body["gateway"] == "sandbox"
    assert body["checkout"]["url"].endswith(f"/payments/sandbox/checkout/{body['id']}")

    refused = supplier_api.post("/orders", {"pack": "credits-7", "coupon": "FREE"})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"pack", "coupon"}
    assert "credits-10, credits-50, credits-200" in refused.get_json()["errors"]["pack"][0]


def test_a_captured_payment_grants_once_however_often_the_callback_arrives(
    app, ctx, api, supplier, supplier_api
):
    order_id = supplier_api.post("/orders", {"pack": "credits-10"}).get_json()["id"]
    order = db.session.get(CreditOrder, order_id)
    body, headers = _sandbox().simulate(order, pay=True)

    first = _webhook(api, body, headers)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {
        "result": "granted",
        "order_id": order_id,
        "invoice": _no(1),
    }
    for _ in range(3):  # the gateway retries; a proxy replays
        again = _webhook(api, body, headers)
        assert again.get_json()["result"] == "already_granted"

    credits = supplier_api.get("/credits").get_json()
    assert credits["balance"] == 10 and credits["plan"] == "free"
    assert credits["weekly_allocation"] == 0
    assert [(e["delta"], e["reason"], e["expires_at"]) for e in credits["ledger"]] == [
        (10, f"Bought 10 credits (order #{order_id})", None)
    ]
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 1
    mails = [mail for mail in outbox(app) if "Payment received" in mail]
    assert len(mails) == 1 and _no(1) in mails[0]

    listed = supplier_api.get("/orders").get_json()
    assert listed["total"] == 1
    paid = listed["items"][0]
    assert paid["status"] == "paid" and paid["checkout"] is None and paid["invoice_id"]
    assert supplier_api.get(f"/orders/{order_id}").get_json() == paid


def test_concurrent_deliveries_of_one_payment_grant_once(app, ctx, supplier):
    order = _order(supplier)
    body, headers = _sandbox().simulate(order, pay=True)
    db.session.remove()
    results: list[str] = []
    barrier = threading.Barrier(5)

    def deliver() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/payments/sandbox/webhook",
            data=body,
            headers={"Content-Type": "application/json", **headers},
        )
        results.append(response.get_json()["result"])

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["already_granted"] * 4 + ["granted"]
    assert ledger.balance(_supplier_id(supplier)) == 10
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 1


def _tampered(body: bytes, **payment: Any) -> bytes:
    document = json.loads(body)
    document["payload"]["payment"]["entity"].update(payment)
    return json.dumps(document).encode()


def test_forged_or_unsigned_callbacks_are_refused_and_grant_nothing(ctx, api, supplier):
    order = _order(supplier)
    body, headers = _sandbox().simulate(order, pay=True)
    signature = headers["X-Sandbox-Signature"]
    wrong_key = hmac.new(b"not the secret", body, hashlib.sha256).hexdigest()
    forgeries = [
        ("unsigned", body, {}),
        ("empty signature", body, {"X-Sandbox-Signature": ""}),
        ("made-up signature", body, {"X-Sandbox-Signature": "0" * 64}),
        ("another key", body, {"X-Sandbox-Signature": wrong_key}),
        ("not hex", body, {"X-Sandbox-Signature": "ज़" * 8}),
        ("tampered body", _tampered(body, amount=100), {"X-Sandbox-Signature": signature}),
    ]
    for name, forged_body, forged_headers in forgeries:
        response = _webhook(api, forged_body, forged_headers)
        assert response.status_code == 400, name
        assert response.mimetype == "application/problem+json"
        assert "signature" in response.get_json()["detail"], name
    # another gateway's endpoint is not listened to while the sandbox is in use
    assert _webhook(api, body, headers, gateway="razorpay").status_code == 404

    db.session.expire_all()
    assert db.session.get(CreditOrder, order.id).status == OrderStatus.CREATED
    assert ledger.balance(_supplier_id(supplier)) == 0
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_a_signed_callback_for_the_wrong_amount_grants_nothing(ctx, api, supplier):
    order = _order(supplier)
    body, _ = _sandbox().simulate(order, pay=True)
    cheap = _tampered(body, amount=100)
    response = _webhook(api, cheap, {"X-Sandbox-Signature": _sandbox().sign(cheap)})
    assert response.status_code == 422
    assert ledger.balance(_supplier_id(supplier)) == 0

    other = _tampered(body, order_id="order_sbxnotours")
    ignored = _webhook(api, other, {"X-Sandbox-Signature": _sandbox().sign(other)})
    assert ignored.get_json() == {"result": "ignored", "order_id": None, "invoice": None}


def test_a_failed_payment_grants_nothing_and_a_later_one_pays(ctx, api, supplier):
    order = _order(supplier)
    failed_body, failed_headers = _sandbox().simulate(order, pay=False)
    failed = _webhook(api, failed_body, failed_headers)
    assert failed.get_json()["result"] == "payment_failed"
    db.session.expire_all()
    assert db.session.get(CreditOrder, order.id).status == OrderStatus.FAILED
    assert ledger.balance(_supplier_id(supplier)) == 0

    paid_body, paid_headers = _sandbox().simulate(order, pay=True)
    assert _webhook(api, paid_body, paid_headers).get_json()["result"] == "granted"
    late_failure = _webhook(api, failed_body, failed_headers)  # out of order: stays paid
    assert late_failure.get_json()["result"] == "payment_failed"
    db.session.expire_all()
    assert db.session.get(CreditOrder, order.id).status == OrderStatus.PAID
    assert ledger.balance(_supplier_id(supplier)) == 10


# --- invoices --------------------------------------------------------------------------------


def test_the_invoice_has_what_gst_requires(app, ctx, api, supplier_api, supplier):
    order = _paid_order(supplier, "credits-50")
    listed = supplier_api.get("/invoices").get_json()
    assert listed["total"] == 1
    invoice = supplier_api.get(f"/invoices/{listed['items'][0]['id']}").get_json()
    assert invoice == listed["items"][0]
    profile = db.session.get(User, supplier.id).supplier
    assert invoice["number"] == _no(1) and len(invoice["number"]) <= 16
    assert invoice["kind"] == "invoice" and invoice["order_id"] == order.id
    assert invoice["seller"] == {
        "name": "TradeSetu Marketplace Private Limited",
        "gstin": "27AAJCT4821K1Z0",
        "address": app.config["PORTAL_ADDRESS"],
        "state": "Maharashtra",
        "state_code": "27",
    }
    assert invoice["recipient"]["gstin"] == profile.gstin
    assert invoice["recipient"]["name"] == profile.company_name
    assert "Pune 411026" in invoice["recipient"]["address"]
    assert invoice["place_of_supply"] == {"state": "Maharashtra", "state_code": "27"}
    assert invoice["sac"] == "998365" and invoice["reverse_charge"] is False
    assert (invoice["taxable_value"], invoice["cgst"], invoice["sgst"], invoice["igst"]) == (
        "3999.00",
        "359.91",
        "359.91",
        "0.00",
    )
    assert (invoice["cgst_rate"], invoice["sgst_rate"], invoice["total"]) == (
        "9.00",
        "9.00",
        "4718.82",
    )

    pdf = supplier_api.get(f"/invoices/{invoice['id']}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert f"Tax invoice {_no(1)}".encode() in pdf.data  # the document's title
    assert f'filename="{_no(1).replace("/", "-")}.pdf"' in pdf.headers["Content-Disposition"]
    assert supplier_api.get(f"/invoices/{invoice['id']}.pdf").data == pdf.data  # reproducible

    # another supplier, or a buyer, cannot see it
    stranger = api.sign_in(factories.supplier().email)
    assert stranger.get(f"/invoices/{invoice['id']}").status_code == 404
    assert stranger.get(f"/invoices/{invoice['id']}.pdf").status_code == 404
    buyer = api.sign_in(factories.buyer().email)
    assert buyer.get(f"/invoices/{invoice['id']}").status_code == 403
    assert buyer.get("/credits").status_code == 403
    admin = api.sign_in(factories.staff("admin").email)
    assert admin.get(f"/invoices/{invoice['id']}").status_code == 200


def test_a_supplier_in_another_state_is_charged_igst(ctx, api):
    person = _karnataka_supplier()
    order = _paid_order(person)
    invoice = queries.invoice_of(order)
    assert (order.cgst, order.sgst, order.igst, order.total) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("179.82"),
        Decimal("1178.82"),
    )
    assert (invoice.place_of_supply, invoice.place_of_supply_code) == ("Karnataka", "29")
    assert (invoice.igst_rate, invoice.cgst_rate) == (Decimal("18"), Decimal("0"))
    owner = api.sign_in(person.email)
    assert owner.get(f"/invoices/{invoice.id}.pdf").data.startswith(b"%PDF-")


def test_the_invoice_keeps_the_place_of_supply_the_order_was_priced_for(ctx, api):
    """An order priced for a Karnataka registration, paid after the supplier moved its GSTIN to
    the portal's state (Maharashtra), is invoiced as priced: to the Karnataka GSTIN, place of
    supply Karnataka, IGST; never a Maharashtra place of supply charging IGST."""
    person = _karnataka_supplier()
    order = _order(person)
    priced_for = order.recipient_gstin
    profile = db.session.get(User, person.id).supplier
    profile.gstin = factories.make_gstin("27")
    commit()
    body, headers = _sandbox().simulate(order, pay=True)
    assert payments.receive_callback("sandbox", body, headers).result == "granted"
    commit()
    invoice = queries.invoice_of(order)
    assert (invoice.recipient_gstin, invoice.recipient_state_code) == (priced_for, "29")
    assert (invoice.place_of_supply, invoice.place_of_supply_code) == ("Karnataka", "29")
    assert (invoice.igst, invoice.cgst, invoice.total) == (order.igst, order.cgst, order.total)
    assert invoice.igst > 0 and invoice.cgst == 0
    assert _order(person).cgst > 0  # a new order is priced for the new registration


def test_invoice_page_and_pdf_in_the_browser_session(ctx, client, supplier):
    invoice = queries.invoice_of(_paid_order(supplier))
    sign_in_page(client, supplier)
    page = client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    for text in ("Tax invoice", invoice.number, "27AAJCT4821K1Z0", "998365", "CGST", "₹89.91"):
        assert text in page
    assert "IGST" not in page
    pdf = client.get(f"/invoices/{invoice.id}.pdf")
    assert pdf.mimetype == "application/pdf"


# --- refunds ---------------------------------------------------------------------------------


def test_order_lists_ask_the_same_queries_for_two_orders_as_for_five(
    ctx, client, supplier, supplier_api
):
    """Each order's invoice (and, for admins, its supplier) comes with the page: no query per
    row."""
    sign_in_page(client, factories.staff("admin"))
    counts = []
    for paid, others in ((2, 0), (3, 2)):  # then five orders, and two from other suppliers
        for _ in range(paid):
            _paid_order(supplier)
        for _ in range(others):
            _paid_order(factories.supplier())
        supplier_api.get("/orders")  # the key's coarse last-used time is written once, here
        db.session.remove()
        with statements() as api_queries:
            listed = supplier_api.get("/orders").get_json()["items"]
        with statements() as page_queries:
            page = client.get("/admin/credit-orders").get_data(as_text=True)
        assert all(item["invoice_id"] for item in listed)
        assert page.count('href="/invoices/') == len(listed) + others
        counts.append((len(listed), len(api_queries), len(page_queries)))
    (two, api_two, page_two), (five, api_five, page_five) = counts
    assert (two, five) == (2, 5)
    assert (api_five, page_five) == (api_two, page_two), counts


def test_an_admin_refunds_an_order_with_a_credit_note(app, ctx, client, supplier):
    order = _paid_order(supplier)
    supplier_id = _supplier_id(supplier)
    for n in range(3):
        ledger.spend_credit(supplier_id, reason="Unlocked", reference=f"buylead:{n}")
    commit()
    admin = factories.staff("admin")

    other = app.test_client()
    token = sign_in_page(other, supplier)
    denied = other.post(f"/admin/credit-orders/{order.id}/refund", data={"csrf_token": token})
    assert denied.status_code == 403

    token = sign_in_page(client, admin)
    listing = client.get("/admin/credit-orders").get_data(as_text=True)
    assert f"order-{order.id}" in listing and "Refund" in listing
    asked = {"csrf_token": token, "reason": "Charged twice by the bank"}
    # First the facts (a refund cannot be undone), and nothing moves yet.
    facts = client.post(f"/admin/credit-orders/{order.id}/refund", data=asked)
    assert facts.status_code == 200 and "Refund order #" in facts.text
    assert "7 unspent credits taken back" in facts.text and "3 already spent" in facts.text
    assert "₹825.18" in facts.text and ledger.balance(supplier_id) == 7
    done = client.post(
        f"/admin/credit-orders/{order.id}/refund",
        data={**asked, "confirmed": "yes"},
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert (
        f"7 unspent credits taken back, ₹825.18 returned, credit note {_no(1, 'CN')} issued" in page
    )

    db.session.expire_all()
    refunded = db.session.get(CreditOrder, order.id)
    assert refunded.status == OrderStatus.REFUNDED and refunded.refund_id.startswith("rfnd_sbx")
    assert ledger.balance(supplier_id) == 0  # the 3 spent stay spent; never below zero
    note = db.session.scalar(select(Invoice).where(Invoice.kind == InvoiceKind.CREDIT_NOTE))
    assert note.number == _no(1, "CN") and note.original.number == _no(1)
    # 7 of 10 credits unspent: 699.30 taxable (7/10 of 999.00), CGST and SGST 62.94 each.
    assert (note.credits, note.taxable_value, note.cgst, note.sgst, note.total) == (
        7,
        Decimal("699.30"),
        Decimal("62.94"),
        Decimal("62.94"),
        Decimal("825.18"),
    )
    assert refunded.refund_amount == note.total and note.reason == "Charged twice by the bank"
    taken = db.session.scalar(select(CreditEntry).where(CreditEntry.kind == "refund"))
    assert taken.delta == -7
    assert any(f"credit note {_no(1, 'CN')}" in mail for mail in outbox(app))
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "credits.order_refunded")
    )
    assert event.actor_id == admin.id and event.details["credits_taken"] == 7

    again = client.post(
        f"/admin/credit-orders/{order.id}/refund",
        data={"csrf_token": token, "reason": "Again"},
        follow_redirects=True,
    )
    assert "Only a paid order can be refunded" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 2


def test_an_order_whose_credits_are_all_spent_has_nothing_to_refund(app, ctx, client, supplier):
    order = _paid_order(supplier)
    supplier_id = _supplier_id(supplier)
    for n in range(order.credits):
        ledger.spend_credit(supplier_id, reason="Unlocked", reference=f"buylead:{n}")
    commit()
    token = sign_in_page(client, factories.staff("admin"))
    refused = client.post(
        f"/admin/credit-orders/{order.id}/refund",
        data={"csrf_token": token, "reason": "Asked for the money back"},
        follow_redirects=True,
    )
    assert "All 10 credits of order" in refused.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(CreditOrder, order.id)
    assert kept.status == OrderStatus.PAID and kept.refund_amount is None
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 1  # no credit note


# --- Razorpay (never its network: HMACs computed here, the SDK's HTTP calls faked) ------------


class FakeRazorpay:
    """Stands in for api.razorpay.com at requests' boundary; records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any, Any]] = []
        self.payment_status = "authorized"
        self.down = False

    def __call__(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
        # patched onto requests.Session as an object, not a function: called without the session
        assert url.startswith("https://api.razorpay.com/v1/"), url
        assert kwargs.get("timeout"), "every call to the gateway has a timeout"
        if self.down:
            raise requests.ConnectionError("no route to host")
        body = json.loads(kwargs["data"]) if kwargs.get("data") else None
        path = url.removeprefix("https://api.razorpay.com/v1")
        self.calls.append((method.upper(), path, kwargs["auth"], body))
        if path == "/orders":
            answer = {"id": "order_RZP000000001", "entity": "order", **body, "status": "created"}
        elif path.endswith("/capture"):
            answer = {"id": path.split("/")[2], "status": "captured", **body}
        elif path.endswith("/refund"):
            answer = {"id": "rfnd_RZP000000001", "entity": "refund", **body}
        else:  # fetch a payment
            answer = {
                "id": path.split("/")[2],
                "status": self.payment_status,
                "amount": 117882,
                "currency": "INR",
                "order_id": "order_RZP000000001",
            }
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(answer).encode()
        response.headers["Content-Type"] = "application/json"
        return response


@pytest.fixture()
def razorpay(ctx, monkeypatch) -> FakeRazorpay:
    for name, value in (
        ("PAYMENT_GATEWAY", "razorpay"),
        ("RAZORPAY_KEY_ID", KEY_ID),
        ("RAZORPAY_KEY_SECRET", KEY_SECRET),
        ("RAZORPAY_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ):
        monkeypatch.setitem(ctx.config, name, value)
    fake = FakeRazorpay()
    monkeypatch.setattr(requests.Session, "request", fake)
    return fake


def _razorpay_event(
    event: str, amount: int = 117882, payment_id: str = "pay_RZP000000001"
) -> bytes:
    return json.dumps(
        {
            "entity": "event",
            "account_id": "acc_BFQ7uQEaa7j2z7",
            "event": event,
            "contains": ["payment"],
            "payload": {
                "payment": {
                    "entity": {
                        "id": payment_id,
                        "entity": "payment",
                        "amount": amount,
                        "currency": "INR",
                        "status": "captured" if event == "payment.captured" else "failed",
                        "order_id": "order_RZP000000001",
                        "method": "upi",
                    }
                }
            },
            "created_at": 1795000000,
        }
    ).encode()


def _razorpay_signature(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {"X-Razorpay-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def test_razorpay_orders_are_created_server_side(razorpay, supplier_api):
    created = supplier_api.post("/orders", {"pack": "credits-10"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["gateway"] == "razorpay"
    assert {k: v for k, v in body["checkout"].items() if k != "url"} == {
        "key_id": KEY_ID,
        "order_id": "order_RZP000000001",
        "amount": 117882,
        "currency": "INR",
    }
    assert body["checkout"]["url"].endswith(f"/payments/razorpay/checkout/{body['id']}")
    method, path, auth, sent = razorpay.calls[0]
    assert (method, path, auth) == ("POST", "/orders", (KEY_ID, KEY_SECRET))
    assert sent == {
        "amount": 117882,
        "currency": "INR",
        "receipt": f"tradesetu-order-{body['id']}",
        "notes": {"order": str(body["id"]), "pack": "credits-10"},
    }


def test_razorpay_down_is_a_503_and_nothing_is_stored(ctx, razorpay, supplier_api):
    razorpay.down = True
    refused = supplier_api.post("/orders", {"pack": "credits-10"})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert db.session.scalar(select(func.count()).select_from(CreditOrder)) == 0


def test_the_razorpay_webhook_is_verified_and_handled_once(
    ctx, razorpay, api, supplier, supplier_api
):
    order_id = supplier_api.post("/orders", {"pack": "credits-10"}).get_json()["id"]
    captured = _razorpay_event("payment.captured")

    forged = _razorpay_signature(captured, secret="guessed")
    assert _webhook(api, captured, forged, gateway="razorpay").status_code == 400
    assert _webhook(api, captured, {}, gateway="razorpay").status_code == 400
    assert _webhook(api, captured, _razorpay_signature(captured), "sandbox").status_code == 404
    assert ledger.balance(_supplier_id(supplier)) == 0

    signed = _razorpay_signature(captured)
    first = _webhook(api, captured, signed, gateway="razorpay")
    assert first.get_json() == {
        "result": "granted",
        "order_id": order_id,
        "invoice": _no(1),
    }
    assert (
        _webhook(api, captured, signed, gateway="razorpay").get_json()["result"]
        == "already_granted"
    )
    other = _razorpay_event("payment.authorized")
    ignored = _webhook(api, other, _razorpay_signature(other), gateway="razorpay")
    assert ignored.get_json()["result"] == "ignored"
    assert ledger.balance(_supplier_id(supplier)) == 10

    # a second, different payment for the paid order grants nothing and is recorded
    double = _razorpay_event("payment.captured", payment_id="pay_RZP000000002")
    assert _webhook(api, double, _razorpay_signature(double), "razorpay").get_json()["result"] == (
        "already_granted"
    )
    assert ledger.balance(_supplier_id(supplier)) == 10
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "credits.extra_payment"))
        == 1
    )


def test_razorpay_checkout_signature_then_capture(
    app, ctx, razorpay, client, supplier, supplier_api
):
    order_id = supplier_api.post("/orders", {"pack": "credits-10"}).get_json()["id"]
    token = sign_in_page(client, supplier)
    page = client.get(f"/payments/razorpay/checkout/{order_id}")
    assert page.status_code == 200
    assert "https://checkout.razorpay.com" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert f'data-key="{KEY_ID}"' in html and 'data-order-id="order_RZP000000001"' in html

    payment = "pay_RZP000000009"
    good = hmac.new(
        KEY_SECRET.encode(), f"order_RZP000000001|{payment}".encode(), hashlib.sha256
    ).hexdigest()
    forged = client.post(
        f"/payments/razorpay/callback/{order_id}",
        data={
            "csrf_token": token,
            "razorpay_order_id": "order_RZP000000001",
            "razorpay_payment_id": payment,
            "razorpay_signature": "f" * 64,
        },
    )
    assert forged.status_code == 400
    assert ledger.balance(_supplier_id(supplier)) == 0
    asked = len(razorpay.calls)
    elsewhere = client.post(  # a good signature, for another order: refused before any fetch
        f"/payments/razorpay/callback/{order_id}",
        data={
            "csrf_token": token,
            "razorpay_order_id": "order_RZP000000002",
            "razorpay_payment_id": payment,
            "razorpay_signature": hmac.new(
                KEY_SECRET.encode(), f"order_RZP000000002|{payment}".encode(), hashlib.sha256
            ).hexdigest(),
        },
    )
    assert elsewhere.status_code == 400 and len(razorpay.calls) == asked

    answer = {
        "csrf_token": token,
        "razorpay_order_id": "order_RZP000000001",
        "razorpay_payment_id": payment,
        "razorpay_signature": good,
    }
    paid = client.post(f"/payments/razorpay/callback/{order_id}", data=answer)
    assert paid.status_code == 302 and "/invoices/" in paid.headers["Location"]
    assert [(m, p) for m, p, _, _ in razorpay.calls[1:]] == [
        ("GET", f"/payments/{payment}"),
        ("POST", f"/payments/{payment}/capture"),
    ]
    assert razorpay.calls[-1][3] == {"amount": 117882, "currency": "INR"}
    assert ledger.balance(_supplier_id(supplier)) == 10
    calls = len(razorpay.calls)
    # The browser sends the same answer again: Razorpay is not asked a second time.
    reloaded = client.post(f"/payments/razorpay/callback/{order_id}", data=answer)
    assert reloaded.status_code == 302 and reloaded.headers["Location"] == paid.headers["Location"]
    assert len(razorpay.calls) == calls and ledger.balance(_supplier_id(supplier)) == 10

    # the webhook for the same payment, arriving afterwards, grants nothing more
    late = _razorpay_event("payment.captured", payment_id=payment)
    assert (
        _webhook(Api(app.test_client()), late, _razorpay_signature(late), "razorpay").get_json()[
            "result"
        ]
        == "already_granted"
    )
    assert ledger.balance(_supplier_id(supplier)) == 10

    # and a refund goes back through Razorpay
    admin = factories.staff("admin")
    refunds.refund_order(
        db.session.get(User, admin.id), order_id, RefundIn.model_validate({"reason": "Test refund"})
    )
    commit()
    assert razorpay.calls[-1][:2] == ("POST", f"/payments/{payment}/refund")
    assert razorpay.calls[-1][3]["amount"] == 117882


# --- pages -----------------------------------------------------------------------------------


def test_a_supplier_buys_credits_through_the_sandbox_pages(app, ctx, client, supplier):
    token = sign_in_page(client, supplier)
    overview = client.get("/credits").get_data(as_text=True)
    assert "Buy 50 credits" in overview and "₹3,999.00" in overview
    bought = client.post("/credits/orders", data={"csrf_token": token, "pack": "credits-50"})
    assert bought.status_code == 302
    checkout = bought.headers["Location"]
    assert "/payments/sandbox/checkout/" in checkout
    page = client.get(checkout).get_data(as_text=True)
    assert "Pay ₹4,718.82" in page and "no money moves" in page

    failed = client.post(
        checkout, data={"csrf_token": csrf_token(page), "outcome": "fail"}, follow_redirects=True
    )
    assert "The payment failed" in failed.get_data(as_text=True)
    paid = client.post(
        checkout, data={"csrf_token": csrf_token(page), "outcome": "pay"}, follow_redirects=True
    )
    html = paid.get_data(as_text=True)
    assert "Payment received: 50 credits" in html and _no(1) in html
    again = client.get(checkout, follow_redirects=True)  # nothing left to pay
    assert "already paid" in again.get_data(as_text=True)
    overview = client.get("/credits").get_data(as_text=True)
    assert 'id="credit-balance">50<' in overview and _no(1) in overview
    assert client.post("/credits/orders", data={"pack": "credits-50"}).status_code == 400  # CSRF


def test_buyers_and_officers_have_no_credits_page(ctx, client, buyer):
    sign_in_page(client, buyer)
    assert client.get("/credits").status_code == 403
    assert client.get("/admin/credit-orders").status_code == 403


# --- operators -------------------------------------------------------------------------------


def test_goodwill_credits_from_the_command_line_are_audited(app, ctx, supplier):
    runner = app.test_cli_runner()
    args = ["credits", "grant", "--email", supplier.email, "--credits", "5"]
    result = runner.invoke(args=[*args, "--reason", "Sorry for Tuesday's outage"])
    assert result.exit_code == 0, result.output
    assert "Granted 5 credit(s)" in result.output and "Balance now 5" in result.output
    entry = db.session.scalar(select(CreditEntry))
    assert (entry.kind, entry.expires_at, entry.reason) == (
        CreditKind.GOODWILL,
        None,
        "Sorry for Tuesday's outage",
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "credits.goodwill_granted")
    )
    assert event.details == {
        "credits": 5,
        "reason": "Sorry for Tuesday's outage",
        "entry_id": entry.id,
    }

    refused = runner.invoke(args=[*args[:-1], "0", "--reason", "x"])
    assert refused.exit_code != 0
    assert "credits: must be between 1 and 10000" in refused.output
    assert "reason: must be at least 3 characters" in refused.output
    unknown = runner.invoke(
        args=["credits", "grant", "--email", "no@x.in", "--credits", "1", "--reason", "Why not"]
    )
    assert unknown.exit_code != 0 and "No account has the email" in unknown.output

    moved = runner.invoke(args=["credits", "set-plan", "--email", supplier.email, "--plan", "gold"])
    assert "Gold plan (30 credits a week)" in moved.output
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "credits.plan_changed"))
        == 1
    )


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("CREDIT_PLANS", "Free:0,Silver", "NAME:NUMBER"),
        ("CREDIT_PLANS", "Free:0,Free:10", "same name"),
        ("CREDIT_PACKS", "10:abc", "rupees"),
        ("CREDIT_PACKS", "10:99.999", "paise"),
        ("PAYMENT_GATEWAY", "paypal", "sandbox, razorpay"),
        ("GST_SAC", "12345", "6-digit"),
    ],
)
def test_bad_credit_settings_stop_the_start(tmp_path, variable, value, message):
    with pytest.raises(ConfigError, match=message):
        load_config({variable: value}, str(tmp_path))


def test_razorpay_needs_its_keys_and_the_portal_a_valid_gstin(tmp_path):
    config = load_config(
        {"PAYMENT_GATEWAY": "razorpay", "PORTAL_GSTIN": "27AAJCT4821K1Z1"}, str(tmp_path)
    )
    with pytest.raises(ConfigError) as refused:
        validate_config(config)
    assert "needs RAZORPAY_KEY_ID" in str(refused.value)
    assert "PORTAL_GSTIN is not a valid GSTIN" in str(refused.value)
    plans = load_config({"CREDIT_PLANS": "Basic:0, Pro Max:25"}, str(tmp_path))["CREDIT_PLANS"]
    assert [(p.id, p.name, p.weekly_credits) for p in plans] == [
        ("basic", "Basic", 0),
        ("pro-max", "Pro Max", 25),
    ]
