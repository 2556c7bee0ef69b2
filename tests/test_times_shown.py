"""Every time a person reads is India's, labelled IST, in one style ('6 Dec 2026, 8:37 AM IST');
every day reads '6 Dec 2026'; all of it comes from marketplace/formatting.py (the database keeps
UTC, the API writes ISO 8601 UTC, a spreadsheet ISO 8601 with India's offset)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import update

from marketplace import formatting
from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads.models import Lead
from tests import factories
from tests.conftest import Shop, enquire, sign_in_page

RECEIVED = datetime(2026, 12, 6, 3, 7, tzinfo=UTC)  # 8:37 am in India
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_one_clock_and_one_date_style():
    assert formatting.ist_moment(RECEIVED) == "6 Dec 2026, 8:37 AM IST"
    assert formatting.ist_time(datetime(2026, 12, 21, 11, 37, tzinfo=UTC)) == "5:07 PM IST"
    assert formatting.ist_time(datetime(2026, 12, 21, 18, 30, tzinfo=UTC)) == "12:00 AM IST"
    assert formatting.ist_date(date(2026, 12, 21)) == "21 Dec 2026"
    # late evening in UTC is already the next day in India
    assert formatting.ist_date(datetime(2026, 12, 20, 20, 0, tzinfo=UTC)) == "21 Dec 2026"
    # a deletion certificate keeps its moments as ISO text
    assert formatting.ist_date("2026-12-06T03:07:00+00:00") == "6 Dec 2026"
    assert formatting.ist_moment(None) == "—"
    assert formatting.export_moment(RECEIVED) == "2026-12-06T08:37:00+05:30"


def _text_outside_attributes(source: str) -> str:
    """A template without its attribute values (a date input needs ISO, a link's query too)."""
    return re.sub(r'="\{\{[^"]*\}\}"', '=""', re.sub(r"\{\{ url_for\([^}]*\}\}", "", source))


def test_no_template_formats_a_moment_its_own_way():
    """strftime, isoformat or a zone written by hand in a template bypass the one formatter."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.*")):
        if path.suffix not in {".html", ".txt"}:
            continue
        text = _text_outside_attributes(path.read_text(encoding="utf-8"))
        for bad in (".strftime(", ".isoformat(", "UTC", "%H:%M", "india_time", "ist_moment"):
            if bad in text:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {bad}")
    assert offenders == []


def test_a_leads_times_read_in_ist(client, shop: Shop):
    lead_id = enquire(shop)
    db.session.execute(update(Lead).where(Lead.id == lead_id).values(created_at=RECEIVED))
    commit()
    owner = db.session.get(User, shop.supplier_id)
    sign_in_page(client, factories.Registered(owner.id, owner.email, factories.PASSWORD))
    page = client.get(f"/leads/{lead_id}").text
    assert "6 Dec 2026, 8:37 AM IST" in page and "UTC" not in page and "08:37" not in page
    listing = client.get("/leads").text
    assert "6 Dec 2026, 8:37 AM IST" in listing and "03:07" not in listing
    spreadsheet = client.get("/leads/export.csv").text
    assert spreadsheet.startswith("id,received_at_ist,")
    assert "2026-12-06T08:37:00+05:30" in spreadsheet
    mine = client.get("/account/").text
    assert "member since" in mine and "UTC" not in mine


def _visible_text(html: str) -> str:
    """What a person reads of a page: no scripts (chart data), no tags, no attribute values."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", html, flags=re.S))


def test_the_pages_a_supplier_reads_show_no_utc_and_no_iso_days(app, client, shop: Shop):
    enquire(shop)
    owner = db.session.get(User, shop.supplier_id)
    sign_in_page(client, factories.Registered(owner.id, owner.email, factories.PASSWORD))
    for url in (
        "/leads",
        "/leads/dashboard",
        "/credits",
        "/account/",
        "/dashboard/products",
        "/privacy/",
        "/buyleads",
        "/grievances/mine",
        f"/suppliers/{owner.supplier.id}",
    ):
        page = client.get(url, follow_redirects=True)
        assert page.status_code == 200, url
        text = _visible_text(page.text)
        assert "UTC" not in text, url
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), (
            url,
            re.findall(r".{40}\d{4}-\d{2}-\d{2}.{10}", text),
        )


def test_the_pages_an_officer_and_a_buyer_read_show_no_utc_and_no_iso_days(app, shop: Shop):
    buyer = db.session.get(User, shop.buyer_id)
    enquire(shop)
    people = (
        (factories.staff(), ("/desk", "/desk/grievances", "/privacy/officer", "/desk/breaches")),
        (
            factories.Registered(buyer.id, buyer.email, factories.PASSWORD),
            ("/enquiries", "/privacy/"),
        ),
    )
    for person, urls in people:
        browser = app.test_client()
        sign_in_page(browser, person)
        for url in urls:
            page = browser.get(url, follow_redirects=True)
            assert page.status_code == 200, url
            text = _visible_text(page.text)
            assert "UTC" not in text and not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), url
