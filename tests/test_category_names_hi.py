"""The category tree in Hindi: every category has a Hindi name a trader writes, pages show it to
Hindi readers (breadcrumbs, headings, filters, the tree, the pickers), English readers keep the
English, and the JSON API stays English whatever language is asked for."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from marketplace.catalog.categories import category_label
from marketplace.i18n import in_language
from marketplace.leads.preferences import Preferences, why_shown
from tests.conftest import sign_in_page
from tests.test_buylead_preferences import _requirement
from tests.test_catalog import PIPE

HINDI = {"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.8"}
ENGLISH = {"Accept-Language": "en-IN,en;q=0.9"}
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def _taxonomy_nodes() -> list[dict[str, str]]:
    tree = json.loads(
        resources.files("marketplace.catalog").joinpath("taxonomy.json").read_text("utf-8")
    )
    return [node for row in tree["industries"] for node in (row, *row["leaves"])]


def test_every_category_has_a_hindi_name_in_devanagari():
    nodes = _taxonomy_nodes()
    assert len(nodes) > 200
    missing = [n["name"] for n in nodes if not DEVANAGARI.search(n.get("name_hi", "").strip())]
    assert missing == []


def test_no_two_categories_share_a_hindi_name():
    names = [n["name_hi"] for n in _taxonomy_nodes()]
    assert len(names) == len(set(names))


def test_the_label_follows_the_readers_language(ctx):
    with in_language("hi"):
        assert category_label("TMT Bars") == "TMT सरिया"
        assert category_label("A category added by hand") == "A category added by hand"
    with in_language("en"):
        assert category_label("TMT Bars") == "TMT Bars"


def test_why_a_buylead_was_shown_names_its_category_in_hindi(ctx, categories):
    with in_language("hi"):
        assert why_shown(Preferences(), _requirement()) == "Pune, स्टेनलेस स्टील पाइप"


@pytest.fixture()
def listed(supplier_api, categories) -> int:
    return supplier_api.post("/products", PIPE).get_json()["id"]


def _breadcrumb(page: str) -> str:
    start = page.index('class="breadcrumbs"')
    return page[start : page.index("</nav>", start)]


def test_a_product_page_names_its_category_in_the_readers_language(client, listed):
    address = f"/products/{listed}/ss-304-seamless-pipe"
    hindi = client.get(address, headers=HINDI).text
    assert "मेटल और अलॉय</a>" in _breadcrumb(hindi)
    assert "स्टेनलेस स्टील पाइप</a>" in _breadcrumb(hindi)
    assert "Stainless Steel Pipes" not in hindi and "Metals and Alloys" not in hindi

    english = client.get(address, headers=ENGLISH).text
    assert "Metals and Alloys</a>" in _breadcrumb(english)
    assert "Stainless Steel Pipes</a>" in _breadcrumb(english)
    assert "स्टेनलेस स्टील पाइप" not in english


def test_a_search_page_names_the_category_in_the_readers_language(client, listed):
    address = "/search?category=stainless-steel-pipes"
    hindi = client.get(address, headers=HINDI).text
    assert "<h1>स्टेनलेस स्टील पाइप</h1>" in hindi
    assert "कैटेगरी: स्टेनलेस स्टील पाइप ✕" in hindi  # the filter chip
    assert "Stainless Steel Pipes" not in hindi

    english = client.get(address, headers=ENGLISH).text
    assert "<h1>Stainless Steel Pipes</h1>" in english
    assert "Category: Stainless Steel Pipes ✕" in english  # the filter chip, no longer a slug
    assert "स्टेनलेस" not in english


def test_the_tree_and_the_pickers_read_hindi(app, client, supplier, categories):
    tree = client.get("/categories", headers=HINDI).text
    assert "इंडस्ट्रियल मशीनरी" in tree and "CNC मशीनें" in tree and "TMT सरिया" in tree
    assert "CNC Machines" not in tree
    home = client.get("/", headers=HINDI).text
    assert "CNC मशीनें" in home and "CNC Machines" not in home
    signed_in = app.test_client()
    sign_in_page(signed_in, supplier)
    picker = signed_in.get("/dashboard/products/new", headers=HINDI).text
    assert '<optgroup label="मेटल और अलॉय">' in picker and "कॉपर वायर" in picker


def test_the_api_keeps_english_category_names(api, listed):
    found = api.get("/search?q=seamless+pipe", headers=HINDI).get_json()
    labels = [facet["label"] for facet in found["facets"]["category"]]
    assert labels == ["Stainless Steel Pipes"]
    tree = api.get("/categories", headers=HINDI).get_json()
    assert "Industrial Machinery" in json.dumps(tree) and "मशीन" not in json.dumps(tree)
