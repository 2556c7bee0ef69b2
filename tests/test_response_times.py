"""Response times in public: the figures (on a moved clock), what stamps a first answer, and
where buyers read them (storefront, product page, search results)."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select, text, update

from marketplace import search_backend
from marketplace.accounts.models import SupplierProfile, User
from marketplace.audit import AuditEvent
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.services import create_product
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.leads import buyer_blocks, conversations, pipeline, response_times, tasks
from marketplace.leads.inputs import LeadChange, MessageIn
from marketplace.leads.models import Lead, LeadSource, LeadStatus, LeadType, Message
from marketplace.leads.response_times import (
    NO_FIGURES,
    ResponseFigures,
    describe,
    response_figures,
    search_rank,
)
from search.protocol import SearchRequest
from tests import factories
from tests.conftest import Shop, enquire, statements

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _profile_id(user_id: int) -> int:
    return db.session.get(User, user_id).supplier.id


def _lead(
    supplier_id: int,
    buyer_id: int,
    *,
    asked: timedelta,
    answered_after: timedelta | None = None,
    status: LeadStatus = LeadStatus.NEW,
    type: LeadType = LeadType.ENQUIRY,
    now: datetime = NOW,
) -> Lead:
    """An enquiry made `asked` before `now`, answered `answered_after` it was made (or never)."""
    created = now - asked
    lead = Lead(
        supplier_id=supplier_id,
        buyer_id=buyer_id,
        type=type,
        status=status,
        source=LeadSource.API,
        message="Please quote.",
        created_at=created,
        first_response_at=None if answered_after is None else created + answered_after,
    )
    db.session.add(lead)
    return lead


@pytest.fixture()
def seller(ctx, supplier, buyer) -> tuple[int, int]:
    return _profile_id(supplier.id), buyer.id


def _figures(supplier_id: int, now: datetime = NOW) -> ResponseFigures:
    commit()
    return response_figures([supplier_id], now=now)[supplier_id]


def test_a_supplier_without_enquiries_has_no_figures(seller):
    supplier_id, _ = seller
    assert _figures(supplier_id) == NO_FIGURES
    assert describe(NO_FIGURES) is None
    assert response_figures([]) == {}


def test_the_share_within_a_day_and_the_median_over_thirty_days(seller):
    supplier_id, buyer_id = seller
    hour, day = timedelta(hours=1), timedelta(days=1)
    _lead(supplier_id, buyer_id, asked=3 * day, answered_after=hour)
    _lead(supplier_id, buyer_id, asked=4 * day, answered_after=2 * hour)
    _lead(supplier_id, buyer_id, asked=5 * day, answered_after=30 * hour)  # after a day
    _lead(supplier_id, buyer_id, asked=6 * day)  # silence
    # Not counted: too old, not yet a day old and unanswered, a BuyLead, a blocked buyer's.
    _lead(supplier_id, buyer_id, asked=40 * day, answered_after=hour)
    _lead(supplier_id, buyer_id, asked=2 * hour)
    _lead(supplier_id, buyer_id, asked=day * 2, answered_after=hour, type=LeadType.BUYLEAD)
    _lead(supplier_id, buyer_id, asked=day * 2, status=LeadStatus.SPAM)
    figures = _figures(supplier_id)
    # Waits in order: 1 h, 2 h, 30 h, never: the median is between 2 h and 30 h.
    assert figures == ResponseFigures(
        enquiries=4, answered=3, answered_within_day=2, median_minutes=16 * 60
    )
    assert (figures.rate, figures.percent, figures.median) == (0.5, 50, 960)
    assert describe(figures) == "Replies to 50% of enquiries within 24 h · usually within 16 h"


def test_an_enquiry_of_the_last_day_counts_once_answered(seller):
    supplier_id, buyer_id = seller
    for _ in range(3):
        _lead(supplier_id, buyer_id, asked=timedelta(hours=5))
    assert _figures(supplier_id).enquiries == 0  # nothing is late yet
    _lead(supplier_id, buyer_id, asked=timedelta(hours=5), answered_after=timedelta(minutes=20))
    assert _figures(supplier_id) == ResponseFigures(1, 1, 1, 20)


def test_only_silence(seller):
    supplier_id, buyer_id = seller
    for days in (2, 3, 4):
        _lead(supplier_id, buyer_id, asked=timedelta(days=days))
    figures = _figures(supplier_id)
    assert figures == ResponseFigures(3, 0, 0, None)
    assert describe(figures) == "Replies to 0% of enquiries within 24 h"


def test_replies_after_a_day_count_in_the_median_not_the_share(seller):
    supplier_id, buyer_id = seller
    for hours in (25, 26, 50):
        _lead(supplier_id, buyer_id, asked=timedelta(days=5), answered_after=timedelta(hours=hours))
    figures = _figures(supplier_id)
    assert figures == ResponseFigures(3, 3, 0, 26 * 60)
    assert describe(figures) == "Replies to 0% of enquiries within 24 h · usually within 2 days"


def test_marked_spam_is_an_answer(seller):
    supplier_id, buyer_id = seller
    for minutes in (5, 10, 15):
        _lead(
            supplier_id,
            buyer_id,
            asked=timedelta(days=2),
            answered_after=timedelta(minutes=minutes),
            status=LeadStatus.SPAM,
        )
    figures = _figures(supplier_id)
    assert figures == ResponseFigures(3, 3, 3, 10)
    assert describe(figures) == "Replies to 100% of enquiries within 24 h · usually within an hour"


def test_too_few_enquiries_say_nothing(seller):
    supplier_id, buyer_id = seller
    for _ in range(2):
        _lead(supplier_id, buyer_id, asked=timedelta(days=2), answered_after=timedelta(hours=1))
    figures = _figures(supplier_id)
    assert figures.enquiries == 2 and not figures.known
    assert (figures.rate, figures.percent, figures.median, describe(figures)) == (
        None,
        None,
        None,
        None,
    )


def test_the_window_moves_with_the_clock(seller):
    supplier_id, buyer_id = seller
    for hours in (1, 2, 3):
        _lead(
            supplier_id, buyer_id, asked=timedelta(days=10), answered_after=timedelta(hours=hours)
        )
    assert _figures(supplier_id).enquiries == 3
    assert _figures(supplier_id, NOW + timedelta(days=21)) == NO_FIGURES  # 31 days on
    # Ten days and an hour and a half before NOW, one had been answered: the others were
    # neither answered nor a day old.
    earlier = NOW - timedelta(days=10) + timedelta(minutes=90)
    assert _figures(supplier_id, earlier) == ResponseFigures(1, 1, 1, 60)


def test_twenty_suppliers_in_one_query(ctx, buyer):
    suppliers = [_profile_id(factories.supplier().id) for _ in range(20)]
    for position, supplier_id in enumerate(suppliers):
        for _ in range(3):
            _lead(
                supplier_id,
                buyer.id,
                asked=timedelta(days=2),
                answered_after=timedelta(hours=position + 1),
            )
    commit()
    with statements() as seen:
        figures = response_figures(suppliers, now=NOW)
    assert len(seen) == 1
    assert [figures[s].median for s in suppliers] == [60 * (n + 1) for n in range(20)]


def test_search_rank_orders_known_unknown_and_silent_suppliers():
    fast = search_rank(ResponseFigures(10, 9, 9, 30))
    slow = search_rank(ResponseFigures(10, 9, 9, 600))
    slow_but_surer = search_rank(ResponseFigures(10, 10, 10, 600))
    unknown = search_rank(ResponseFigures(2, 2, 2, 5))
    silent = search_rank(ResponseFigures(10, 4, 4, None))
    assert (
        fast
        > slow_but_surer
        > slow
        > unknown
        > silent
        > search_rank(ResponseFigures(9, 0, 0, None))
    )


# --- what stamps the first answer -----------------------------------------------------------


@pytest.fixture()
def frozen(monkeypatch):
    moments = iter(NOW + timedelta(minutes=n) for n in range(1000))
    monkeypatch.setattr(response_times, "utcnow", lambda: next(moments))


def _answered_at(lead_id: int) -> datetime | None:
    db.session.expire_all()
    return db.session.get(Lead, lead_id).first_response_at


def test_the_suppliers_first_message_is_the_answer_not_the_buyers(shop: Shop, frozen):
    lead_id = enquire(shop)
    buyer, owner = db.session.get(User, shop.buyer_id), db.session.get(User, shop.supplier_id)
    conversations.post_message(buyer, lead_id, MessageIn.model_validate({"text": "Any news?"}))
    commit()
    assert _answered_at(lead_id) is None
    conversations.post_message(owner, lead_id, MessageIn.model_validate({"text": "Yes: 62/kg"}))
    commit()
    first = _answered_at(lead_id)
    assert first == NOW
    conversations.post_message(owner, lead_id, MessageIn.model_validate({"text": "And more"}))
    commit()
    assert _answered_at(lead_id) == first  # the first answer is timed, not the latest


def test_a_quotation_is_an_answer(shop: Shop, frozen):
    lead_id = enquire(shop)
    valid_until = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    quotation = {
        "quotation": {"price": "62.00", "quantity": "10", "unit": "kg", "valid_until": valid_until}
    }
    owner = db.session.get(User, shop.supplier_id)
    conversations.post_message(owner, lead_id, MessageIn.model_validate(quotation))
    commit()
    assert _answered_at(lead_id) == NOW


def test_marking_spam_or_blocking_the_buyer_is_an_answer(shop: Shop, frozen):
    owner = db.session.get(User, shop.supplier_id)
    marked = enquire(shop)
    pipeline.update_lead(owner, marked, LeadChange.model_validate({"note": "Called him"}))
    commit()
    assert _answered_at(marked) is None  # a note is no answer
    pipeline.update_lead(owner, marked, LeadChange.model_validate({"status": "spam"}))
    commit()
    assert _answered_at(marked) == NOW
    other_buyer = factories.buyer().id
    blocked = enquire(shop, other_buyer)
    buyer_blocks.block_buyer(owner, blocked)
    commit()
    assert _answered_at(blocked) == NOW + timedelta(minutes=1)
    # The blocked buyer's next enquiry is born in spam: no enquiry the supplier saw, and none
    # the figures count.
    later = enquire(Shop(shop.supplier_id, other_buyer, _second_product(shop)), other_buyer)
    assert db.session.get(Lead, later).status == LeadStatus.SPAM
    assert _answered_at(later) is None


def _second_product(shop: Shop) -> int:
    product = create_product(
        db.session.get(User, shop.supplier_id),
        ProductIn.model_validate(
            {
                "name": "SS 316 Seamless Pipe",
                "category": "stainless-steel-pipes",
                "description": "For chemical plants.",
                "price": "410.00",
                "unit": "kg",
                "moq": 1,
            }
        ),
    )
    commit()
    return product.id


# --- where buyers read them ------------------------------------------------------------------


def _answers_quickly(supplier_id: int, buyer_id: int) -> None:
    """Four enquiries of the last days: three answered within two hours, one never."""
    now = utcnow()
    for answered_after in (timedelta(minutes=30), timedelta(hours=2), timedelta(hours=1), None):
        _lead(
            supplier_id, buyer_id, asked=timedelta(days=3), answered_after=answered_after, now=now
        )
    commit()


SAID = "Replies to 75% of enquiries within 24 h · usually within 2 h"


def test_the_storefront_and_the_product_page_show_the_figures(shop: Shop, client):
    supplier_id = _profile_id(shop.supplier_id)
    storefront = client.get(f"/suppliers/{supplier_id}", follow_redirects=True).text
    product = client.get(f"/products/{shop.product_id}", follow_redirects=True).text
    assert "Replies to" not in storefront and "Replies to" not in product  # nothing to tell yet
    _answers_quickly(supplier_id, shop.buyer_id)
    storefront = client.get(f"/suppliers/{supplier_id}", follow_redirects=True).text
    product = client.get(f"/products/{shop.product_id}", follow_redirects=True).text
    assert f"{SAID} (last 30 days)" in storefront
    assert SAID in product


def test_search_results_show_each_suppliers_figures(shop: Shop, client):
    quiet = factories.supplier(company_name="Quiet Pipes")
    create_product(
        db.session.get(User, quiet.id),
        ProductIn.model_validate(
            {
                "name": "SS 304 Seamless Pipe",
                "category": "stainless-steel-pipes",
                "description": "Seamless pipe for dairy plants.",
                "price": "325.50",
                "unit": "kg",
                "moq": 1,
            }
        ),
    )
    commit()
    _answers_quickly(_profile_id(shop.supplier_id), shop.buyer_id)
    page = client.get("/search?q=seamless+pipe").text
    assert page.count('data-testid="response-times"') == 1  # the quiet one has no figures
    assert SAID in page


def test_the_demo_shows_every_kind_of_figures(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--products", "120", "--suppliers", "60"])
    assert result.exit_code == 0, result.output
    figures = response_figures(db.session.scalars(select(SupplierProfile.id))).values()
    said = [describe(one) for one in figures]
    assert any(line and "usually within" in line for line in said)  # prompt or slow
    assert any(line and "usually" not in line for line in said)  # hardly answers
    assert None in said  # too new to tell


def _migration(name: str) -> ModuleType:
    path = Path(__file__).parent.parent / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_stamps_the_answers_already_on_record(shop: Shop):
    """Leads from before the column: their first answer is the supplier's first message, or
    the audit row of marking them spam (or of blocking their buyer), whichever came first."""
    owner = db.session.get(User, shop.supplier_id)
    replied, marked = enquire(shop), enquire(shop, factories.buyer().id)
    silent = enquire(shop, factories.buyer().id)
    conversations.post_message(owner, replied, MessageIn.model_validate({"text": "62/kg"}))
    conversations.post_message(owner, replied, MessageIn.model_validate({"text": "or 60"}))
    pipeline.update_lead(owner, marked, LeadChange.model_validate({"status": "spam"}))
    commit()
    db.session.execute(update(Lead).values(first_response_at=None))  # as before the column
    messages = db.session.scalars(
        select(Message.created_at).where(Message.lead_id == replied).order_by(Message.id)
    ).all()
    marked_at = db.session.scalar(
        select(AuditEvent.occurred_at).where(AuditEvent.action == "lead.marked_spam")
    )
    migration = _migration("0024_first_response_at")
    for statement in (migration._FIRST_MESSAGE, migration._MARKED_SPAM):
        db.session.execute(text(statement))
    commit()
    assert _answered_at(replied) == messages[0]
    assert _answered_at(marked) == marked_at
    assert _answered_at(silent) is None


def test_the_daily_refresh_reindexes_suppliers_whose_figures_moved(app, shop: Shop):
    """The index holds each supplier's response rank as of its last indexing; beat's daily
    job brings it up to date for every supplier with recent enquiries."""
    quick = _profile_id(shop.supplier_id)
    steady = factories.supplier(company_name="Steady Pipes")
    create_product(
        db.session.get(User, steady.id),
        ProductIn.model_validate(
            {
                "name": "SS 304 Seamless Pipe",
                "category": "stainless-steel-pipes",
                "description": "Seamless pipe for dairy plants.",
                "price": "325.50",
                "unit": "kg",
                "moq": 1,
            }
        ),
    )
    now = utcnow()
    for supplier_id, wait in ((_profile_id(steady.id), 5), (quick, 0.5)):
        for _ in range(3):
            _lead(
                supplier_id,
                shop.buyer_id,
                asked=timedelta(days=2),
                answered_after=timedelta(hours=wait),
                now=now,
            )
    commit()

    def first_by_response() -> int:
        found = search_backend.backend().search(SearchRequest(text="seamless", sort="response"))
        return found.hits[0].document["supplier_id"]

    assert tasks.refresh_response_ranks() == 2
    assert first_by_response() == quick  # answers in half an hour, the other in five
    for lead in db.session.scalars(select(Lead).where(Lead.supplier_id == quick)):
        lead.first_response_at = None  # as if it never had answered
    commit()
    assert first_by_response() == quick  # the index still says what it said
    by_hand = app.test_cli_runner().invoke(args=["leads", "refresh-response-ranks"])
    assert "2 supplier(s) queued for re-indexing." in by_hand.output, by_hand.output
    assert first_by_response() == _profile_id(steady.id)
