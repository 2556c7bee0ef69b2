"""The smaller points of issue 24: the invoice's rate, links where a person expects one (the
guest's terms, a complaint's product) and none where it would 404 (a hidden listing), and no
"Report this review" for the review's own author."""

from __future__ import annotations

from decimal import Decimal

from fpdf.table import Row

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.credits import invoices, queries
from marketplace.db import commit, utcnow
from marketplace.extensions import db
from marketplace.formatting import rupees
from tests import factories
from tests.conftest import sign_in_page
from tests.test_credits import _paid_order
from tests.test_grievances import COMPLAINT
from tests.test_reviews import _reviews_url
from tests.test_reviews import rater as rater  # a fixture


def test_the_invoice_states_the_rate_of_one_credit_on_the_page_and_in_the_pdf(
    ctx, client, supplier, monkeypatch
):
    invoice = queries.invoice_of(_paid_order(supplier))
    rate = invoices.unit_rate(invoice)
    assert rate > 0 and rate * invoice.credits == invoice.taxable_value.quantize(Decimal("1.00"))
    sign_in_page(client, supplier)
    page = client.get(f"/invoices/{invoice.id}").text
    assert f'id="invoice-rate">{rupees(rate)}<' in page
    cells: list[str] = []
    original = Row.cell

    def recorded(self, text="", *args, **kwargs):  # type: ignore[no-untyped-def]
        cells.append(text)
        return original(self, text, *args, **kwargs)

    monkeypatch.setattr(Row, "cell", recorded)
    assert client.get(f"/invoices/{invoice.id}.pdf").mimetype == "application/pdf"
    # The description cell is bilingual: the stored English, then its Hindi.
    first = next(n for n, text in enumerate(cells) if text.startswith(invoice.description))
    line = cells[first : first + 5]
    assert line[3] == rupees(rate)  # the Rate column, blank before


def test_the_guest_enquiry_links_the_terms_and_the_privacy_policy(client, shop):
    form = client.get(f"/enquiries/new?product_id={shop.product_id}")
    assert form.status_code == 200
    assert 'href="/notices/terms"' in form.text and 'href="/notices/privacy"' in form.text


def test_a_complaints_product_is_a_link_for_the_filer_and_the_officer(app, buyer_api, shop):
    body = {**COMPLAINT, "related": {"product_id": shop.product_id}}
    grievance_id = buyer_api.post("/grievances", body).get_json()["id"]
    buyer = db.session.get_one(User, shop.buyer_id)
    filer = app.test_client()
    sign_in_page(filer, factories.Registered(buyer.id, buyer.email, factories.PASSWORD))
    officer = app.test_client()
    sign_in_page(officer, factories.staff())
    pages = (
        (filer, f"/grievances/{grievance_id}"),
        (officer, f"/desk/grievances/{grievance_id}"),
    )
    for browser, url in pages:
        about = browser.get(url).text.split('data-testid="complaint-about">')[1].split("</dd>")[0]
        assert f'href="/products/{shop.product_id}/' in about and "SS 304 Seamless Pipe" in about
    _hide(shop.product_id)
    for browser, url in pages:
        about = browser.get(url).text.split('data-testid="complaint-about">')[1].split("</dd>")[0]
        assert "href" not in about and "no longer listed" in about


def _hide(product_id: int) -> None:
    product = db.session.get_one(Product, product_id)
    product.hidden_at, product.hidden_reason = utcnow(), "Counterfeit brand name"
    commit()


def test_a_hidden_listing_is_not_linked_from_its_suppliers_pages(client, shop):
    _hide(shop.product_id)
    owner = db.session.get_one(User, shop.supplier_id)
    sign_in_page(client, factories.Registered(owner.id, owner.email, factories.PASSWORD))
    edit = client.get(f"/dashboard/products/{shop.product_id}").text
    assert f'href="/products/{shop.product_id}/' not in edit
    assert "Hidden by a moderator" in edit and "Counterfeit brand name" in edit
    dashboard = client.get("/dashboard/products").text
    assert f'href="/products/{shop.product_id}/' not in dashboard
    assert "Hidden by a moderator" in dashboard and "Counterfeit brand name" in dashboard
    assert client.get(f"/products/{shop.product_id}").status_code == 404  # why no link


def test_a_reviews_author_is_not_offered_to_report_it(app, api, rater, shop):
    review_id = rater.post(_reviews_url(shop), {"rating": 2, "text": "Late."}).get_json()["id"]
    own = rater.post(f"/reviews/{review_id}/reports", {"reason": "Mine."})
    assert own.status_code == 409 and "your own review" in own.get_json()["detail"]
    buyer = db.session.get_one(User, shop.buyer_id)
    author = app.test_client()
    sign_in_page(author, factories.Registered(buyer.id, buyer.email, factories.PASSWORD))
    assert "Report this review" not in author.get(_reviews_url(shop)).text
    other = app.test_client()
    sign_in_page(other, factories.buyer())
    assert "Report this review" in other.get(_reviews_url(shop)).text
