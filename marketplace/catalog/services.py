"""The rules of the catalogue: the only code that creates or changes categories and products.

Every product write also queues the product for the search index in the same transaction.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import IO, Any, NamedTuple

from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager

from marketplace import audit, images
from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog import policy
from marketplace.catalog.index_queue import queue_for_index, queue_supplier
from marketplace.catalog.indexing import searchable
from marketplace.catalog.inputs import ProductChange, ProductIn, VisibilityIn
from marketplace.catalog.models import (
    Product,
    ProductImage,
    ProductStatus,
)
from marketplace.catalog.trade import check_slabs_against
from marketplace.db import get_owned, paginate, utcnow
from marketplace.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.signals import supplier_changed

MAX_IMAGES = 8

# --- products -----------------------------------------------------------------------------


def owned_product(user: User, product_id: int) -> Product:
    supplier = policy.supplier_of(user)
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


def _checked_values(body: ProductIn, current: Product | None = None) -> dict[str, Any]:
    """The columns `body` sets, once the slabs are checked against the minimum order (the
    product's own when the change leaves either as it was)."""
    values = body.values()
    if "price_slabs" in values or "moq" in values:
        check_slabs_against(
            values.get("price_slabs", current.price_slabs if current else None),
            values.get("moq", current.moq if current else None),
        )
    return values


def check_product(body: ProductIn) -> None:
    """Raise ValidationFailed for what only the whole product shows; store nothing."""
    _checked_values(body)


def create_product(user: User, body: ProductIn, photos: list[IO[bytes]] | None = None) -> Product:
    """List a product, with its photos when the form sent some: every photo is checked before
    anything is stored, so a bad photo leaves no half-made listing behind."""
    supplier = policy.supplier_of(user)
    values = _checked_values(body)
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


def update_product(user: User, product_id: int, body: ProductChange) -> Product:
    product = owned_product(user, product_id)
    values = _checked_values(body, current=product)
    _apply(product, values)
    _changed(product)
    return product


def delete_product(user: User, product_id: int) -> None:
    """Take a listing down for good. The row stays (leads point at it), the page and the search
    entry go."""
    product = owned_product(user, product_id)
    product.status = ProductStatus.DELETED
    _changed(product)


def set_hidden(actor: User, product_id: int, body: VisibilityIn) -> Product:
    """An admin hides a listing that breaks the rules, with a reason (or shows it again)."""
    policy.require_hide_listings(actor)
    product = db.session.get(Product, product_id)
    if product is None or product.status == ProductStatus.DELETED:
        raise NotFound(_("No such product."))
    hidden, reason = body.hidden, body.reason if body.hidden else None
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
        raise NotFound(_("This product is not listed."))
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
        raise NotFound(_("This product is not listed."))
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


class ProductMention(NamedTuple):
    """A product named elsewhere (a complaint): its name, and whether its page is open."""

    id: int
    name: str
    listed: bool


def product_mention(product_id: int) -> ProductMention | None:
    """What a complaint about a product shows of it; None once the product is deleted."""
    product = db.session.get(Product, product_id)
    if product is None:
        return None
    listed = db.session.scalar(
        _listed().where(Product.id == product_id).with_only_columns(Product.id)
    )
    return ProductMention(product.id, product.name, listed is not None)


def public_supplier(supplier_id: int) -> SupplierProfile:
    supplier = db.session.get(SupplierProfile, supplier_id)
    if supplier is None or not supplier.user.is_active_account:
        raise NotFound(_("No such supplier."))
    return supplier


def _page(query: Select[tuple[Product]], page: int, per_page: int) -> tuple[list[Product], int]:
    newest_first = query.order_by(Product.created_at.desc(), Product.id.desc())
    return paginate(newest_first, page=page, per_page=per_page)


def supplier_products(
    supplier_id: int, *, page: int = 1, per_page: int = 24
) -> tuple[list[Product], int]:
    """A storefront: the supplier's listed products, newest first."""
    return _page(_listed().where(Product.supplier_id == supplier_id), page, per_page)


def own_products(user: User, *, page: int = 1, per_page: int = 50) -> tuple[list[Product], int]:
    """A supplier's own products for its dashboard and CRM: paused and hidden ones too."""
    return products_of(policy.supplier_of(user).id, page=page, per_page=per_page)


def products_of(
    supplier_id: int, *, page: int = 1, per_page: int = 50
) -> tuple[list[Product], int]:
    """A business's products, paused and hidden ones too, for a caller its own domain already
    let in (the lead manager's product filter, which a sales person sees too)."""
    query = select(Product).where(
        Product.supplier_id == supplier_id, Product.status != ProductStatus.DELETED
    )
    return _page(query, page, per_page)


def every_own_product(user: User, limit: int = 10_000) -> list[Product]:
    """A supplier's listings for its download, oldest first (the order they were listed in)."""
    query = (
        select(Product)
        .where(
            Product.supplier_id == policy.supplier_of(user).id,
            Product.status != ProductStatus.DELETED,
        )
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
        raise NotFound(_("No such image."))
    product.images.remove(image)
    images.delete_after_commit([image_folder() / image.stored_name])  # once the row has gone
    _changed(product)


# --- reacting to other domains ------------------------------------------------------------


@supplier_changed.connect
def _reindex_supplier(supplier_id: int) -> None:
    queue_supplier(supplier_id)
