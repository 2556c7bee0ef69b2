"""A buy requirement in a real browser: a buyer posts it; two matched suppliers see it with the
buyer masked; one buys a credit pack through the sandbox gateway, gets its tax invoice, unlocks
the BuyLead and sees the buyer's contact."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from marketplace.catalog.inputs import ProductIn
from tests import factories
from tests.browser.conftest import screenshot, sign_in


@pytest.fixture()
def pipe_makers(ctx, categories) -> list[factories.Registered]:
    from marketplace.accounts.models import User
    from marketplace.catalog.services import create_product
    from marketplace.db import commit
    from marketplace.extensions import db

    makers = []
    for city in ("Mumbai", "Nashik"):
        maker = factories.supplier()
        create_product(
            db.session.get(User, maker.id),
            ProductIn.model_validate(
                {
                    "name": f"SS 304 Seamless Pipe ({city})",
                    "category": "stainless-steel-pipes",
                    "description": "Schedule 40, with mill test certificate.",
                    "price": "320",
                    "unit": "kg",
                    "moq": 100,
                }
            ),
        )
        makers.append(maker)
    commit()
    db.session.remove()
    return makers


def test_a_requirement_is_unlocked_with_a_credit_bought_through_the_gateway(
    app, pipe_makers, open_context, problems
):
    buyer = factories.buyer(name="Ramesh Patil")
    buyer_page = open_context()
    sign_in(buyer_page, buyer.email)
    buyer_page.goto("/search?q=ss+304+pipe")
    buyer_page.get_by_role("link", name="Not what you need? Tell suppliers").click()
    expect(buyer_page.get_by_label("What do you need?")).to_have_value("ss 304 pipe")
    buyer_page.get_by_label("What do you need?").fill("SS 304 seamless pipe, 2 inch")
    buyer_page.get_by_label("Quantity").fill("500")
    buyer_page.get_by_label("Unit", exact=True).select_option("kg")
    buyer_page.get_by_label("Delivery city").fill("Pune")
    buyer_page.get_by_label("State").select_option("Maharashtra")
    buyer_page.get_by_role("button", name="Post requirement").click()
    expect(buyer_page.locator(".flash-success")).to_contain_text("2 matching suppliers")

    first, second = (open_context() for _ in pipe_makers)
    for page, maker in zip((first, second), pipe_makers, strict=True):
        sign_in(page, maker.email)
        page.get_by_role("link", name="BuyLeads", exact=True).click()
        card = page.locator(".buylead").first
        expect(card).to_contain_text("SS 304 seamless pipe, 2 inch")
        expect(card.locator(".buyer-contact")).to_contain_text("Ra***l")
        expect(card.locator(".buyer-contact")).not_to_contain_text(buyer.email)

    # No credits yet: the unlock is refused and says why.
    first.get_by_role("button", name="Unlock for 1 credit").click()
    expect(first.locator(".flash-error")).to_contain_text("balance is 0")

    first.get_by_role("link", name="Credits", exact=True).click()
    first.get_by_role("button", name="Buy 10 credits").click()
    expect(first.get_by_role("heading", level=1)).to_contain_text("Pay")
    first.get_by_role("button", name="Pay").first.click()
    expect(first.locator(".flash-success")).to_contain_text("10 credits are in your account")
    expect(first.get_by_role("heading", level=1)).to_contain_text("Tax invoice")
    expect(first.locator("body")).to_contain_text("CGST")  # Maharashtra supplier and portal
    screenshot(first, "buylead-invoice")

    first.get_by_role("link", name="BuyLeads", exact=True).click()
    first.get_by_role("button", name="Unlock for 1 credit").click()
    expect(first.locator(".flash-success")).to_contain_text("Unlocked")
    expect(first.locator("body")).to_contain_text(buyer.email)
    expect(first.locator("body")).to_contain_text("Ramesh Patil")
    screenshot(first, "buylead-unlocked")

    second.reload()  # the other supplier still sees it masked, one unlock counted
    expect(second.locator(".buylead").first).to_contain_text("1 supplier unlocked it")
    expect(second.locator(".buylead .buyer-contact").first).not_to_contain_text(buyer.email)

    buyer_page.goto("/requirements")
    expect(buyer_page.locator(".lead-table")).to_contain_text("Rao Steel Traders")
    assert problems.seen == []
