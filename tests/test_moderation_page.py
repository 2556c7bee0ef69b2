"""The admin's listings moderation: search and filter listings, hide one with a reason after a
page of facts, show it again; nobody but an admin opens it."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.audit import AuditEvent
from marketplace.catalog.models import Product
from marketplace.extensions import db
from tests import factories
from tests.conftest import csrf_token, sign_in_page
from tests.test_catalog import PIPE
from tests.test_grievances import COMPLAINT


def _admin_browser(app):
    browser = app.test_client()
    return browser, sign_in_page(browser, factories.staff("admin"))


def _listed(supplier_api, **changes) -> int:
    made = supplier_api.post("/products", {**PIPE, **changes})
    assert made.status_code == 201, made.get_json()
    return int(made.get_json()["id"])


def test_the_admin_finds_listings_by_name_and_supplier(app, ctx, supplier_api, categories):
    pipe = _listed(supplier_api)
    tube = _listed(supplier_api, name="Copper capillary tube")
    browser, _ = _admin_browser(app)
    page = browser.get("/admin/listings/?q=capillary").text
    assert f'data-product="{tube}"' in page and f'data-product="{pipe}"' not in page
    assert f'data-product="{pipe}"' in browser.get(f"/admin/listings/?q={pipe}").text
    assert "No listings." in browser.get("/admin/listings/?q=nothing-like-it").text


def test_hiding_asks_first_with_the_facts_and_a_reason(app, ctx, supplier_api, categories):
    pipe = _listed(supplier_api)
    browser, _ = _admin_browser(app)
    confirm = browser.get(f"/admin/listings/{pipe}/hide")
    assert "SS 304 Seamless Pipe" in confirm.text and "GSTIN" in confirm.text
    token = csrf_token(confirm.text)
    refused = browser.post(f"/admin/listings/{pipe}/hide", data={"csrf_token": token})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    db.session.rollback()
    assert db.session.get(Product, pipe).hidden_at is None
    reason = "Fake brand name in the title"
    hidden = browser.post(
        f"/admin/listings/{pipe}/hide", data={"csrf_token": token, "reason": reason}
    )
    assert hidden.status_code == 302
    db.session.rollback()
    product = db.session.get(Product, pipe)
    assert product.hidden_at is not None and product.hidden_reason == reason
    page = browser.get("/admin/listings/?show=hidden").text
    assert f'data-product="{pipe}"' in page and reason in page
    assert f'data-product="{pipe}"' not in browser.get("/admin/listings/?show=visible").text
    assert supplier_api.get(f"/products/{pipe}").status_code == 404
    shown = browser.post(f"/admin/listings/{pipe}/show", data={"csrf_token": token})
    assert shown.status_code == 302
    db.session.rollback()
    assert db.session.get(Product, pipe).hidden_at is None
    actions = [row.action for row in db.session.scalars(select(AuditEvent))]
    assert actions[-2:] == ["product.hidden", "product.unhidden"]


def test_reported_shows_the_listings_a_complaint_names(
    app, ctx, supplier_api, buyer_api, categories
):
    pipe = _listed(supplier_api)
    quiet = _listed(supplier_api, name="Copper capillary tube")
    filed = buyer_api.post("/grievances", {**COMPLAINT, "related": {"product_id": pipe}})
    assert filed.status_code == 201, filed.get_json()
    browser, _ = _admin_browser(app)
    page = browser.get("/admin/listings/?show=reported").text
    assert f'data-product="{pipe}"' in page and f'data-product="{quiet}"' not in page
    assert 'data-testid="complaints">1' in browser.get(f"/admin/listings/{pipe}/hide").text


def test_only_an_admin_moderates(app, ctx, supplier, buyer):
    for person in (supplier, buyer, factories.staff("grievance_officer")):
        browser = app.test_client()
        sign_in_page(browser, person)
        assert browser.get("/admin/listings/").status_code == 403
    assert app.test_client().get("/admin/listings/").status_code == 302
