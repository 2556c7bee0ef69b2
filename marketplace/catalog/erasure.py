"""The catalogue's eraser: a supplier's products are unpublished, stripped of what the supplier
wrote, taken out of the search index (through the outbox, after the commit), and their photos
deleted, rows and files. The product rows stay: leads point at them."""

from __future__ import annotations

from sqlalchemy import select

from marketplace import images
from marketplace.catalog.index_queue import queue_for_index
from marketplace.catalog.models import Product, ProductImage, ProductStatus
from marketplace.catalog.services import image_folder
from marketplace.extensions import db
from marketplace.privacy.erasure import Eraser, Subject, register


def _erase(subject: Subject) -> list[str]:
    if subject.supplier_id is None:
        return []
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
        f"{len(products)} products unpublished, their text removed and taken out of search",
        f"{len(files)} product photos deleted",
    ]


register(Eraser("catalog", erase=_erase, order=10))
