"""The icon a listing without a photo shows: its leaf category's own where Tabler draws one, else
its industry's; and every icon named is a vendored Tabler outline SVG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from marketplace.catalog.icons import DEFAULT_ICON, INDUSTRY_ICONS, LEAF_ICONS, icon_name
from marketplace.catalog.taxonomy import INDUSTRIES, slugify
from tests.test_catalog import PIPE

ICONS = Path(__file__).resolve().parents[1] / "static" / "icons" / "categories"
NAMED = {*LEAF_ICONS.values(), *INDUSTRY_ICONS.values(), DEFAULT_ICON}
LEAVES = {slugify(leaf.name) for industry in INDUSTRIES for leaf in industry.leaves}
THUMB_ICON = re.compile(r'class="thumb thumb-empty thumb-icon[^"]*"[^>]*><img src="([^"]+)"')


def test_every_icon_named_is_vendored():
    missing = sorted(name for name in NAMED if not (ICONS / f"{name}.svg").is_file())
    assert missing == []


def test_only_the_icons_named_are_vendored():
    assert {path.stem for path in ICONS.glob("*.svg")} == NAMED
    assert (ICONS / "LICENSE-tabler-icons.txt").is_file()


@pytest.mark.parametrize("name", sorted(NAMED))
def test_each_vendored_svg_is_the_tabler_outline_icon_of_its_name(name):
    svg = (ICONS / f"{name}.svg").read_text(encoding="utf-8")
    assert f'class="icon icon-tabler icons-tabler-outline icon-tabler-{name}"' in svg
    assert 'stroke="currentColor"' in svg and 'fill="none"' in svg


def test_leaf_icons_are_keyed_by_real_leaf_slugs():
    assert sorted(set(LEAF_ICONS) - LEAVES) == []


def test_industry_icons_cover_every_industry_and_nothing_else():
    assert set(INDUSTRY_ICONS) == {slugify(industry.name) for industry in INDUSTRIES}


def test_a_leaf_prefers_its_own_icon_then_its_industry_then_the_default(categories):
    assert icon_name("tractors") == "tractor"
    assert icon_name("seeds") == "seedling"
    assert "pulses" not in LEAF_ICONS and icon_name("pulses") == INDUSTRY_ICONS["agriculture"]
    assert icon_name("agriculture") == INDUSTRY_ICONS["agriculture"]
    assert icon_name("no-such-category") == DEFAULT_ICON
    assert icon_name(None) == DEFAULT_ICON


TRACTOR = {
    **PIPE,
    "name": "45 HP Two Wheel Drive Tractor",
    "category": "tractors",
    "description": "Two wheel drive tractor with power steering.",
    "price": "650000",
    "unit": "piece",
    "moq": 1,
    "specifications": {"Power": "45 HP"},
}
SEEDS = {
    **PIPE,
    "name": "Hybrid Tomato Seeds",
    "category": "seeds",
    "description": "Hybrid tomato seeds, 90% germination.",
    "price": "2400",
    "unit": "kg",
    "moq": 5,
    "specifications": {"Germination": "90%"},
}


def _icon_src(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = THUMB_ICON.search(page)
    assert found, "the listing shows no category icon"
    return found.group(1)


def test_two_leaves_of_one_industry_show_their_own_icons(client, supplier_api, categories):
    tractor = supplier_api.post("/products", TRACTOR)
    seeds = supplier_api.post("/products", SEEDS)
    assert tractor.status_code == 201, tractor.get_json()
    assert seeds.status_code == 201, seeds.get_json()
    tractor_src = _icon_src(client, tractor.get_json()["url"])
    seeds_src = _icon_src(client, seeds.get_json()["url"])
    assert tractor_src == "/static/icons/categories/tractor.svg"
    assert seeds_src == "/static/icons/categories/seedling.svg"
    assert client.get(tractor_src).status_code == 200
    assert client.get(seeds_src).status_code == 200
