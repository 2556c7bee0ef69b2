"""Units are read in the spellings of everyday trade ("pcs", "Nos.", "kgs", "MT"), the same way
for a listing, an enquiry and a buy requirement, and stored as one unit."""

from __future__ import annotations

import pytest

from marketplace.catalog.units import UNITS, canonical_unit
from tests.conftest import Api
from tests.test_catalog import PIPE
from tests.test_requirements import REQUIREMENT


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("pcs", "piece"),
        ("Pcs.", "piece"),
        ("Nos.", "piece"),
        ("pieces", "piece"),
        ("KGS", "kg"),
        ("kilogram", "kg"),
        ("MT", "tonne"),
        ("tons", "tonne"),
        ("Ltr", "litre"),
        ("liters", "litre"),
        ("Sq. Ft.", "square foot"),
        ("square feet", "square foot"),
        ("boxes", "box"),
        ("  Dozen ", "dozen"),
    ],
)
def test_everyday_spellings_name_one_unit(written, unit):
    assert canonical_unit(written) == unit


def test_every_unit_reads_as_itself_and_nonsense_as_none():
    assert all(canonical_unit(unit) == unit for unit in UNITS)
    assert canonical_unit("bucketful") is None and canonical_unit("") is None


def test_a_listing_and_a_requirement_take_pcs(supplier_api: Api, buyer_api: Api, categories):
    listed = supplier_api.post("/products", {**PIPE, "unit": "Pcs"})
    assert listed.status_code == 201, listed.get_json()
    assert listed.get_json()["unit"] == "piece"
    posted = buyer_api.post("/requirements", {**REQUIREMENT, "unit": "Nos."})
    assert posted.status_code == 201, posted.get_json()
    assert posted.get_json()["unit"] == "piece"
    refused = supplier_api.post("/products", {**PIPE, "unit": "bucketful"})
    assert refused.status_code == 422
    assert "pcs, kg, litre or box" in refused.get_json()["errors"]["unit"][0]


def test_a_yes_or_no_field_says_yes_or_no(supplier_api: Api, categories):
    refused = supplier_api.post("/products", {**PIPE, "price_includes_gst": "maybe"})
    assert refused.status_code == 422
    assert "yes or no" in refused.get_json()["errors"]["price_includes_gst"][0]
