"""What the browser shows of issue 24's words: the category finder on "Add a product" finds a
category by any form of its word (stemmed as search stems it)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import loaded, sign_in


def test_the_category_finder_finds_plurals_and_singulars(page, categories, supplier):
    sign_in(page, supplier.email)
    loaded(page.goto("/dashboard/products/new") and page)
    finder = page.get_by_label("Narrow the list by a word")
    category = page.get_by_label("Category", exact=True)
    for typed, found in (("battery", "batteries"), ("pipes", "pipe"), ("Batteries", "batteries")):
        finder.fill(typed)
        assert found in category.input_value(), (typed, category.input_value())
    finder.fill("battery")
    expect(page.locator("#category-find-count")).to_have_text(re.compile(r"^[1-9]\d* matching"))


def test_the_category_finder_on_a_hindi_page_finds_hindi_and_english_words(
    page, categories, supplier
):
    sign_in(page, supplier.email)
    page.context.set_extra_http_headers({"Accept-Language": "hi-IN,hi;q=0.9"})
    loaded(page.goto("/dashboard/products/new") and page)
    expect(page.locator("html")).to_have_attribute("lang", "hi-IN")
    finder, category = page.locator("#category-find"), page.locator("#category")
    # Hindi as the list shows it (matras included), and the English words traders also type.
    for typed, found in (("सरिया", "tmt-bars"), ("कॉपर", "copper-wires"), ("pipe", "pipe")):
        finder.fill(typed)
        assert found in category.input_value(), (typed, category.input_value())
    # the count speaks Hindi too (it comes from the page, not from the script)
    expect(page.locator("#category-find-count")).to_have_text(re.compile(r"^[1-9]\d* कैटेगरी मिलीं$"))
