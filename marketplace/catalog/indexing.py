"""Keeping the search index in step with the catalogue.

Every product write adds a SearchOutbox row in its own transaction (catalog.index_queue). After
the commit a task (catalog.tasks) drains the outbox with `drain_quietly`: it reads each product's
current state from the database and puts it into the index (or takes it out), in batches. The
drain is idempotent and safe to run twice at once; if the backend is down the rows simply stay
until the next drain.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    Select,
    String,
    Text,
    cast,
    delete,
    extract,
    func,
    select,
)
from sqlalchemy.orm import aliased

from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.models import Category, Product, ProductImage, ProductStatus, SearchOutbox
from marketplace.extensions import db
from marketplace.leads.response_times import (
    NO_FIGURES,
    ResponseFigures,
    response_figures,
    search_rank,
)
from marketplace.reviews.ratings import rating_figures
from marketplace.search_backend import backend
from search import SearchUnavailable
from search.documents import product_document

log = logging.getLogger(__name__)

DRAIN_BATCH = 500


def searchable() -> Any:
    """The products the public may find."""
    return (
        (Product.status == ProductStatus.ACTIVE)
        & Product.hidden_at.is_(None)
        & User.is_active_account.is_(True)
    )


def document_rows() -> Select[Any]:
    """One flat row per product with everything its search document needs, as plain values
    (the price a float, the time in epoch seconds): a rebuild reads a million of these."""
    industry = aliased(Category)
    rating = rating_figures()
    first_image = (
        select(ProductImage.stored_name)
        .where(ProductImage.product_id == Product.id)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            Product.id,
            Product.version,
            Product.name,
            Product.description,
            cast(Product.specifications, Text).label("specifications"),
            cast(Product.price, Float).label("price"),
            Product.unit,
            Product.moq,
            Product.brand,
            Product.hsn_code,
            cast(Product.gst_rate, Float).label("gst_rate"),
            Product.price_includes_gst,
            cast(extract("epoch", Product.created_at), BigInteger).label("created"),
            Category.slug.label("category_slug"),
            Category.name.label("category_name"),
            Category.path.label("category_path"),
            func.coalesce(industry.name, Category.name).label("industry_name"),
            SupplierProfile.id.label("supplier_id"),
            SupplierProfile.company_name,
            SupplierProfile.state,
            SupplierProfile.city,
            cast(SupplierProfile.gst_verification, String).label("gst_verification"),
            first_image.label("image_name"),
            rating.c.rating_average,
            rating.c.rating_count,
        )
        .join(Category, Product.category_id == Category.id)
        .outerjoin(industry, Category.parent_id == industry.id)
        .join(SupplierProfile, Product.supplier_id == SupplierProfile.id)
        .join(User, SupplierProfile.user_id == User.id)
        .outerjoin(rating, rating.c.supplier_id == SupplierProfile.id)
    )


def _documents(
    rows: Iterable[Any], figures: Mapping[int, ResponseFigures]
) -> Iterator[dict[str, Any]]:
    """`figures`: the suppliers' response figures, read before the rows (a rebuild streams
    them on the session's connection, which nothing else may use meanwhile)."""
    for row in rows:
        values = row._asdict()
        name = values["image_name"]
        values["image"] = f"/media/products/{name}" if name else None
        values["response_rank"] = search_rank(figures.get(values["supplier_id"], NO_FIGURES))
        yield product_document(values)


def drain_outbox(batch_size: int = DRAIN_BATCH) -> int:
    """Bring the index up to date with every queued product. Returns how many were handled."""
    handled = 0
    while True:
        rows = db.session.execute(
            select(SearchOutbox.id, SearchOutbox.product_id)
            .order_by(SearchOutbox.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return handled
        product_ids = sorted({row.product_id for row in rows})
        found_rows = (
            db.session.connection()
            .execute(document_rows().where(Product.id.in_(product_ids), searchable()))
            .all()
        )
        figures = response_figures({row.supplier_id for row in found_rows})
        documents = list(_documents(found_rows, figures))
        found = {doc["id"] for doc in documents}
        search = backend()
        search.index(documents)
        search.delete([pid for pid in product_ids if pid not in found])
        # Only the rows read above: a row committed meanwhile waits for the next round.
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
        db.session.commit()
        handled += len(product_ids)


def drain_quietly() -> int:
    """The task's body: a backend outage is logged, and the outbox keeps the work."""
    try:
        return drain_outbox()
    except SearchUnavailable as error:
        db.session.rollback()
        log.warning("search outbox not drained (%s); it will be retried", error)
        return 0


def _read_ahead(result: Any, chunk: int = 2000) -> Iterator[Any]:
    """Rows from `result`, fetched by a second thread a few chunks ahead. The database driver
    releases the GIL while it reads, so reading overlaps the feeding of the index (measured:
    half as fast again on two cores). An error in the reader is raised here."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=8)

    def read() -> None:
        try:
            while rows := result.fetchmany(chunk):
                chunks.put(rows)
            chunks.put(None)
        except BaseException as error:  # handed to the consumer, which raises it
            chunks.put(error)

    threading.Thread(target=read, name="reindex-reader", daemon=True).start()
    while (item := chunks.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield from item


def reindex(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database, the source of truth."""
    last_queued = db.session.scalar(select(func.max(SearchOutbox.id))) or 0
    figures = response_figures(None)  # one pass over the window's enquiries, not per supplier
    # Core rows, streamed: a million ORM rows would cost more than the indexing itself.
    rows = db.session.connection().execute(
        document_rows().where(searchable()).order_by(Product.id).execution_options(yield_per=5000)
    )
    count = backend().rebuild(_documents(_read_ahead(rows), figures), progress)
    # Everything queued before the rebuild started is in it now.
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= last_queued))
    db.session.commit()
    return count


def searchable_count() -> int:
    return (
        db.session.scalar(
            select(func.count(Product.id))
            .join(SupplierProfile, Product.supplier_id == SupplierProfile.id)
            .join(User, SupplierProfile.user_id == User.id)
            .where(searchable())
        )
        or 0
    )


def outbox_lag() -> tuple[int, datetime | None]:
    """How many changes wait for the index, and since when."""
    count, oldest = db.session.execute(
        select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at))
    ).one()
    return count, oldest
