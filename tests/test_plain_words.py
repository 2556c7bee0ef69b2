"""What people read says things in words, never a query parameter or a field's raw value."""

from __future__ import annotations

from tests.conftest import Api
from tests.test_catalog import PIPE


def test_the_search_filters_read_as_words(client, supplier_api: Api, categories):
    assert supplier_api.post("/products", PIPE).status_code == 201
    page = client.get("/search?q=pipe&verified=1&price_min=100&city=Pune").text
    assert "GST verified only ✕" in page and "Price from ₹100 ✕" in page
    assert "City: Pune ✕" in page
    assert "verified: 1" not in page and "price min" not in page
