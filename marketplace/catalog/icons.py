"""The picture a listing without a photo shows: its industry's icon.

The icons are Tabler Icons 3.51 (MIT licence, static/icons/categories/LICENSE-tabler-icons.txt),
outline style; only the SVGs named here are vendored, and they are served from static/.
"""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup

from marketplace.catalog.services import categories

# industry slug -> Tabler icon name
INDUSTRY_ICONS: dict[str, str] = {
    "industrial-machinery": "settings-cog",
    "building-and-construction-material": "wall",
    "metals-and-alloys": "cylinder",
    "chemicals": "flask",
    "textiles-and-apparel": "shirt",
    "packaging-material": "package",
    "electrical-equipment": "plug",
    "electronics-and-components": "cpu",
    "agriculture": "wheat",
    "pharmaceuticals-and-healthcare": "pill",
    "furniture": "sofa",
    "automobile-parts": "car",
    "plastics-and-polymers": "bottle",
    "food-and-beverages": "tools-kitchen-2",
    "home-textiles-and-furnishings": "bed",
    "industrial-supplies-and-tools": "tools",
    "gems-jewellery-and-handicrafts": "diamond",
}
DEFAULT_ICON = "package"


def icon_name(category_slug: str | None) -> str:
    info = categories().get(category_slug or "")
    industry = (info.parent_slug or info.slug) if info else ""
    return INDUSTRY_ICONS.get(industry, DEFAULT_ICON)


def category_icon(category_slug: str | None, size: str = "") -> Markup:
    """A thumbnail-sized placeholder with the category's icon (decorative: the name is beside)."""
    src = url_for("static", filename=f"icons/categories/{icon_name(category_slug)}.svg")
    return Markup(
        '<span class="thumb thumb-empty thumb-icon {}" aria-hidden="true">'
        '<img src="{}" alt="" width="24" height="24"></span>'
    ).format(size, src)  # format() escapes what it fills in
