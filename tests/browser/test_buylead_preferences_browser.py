"""A supplier chooses which BuyLeads to hear about, on a 360 px phone: a bad order size is named
beside its field, and what was saved is what the page shows again."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import loaded, screenshot, sign_in


def test_a_supplier_sets_buylead_preferences_on_a_phone(
    app, ctx, categories, open_context, problems
):
    supplier = factories.supplier()
    page = open_context(360, 740)
    sign_in(page, supplier.email)
    page.goto("/buyleads/preferences")
    only = page.get_by_label("Only these categories")
    first_leaf = only.locator("option:not([label$='(all of it)'])").first
    leaf_name = first_leaf.inner_text()
    only.select_option(label=leaf_name)
    page.get_by_label("Only these states").select_option(label="Maharashtra")
    page.get_by_label("Never these cities").fill("Nashik, Thane")
    page.get_by_label("Smallest order in ₹ (optional)").fill("lots")
    page.get_by_role("button", name="Save preferences").click()
    problem = page.locator(".has-error")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("Smallest order")
    expect(page.get_by_label("Never these cities")).to_have_value("Nashik, Thane")  # kept

    page.get_by_label("Smallest order in ₹ (optional)").fill("50000")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Saved. New BuyLeads will follow these preferences.")).to_be_visible()
    page.reload()
    chosen = page.get_by_label("Only these categories").evaluate(
        "select => [...select.selectedOptions].map(option => option.textContent.trim())"
    )
    assert chosen == [leaf_name]
    states = page.get_by_label("Only these states").evaluate(
        "select => [...select.selectedOptions].map(option => option.textContent.trim())"
    )
    assert states == ["Maharashtra"]
    expect(page.get_by_label("Never these cities")).to_have_value("Nashik, Thane")
    expect(page.get_by_label("Smallest order in ₹ (optional)")).to_have_value("50000")
    width, inner = loaded(page).evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= inner
    screenshot(page, "buylead-preferences-phone")
    assert problems.seen == []
