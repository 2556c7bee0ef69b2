"""The rules of the catalogue: the only code that creates or changes categories and products.

Every product write also queues the product for the search index in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any, NamedTuple

from flask import current_app
from PIL import Image
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import contains_eager

from marketplace import audit, images
from marketplace.accounts import policy
from marketplace.accounts.models import Role, SupplierProfile, User
from marketplace.catalog.indexing import queue_for_index, queue_supplier, searchable
from marketplace.catalog.models import (
    UNITS,
    Category,
    Product,
    ProductImage,
    ProductStatus,
)
from marketplace.catalog.taxonomy import INDUSTRIES, slugify
from marketplace.catalog.trade import TRADE_FIELDS, check_slabs_against, read_trade_details
from marketplace.db import get_owned, utcnow
from marketplace.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.signals import supplier_changed
from marketplace.validation import Input, Invalid, clean_text

MAX_SPECIFICATIONS = 30
MAX_IMAGES = 8

# --- categories ---------------------------------------------------------------------------


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


# --- reading product input -----------------------------------------------------------------


def _leaf_category(slug: str) -> CategoryInfo:
    info = categories().get(slug.strip().lower())
    if info is None:
        raise Invalid("unknown category; see GET /api/v1/categories for the slugs")
    if not info.is_leaf:
        raise Invalid(f"'{info.name}' is an industry: choose one of its categories")
    return info


def _unit(value: str) -> str:
    unit = value.strip().lower()
    if unit not in UNITS:
        raise Invalid(f"must be one of: {', '.join(UNITS)}")
    return unit


def _status(value: str) -> ProductStatus:
    if value not in (ProductStatus.ACTIVE, ProductStatus.PAUSED):
        raise Invalid("must be active or paused")
    return ProductStatus(value)


def _specifications(inp: Input) -> list[list[str]] | None:
    raw = inp.data.get("specifications")
    if raw is None:
        return []
    pairs: list[tuple[Any, Any]]
    if isinstance(raw, Mapping):
        pairs = list(raw.items())
    elif isinstance(raw, list) and all(isinstance(item, Mapping) for item in raw):
        pairs = [(item.get("name"), item.get("value")) for item in raw]
    else:
        inp.fail("specifications", "must be an object of names to values")
        return None
    if len(pairs) > MAX_SPECIFICATIONS:
        inp.fail("specifications", f"at most {MAX_SPECIFICATIONS} specifications")
        return None
    cleaned: list[list[str]] = []
    for name, value in pairs:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        field = f"specifications.{name}" if isinstance(name, str) and name else "specifications"
        try:
            if not isinstance(name, str) or not isinstance(value, str):
                raise Invalid("names and values must be text")
            clean_name, clean_value = clean_text(name), clean_text(value)
            if not 1 <= len(clean_name) <= 60:
                raise Invalid("a name has 1 to 60 characters")
            if not 1 <= len(clean_value) <= 200:
                raise Invalid("a value has 1 to 200 characters")
        except Invalid as error:
            inp.errors.add(field, str(error))
            continue
        cleaned.append([clean_name, clean_value])
    return cleaned


_PRODUCT_FIELDS = {
    "name",
    "category",
    "description",
    "price",
    "unit",
    "moq",
    "specifications",
    "status",
    *TRADE_FIELDS,
}


def _read_product(data: Any, *, partial: bool, current: Product | None = None) -> dict[str, Any]:
    inp = Input(data)
    for field in inp.data:
        if field not in _PRODUCT_FIELDS:
            inp.fail(field, "this field cannot be set here")
    wanted = (lambda field: field in inp.data) if partial else (lambda field: True)
    values: dict[str, Any] = {}
    if wanted("name"):
        values["name"] = inp.text("name", min_length=3, max_length=200)
    if wanted("category"):
        values["category"] = inp.text("category", max_length=80, check=_leaf_category)
    if wanted("description"):
        values["description"] = (
            inp.text("description", required=False, max_length=5000, multiline=True) or ""
        )
    if wanted("price"):
        values["price"] = inp.money("price")
        if values["price"] is not None and values["price"] <= 0:
            inp.fail("price", "must be more than zero")
    if wanted("unit"):
        values["unit"] = inp.text("unit", max_length=24, check=_unit)
    if wanted("moq"):
        values["moq"] = inp.integer("moq", required=False, minimum=1, maximum=10_000_000) or 1
    if wanted("specifications"):
        values["specifications"] = _specifications(inp)
    if "status" in inp.data:
        values["status"] = inp.text("status", check=_status)
    values.update(read_trade_details(inp, wanted))
    if "price_slabs" in values or "moq" in values:
        check_slabs_against(
            inp,
            values.get("price_slabs", current.price_slabs if current else None),
            values.get("moq", current.moq if current else None),
        )
    inp.raise_if_invalid()
    return values


# --- products -----------------------------------------------------------------------------


def supplier_of(user: User) -> SupplierProfile:
    """The caller's business, or a 403: only suppliers list and manage products."""
    return policy.business_of(user, "list products")


def owned_product(user: User, product_id: int) -> Product:
    supplier = supplier_of(user)
    return get_owned(
        Product,
        product_id,
        (Product.supplier_id == supplier.id) & (Product.status != ProductStatus.DELETED),
    )


def _apply(product: Product, values: dict[str, Any]) -> None:
    for field, value in values.items():
        if field == "category":
            product.category_id = value.id
        else:
            setattr(product, field, value)


def _changed(product: Product) -> None:
    product.version = (product.version or 0) + 1
    db.session.flush()
    queue_for_index([product.id])


def check_product(data: Any) -> None:
    """Raise ValidationFailed naming every bad field of a new product; store nothing."""
    _read_product(data, partial=False)


def create_product(user: User, data: Any, photos: list[IO[bytes]] | None = None) -> Product:
    """List a product, with its photos when the form sent some: every photo is checked before
    anything is stored, so a bad photo leaves no half-made listing behind."""
    supplier = supplier_of(user)
    values = _read_product(data, partial=False)
    if len(photos or []) > MAX_IMAGES:
        raise ValidationFailed({"photos": [f"a product has at most {MAX_IMAGES} images"]})
    prepared = []
    for number, stream in enumerate(photos or [], start=1):
        try:
            prepared.append(images.read_upload(stream))
        except ValidationFailed as refused:
            raise ValidationFailed(
                {"photos": [f"photo {number} {m}" for m in refused.errors.get("image", [])]}
            ) from None
    product = Product(supplier_id=supplier.id, status=ProductStatus.ACTIVE, version=0)
    _apply(product, values)
    db.session.add(product)
    for picture in prepared:
        _store_image(product, picture)
    _changed(product)
    return product


def update_product(user: User, product_id: int, data: Any) -> Product:
    product = owned_product(user, product_id)
    values = _read_product(data, partial=True, current=product)
    _apply(product, values)
    _changed(product)
    return product


def delete_product(user: User, product_id: int) -> None:
    """Take a listing down for good. The row stays (leads point at it), the page and the search
    entry go."""
    product = owned_product(user, product_id)
    product.status = ProductStatus.DELETED
    _changed(product)


def set_hidden(actor: User, product_id: int, data: Any) -> Product:
    """An admin hides a listing that breaks the rules, with a reason (or shows it again)."""
    if not actor.has_role(Role.ADMIN):
        raise Forbidden("Only an admin can hide listings.")
    product = db.session.get(Product, product_id)
    if product is None or product.status == ProductStatus.DELETED:
        raise NotFound("No such product.")
    inp = Input(data)
    hidden = inp.boolean("hidden", required=True)
    reason = inp.text("reason", min_length=5, max_length=300) if hidden else None
    inp.raise_if_invalid()
    if hidden:
        product.hidden_at, product.hidden_reason, product.hidden_by_id = utcnow(), reason, actor.id
    else:
        product.hidden_at = product.hidden_reason = product.hidden_by_id = None
    audit.record(
        "product.hidden" if hidden else "product.unhidden",
        actor_id=actor.id,
        subject=product,
        reason=reason,
    )
    _changed(product)
    return product


def _listed() -> Select[tuple[Product]]:
    """Products the public may see: `searchable()` is the one rule, for pages and the index."""
    return (
        select(Product)
        .join(SupplierProfile, Product.supplier_id == SupplierProfile.id)
        .join(User, SupplierProfile.user_id == User.id)
        .where(searchable())
    )


def public_product(product_id: int) -> Product:
    product = db.session.scalar(_public_product(), {"product_id": product_id})
    if product is None:
        raise NotFound("This product is not listed.")
    return product


class ListedProduct(NamedTuple):
    """What an enquiry copies from a listed product."""

    id: int
    name: str
    unit: str
    supplier_id: int
    supplier_user_id: int


def listed_product(product_id: int) -> ListedProduct:
    """A listed product's facts, as one row (every enquiry asks)."""
    row = db.session.execute(_listed_product(), {"product_id": product_id}).first()
    if row is None:
        raise NotFound("This product is not listed.")
    return ListedProduct(*row)


# Built once: every product page and every enquiry runs one of these.


@cache
def _public_product() -> Select[tuple[Product]]:
    by_id = _listed().where(Product.id == bindparam("product_id"))
    return by_id.options(contains_eager(Product.supplier))


@cache
def _listed_product() -> Select[tuple[int, str, str, int, int]]:
    by_id = _listed().where(Product.id == bindparam("product_id"))
    return by_id.with_only_columns(
        Product.id, Product.name, Product.unit, Product.supplier_id, SupplierProfile.user_id
    )


def public_supplier(supplier_id: int) -> SupplierProfile:
    supplier = db.session.get(SupplierProfile, supplier_id)
    if supplier is None or not supplier.user.is_active_account:
        raise NotFound("No such supplier.")
    return supplier


def _page(query: Select[tuple[Product]], page: int, per_page: int) -> tuple[list[Product], int]:
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Product.created_at.desc(), Product.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def supplier_products(
    supplier_id: int, *, page: int = 1, per_page: int = 24
) -> tuple[list[Product], int]:
    """A storefront: the supplier's listed products, newest first."""
    return _page(_listed().where(Product.supplier_id == supplier_id), page, per_page)


def own_products(user: User, *, page: int = 1, per_page: int = 50) -> tuple[list[Product], int]:
    """A supplier's own products for its dashboard and CRM: paused and hidden ones too."""
    query = select(Product).where(
        Product.supplier_id == supplier_of(user).id, Product.status != ProductStatus.DELETED
    )
    return _page(query, page, per_page)


def every_own_product(user: User, limit: int = 10_000) -> list[Product]:
    """A supplier's listings for its download, oldest first (the order they were listed in)."""
    query = (
        select(Product)
        .where(Product.supplier_id == supplier_of(user).id, Product.status != ProductStatus.DELETED)
        .order_by(Product.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def recent_products(limit: int = 8) -> list[Product]:
    return list(
        db.session.scalars(
            _listed().order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)
        )
    )


# --- images -------------------------------------------------------------------------------
# Checked and stored by marketplace.images, as every uploaded photo is.


def image_folder() -> Path:
    return images.folder("products")


def add_image(user: User, product_id: int, stream: IO[bytes] | None) -> ProductImage:
    """Store a product photo: a real JPEG, PNG or WebP, re-encoded as WebP without metadata."""
    product = owned_product(user, product_id)
    picture = images.read_upload(stream)  # decoded before the lock, which it would prolong
    # Two uploads at once must not make a ninth image: they queue on the product's row, and
    # the second counts the first one's image. FOR NO KEY UPDATE: enquiries about the product
    # (a foreign key to it) do not wait.
    db.session.execute(
        select(Product.id).where(Product.id == product.id).with_for_update(key_share=True)
    )
    db.session.expire(product, ["images"])
    if len(product.images) >= MAX_IMAGES:
        raise ValidationFailed({"image": [f"a product has at most {MAX_IMAGES} images"]})
    image = _store_image(product, picture)
    _changed(product)
    return image


def _store_image(product: Product, picture: Image.Image) -> ProductImage:
    stored = images.save(picture, "products")
    image = ProductImage(
        product=product,
        stored_name=stored.name,
        content_type="image/webp",
        size_bytes=stored.size_bytes,
        width=stored.width,
        height=stored.height,
        position=max((image.position for image in product.images), default=-1) + 1,  # the last
    )
    db.session.add(image)
    return image


def delete_image(user: User, product_id: int, image_id: int) -> None:
    product = owned_product(user, product_id)
    image = next((image for image in product.images if image.id == image_id), None)
    if image is None:
        raise NotFound("No such image.")
    product.images.remove(image)
    images.delete_after_commit([image_folder() / image.stored_name])  # once the row has gone
    _changed(product)


# --- reacting to other domains ------------------------------------------------------------


@supplier_changed.connect
def _reindex_supplier(supplier_id: int) -> None:
    queue_supplier(supplier_id)
