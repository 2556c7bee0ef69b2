"""A supplier reads every time of a lead in India's time, labelled IST (the database keeps UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads.models import Lead
from tests import factories
from tests.conftest import Shop, enquire, sign_in_page

RECEIVED = datetime(2026, 12, 6, 3, 7, tzinfo=UTC)  # 08:37 in India


def test_a_leads_times_read_in_ist(client, shop: Shop):
    lead_id = enquire(shop)
    db.session.execute(update(Lead).where(Lead.id == lead_id).values(created_at=RECEIVED))
    commit()
    owner = db.session.get(User, shop.supplier_id)
    sign_in_page(client, factories.Registered(owner.id, owner.email, factories.PASSWORD))
    page = client.get(f"/leads/{lead_id}").text
    assert "06 Dec 2026, 08:37 IST" in page and "UTC" not in page
    listing = client.get("/leads").text
    assert "06 Dec, 08:37 IST" in listing and "03:07" not in listing
