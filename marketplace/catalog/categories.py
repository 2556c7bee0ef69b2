"""The category tree: two levels (an industry and its categories), loaded from the taxonomy
and kept by each process for a few minutes."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from marketplace.catalog.models import Category
from marketplace.catalog.taxonomy import HINDI_NAMES, INDUSTRIES, slugify
from marketplace.extensions import db
from marketplace.i18n import current_language


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    slug: str
    name: str
    path: str
    parent_slug: str | None
    is_leaf: bool


_CATEGORY_CACHE_SECONDS = 300


def categories() -> dict[str, CategoryInfo]:
    """Every category by slug. The tree changes only on deploys; each process keeps it for a
    few minutes rather than asking the database on every search."""
    cached = current_app.extensions.get("category_cache")
    if cached and time.monotonic() - cached[0] < _CATEGORY_CACHE_SECONDS:
        return cached[1]
    rows = db.session.execute(select(Category).order_by(Category.position, Category.id)).scalars()
    rows = list(rows)
    by_id = {row.id: row for row in rows}
    parents = {row.parent_id for row in rows if row.parent_id}
    tree = {
        row.slug: CategoryInfo(
            row.id,
            row.slug,
            row.name,
            row.path,
            by_id[row.parent_id].slug if row.parent_id else None,
            row.id not in parents,
        )
        for row in rows
    }
    if tree:  # an empty tree is not worth remembering: it is about to be loaded
        current_app.extensions["category_cache"] = (time.monotonic(), tree)
    return tree


def category_tree() -> list[tuple[CategoryInfo, list[CategoryInfo]]]:
    everything = categories()
    roots = [info for info in everything.values() if info.parent_slug is None]
    return [
        (root, [c for c in everything.values() if c.parent_slug == root.slug]) for root in roots
    ]


def category_label(category: Category | CategoryInfo | str) -> str:
    """A category's name for the reader: Hindi on Hindi pages, else the English it is stored
    under (a name the taxonomy does not know, say one added by hand, stays as it is)."""
    name = category if isinstance(category, str) else category.name
    if current_language() == "hi":
        return HINDI_NAMES.get(name, name)
    return name


def load_categories() -> int:
    """Create or update the category tree from the taxonomy; returns how many it holds."""
    existing = {row.slug: row for row in db.session.scalars(select(Category))}
    position = 0
    for industry in INDUSTRIES:
        parent = _upsert_category(existing, industry.name, None, position)
        position += 1
        for leaf in industry.leaves:
            _upsert_category(existing, leaf.name, parent, position)
            position += 1
    db.session.flush()
    current_app.extensions.pop("category_cache", None)
    return len(existing)


def _upsert_category(
    existing: dict[str, Category], name: str, parent: Category | None, position: int
) -> Category:
    slug = slugify(name)
    category = existing.get(slug) or Category(slug=slug)
    category.name = name
    category.parent = parent
    category.path = f"{parent.path if parent else ''}/{slug}"
    category.position = position
    if slug not in existing:
        db.session.add(category)
        existing[slug] = category
    return category
