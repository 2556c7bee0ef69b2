"""Marking products for the search index, in the transaction that changed them.

Each queued product is a SearchOutbox row; after the commit the drain task (catalog.tasks) brings
the index up to date from the database (catalog.indexing).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from marketplace.catalog.models import Product, ProductStatus, SearchOutbox
from marketplace.catalog.tasks import drain_search_outbox
from marketplace.extensions import db
from workers import nudge


def _drain_after_commit() -> None:
    nudge(drain_search_outbox)  # the outbox rows are the durable record; beat drains them too


def queue_for_index(product_ids: Iterable[int]) -> None:
    """Mark products for (re)indexing, in the current transaction; drain after commit."""
    ids = list(dict.fromkeys(product_ids))
    if ids:
        db.session.add_all(SearchOutbox(product_id=product_id) for product_id in ids)
        _drain_after_commit()


def queue_supplier(supplier_id: int) -> None:
    """A supplier's name, city or GST badge changed: so did its products' documents."""
    db.session.execute(
        SearchOutbox.__table__.insert().from_select(
            ["product_id"],
            select(Product.id).where(
                Product.supplier_id == supplier_id, Product.status != ProductStatus.DELETED
            ),
        )
    )
    _drain_after_commit()
