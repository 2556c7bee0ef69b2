"""The catalogue's eraser: a supplier's products are unpublished, stripped of what the supplier
wrote, taken out of the search index (through the outbox, after the commit), and their photos
deleted, rows and files. The product rows stay: leads point at them."""

from __future__ import annotations

from sqlalchemy import func, select, update

from marketplace import images
from marketplace.catalog.index_queue import queue_for_index
from marketplace.catalog.models import Product, ProductImage, ProductStatus
from marketplace.catalog.services import image_folder
from marketplace.extensions import db
from marketplace.privacy.erasure import Eraser, Subject, redact_columns, register


def _redact_listings(subject: Subject) -> list[str]:
    """Anyone's listing that names the person (a reseller quoting a firm's GSTIN, a moderator's
    reason for hiding a listing) loses those words, and is re-indexed."""
    changed = redact_columns(
        subject,
        [
            Product.name,
            Product.description,
            Product.specifications,
            Product.brand,
            Product.delivery_time,
            Product.payment_terms,
            Product.hidden_reason,
        ],
        Product.supplier_id == subject.supplier_id if subject.supplier_id else None,
    )
    if not changed:
        return []
    db.session.execute(
        update(Product)
        .where(Product.id.in_(changed))
        .values(version=func.coalesce(Product.version, 0) + 1)
    )
    queue_for_index(changed)
    return [f"{len(changed)} listings naming the person redacted"]


def _erase(subject: Subject) -> list[str]:
    redacted = _redact_listings(subject)
    if subject.supplier_id is None:
        return redacted
    products = db.session.scalars(
        select(Product).where(Product.supplier_id == subject.supplier_id)
    ).all()
    files = []
    for product in products:
        for image in db.session.scalars(
            select(ProductImage).where(ProductImage.product_id == product.id)
        ):
            files.append(image_folder() / image.stored_name)
            db.session.delete(image)
        product.status = ProductStatus.DELETED
        product.name = "Removed listing"
        product.description = ""
        product.specifications = []
        product.brand = None
        product.delivery_time = None
        product.payment_terms = None
        product.version = (product.version or 0) + 1
    db.session.flush()
    queue_for_index([product.id for product in products])
    images.delete_after_commit(files)
    return [
        *redacted,
        f"{len(products)} products unpublished, their text removed and taken out of search",
        f"{len(files)} product photos deleted",
    ]


register(Eraser("catalog", erase=_erase, order=10))
