"""The demo (`flask demo seed`): a catalogue over every leaf whose listings agree with
themselves, and a recent past that gives every demo role's work screens something to do."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.catalog.taxonomy import INDUSTRIES, slugify
from marketplace.catalog.trade import GST_SLABS, check_hsn
from marketplace.catalog.units import UNITS
from marketplace.credits.models import CreditOrder, Invoice, OrderStatus
from marketplace.demo import DEMO_DOMAIN, DEMO_PASSWORD, WORDS
from marketplace.demo_catalogue import Listings, supplier_industries
from marketplace.extensions import db
from marketplace.grievances.models import Breach, Grievance, Status
from marketplace.leads.models import BuyRequirement, Lead, LeadNote, LeadStatus, Message
from marketplace.privacy.models import PrivacyRequest, RequestStatus

LEAVES = {slugify(leaf.name) for industry in INDUSTRIES for leaf in industry.leaves}


def _listings(products: int, suppliers: int) -> list[dict]:
    rng = random.Random(7)
    listings = Listings(rng, datetime(2026, 12, 1, tzinfo=UTC), {s: s for s in LEAVES}, WORDS)
    plan = [(n, supplier_industries(rng, n)) for n in range(1, suppliers + 1)]
    return list(listings.rows(plan, products))


def test_the_default_demo_lists_every_leaf_of_the_tree():
    rows = _listings(3000, 75)
    assert {row["category_id"] for row in rows} == LEAVES


def test_no_storefront_shows_the_same_listing_twice():
    rows = _listings(1200, 10)  # 120 listings each: well past every supplier's own lines
    twice = Counter((row["supplier_id"], row["name"]) for row in rows)
    assert max(twice.values()) == 1


def test_listings_agree_with_themselves():
    for row in _listings(3000, 75):
        assert check_hsn(row["hsn_code"]) == row["hsn_code"]
        assert row["gst_rate"] in GST_SLABS
        assert row["unit"] in UNITS and row["price"] > 0
        slabs = row["price_slabs"]
        if slabs:
            assert slabs[0]["min_quantity"] == row["moq"]
            assert Decimal(slabs[-1]["price"]) <= row["price"]  # more bought, less paid
        spec_words = " ".join(value for _, value in row["specifications"])
        assert spec_words in row["description"] or all(
            value in row["description"] for _, value in row["specifications"]
        )


def test_every_demo_role_has_work_on_first_sign_in(app, ctx, api):
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--products", "400", "--buyers", "6"]
    )
    assert result.exit_code == 0, result.output
    owner = db.session.scalar(select(User).where(User.email == f"supplier1@{DEMO_DOMAIN}"))
    leads = db.session.scalars(select(Lead).where(Lead.supplier_id == owner.supplier.id)).all()
    assert {lead.status for lead in leads} == set(LeadStatus)  # every stage of the pipeline
    assert any(lead.follow_up_on for lead in leads)
    assert db.session.scalar(select(func.count(LeadNote.id))) >= 5
    messages = db.session.scalars(select(Message)).all()
    assert any(message.is_quotation for message in messages)
    # Credits bought (with tax invoices), one order left unpaid, and BuyLeads unlocked with them.
    orders = db.session.scalars(select(CreditOrder)).all()
    assert Counter(order.status for order in orders) == {
        OrderStatus.PAID: 2,
        OrderStatus.CREATED: 1,
    }
    assert db.session.scalar(select(func.count(Invoice.id))) == 2
    assert db.session.scalar(select(func.sum(BuyRequirement.unlocks))) >= 1
    assert any(lead.requirement_id for lead in leads)
    # The officer's desk: a complaint at each stage, one overdue, a breach, privacy requests.
    grievances = db.session.scalars(select(Grievance)).all()
    stages = {grievance.status for grievance in grievances}
    assert stages >= set(Status) - {Status.CLOSED}
    now = datetime.now(UTC)
    open_ = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_REVIEW)
    assert any(g.status in open_ and g.resolve_by < now for g in grievances)
    assert db.session.scalar(select(func.count(Breach.id))) == 1
    waiting = db.session.scalars(select(PrivacyRequest)).all()
    assert waiting and all(row.status == RequestStatus.PENDING for row in waiting)
    # The buyer the demo names first has work on each of their screens too.
    buyer1 = db.session.scalar(select(User).where(User.email == f"buyer1@{DEMO_DOMAIN}"))
    for model, column in (
        (BuyRequirement, BuyRequirement.buyer_id),
        (PrivacyRequest, PrivacyRequest.user_id),
        (Grievance, Grievance.complainant_id),
        (Lead, Lead.buyer_id),
    ):
        assert db.session.scalar(select(func.count()).where(column == buyer1.id)), model
    # And the screens show it: supplier1's lead list.
    supplier_api = api.sign_in(f"supplier1@{DEMO_DOMAIN}", DEMO_PASSWORD)
    assert supplier_api.get("/leads").get_json()["total"] >= len(set(LeadStatus))
