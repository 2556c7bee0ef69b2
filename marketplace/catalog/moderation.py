"""The admin's list of listings to moderate: every product not deleted, searched by its name,
its supplier or its number, filtered by whether it is hidden or named in a complaint. Hiding
and showing again is services.set_hidden; who may is policy.require_hide_listings."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog import policy
from marketplace.catalog.models import Product, ProductStatus
from marketplace.db import paginate
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.grievances.queries import complained_about_products, complaints_about_products

MAX_QUERY = 100


class Shown(enum.StrEnum):
    ALL = "all"
    VISIBLE = "visible"
    HIDDEN = "hidden"
    REPORTED = "reported"


SHOWN_LABELS = {
    Shown.ALL: "All",
    Shown.VISIBLE: "Visible",
    Shown.HIDDEN: "Hidden",
    Shown.REPORTED: "Named in a complaint",
}


@dataclass(frozen=True)
class Listing:
    product: Product
    complaints: int


def _shown(raw: str | None) -> Shown:
    try:
        return Shown(raw or "all")
    except ValueError:
        return Shown.ALL


def listings(
    admin: User, text: str | None, shown_as: str | None, *, page: int, per_page: int
) -> tuple[list[Listing], int, Shown]:
    """A page of listings for the admin, newest first, with how many complaints name each."""
    policy.require_hide_listings(admin)
    shown = _shown(shown_as)
    query = (
        select(Product)
        .join(SupplierProfile, Product.supplier_id == SupplierProfile.id)
        .where(Product.status != ProductStatus.DELETED)
        .options(selectinload(Product.supplier))
        .order_by(Product.id.desc())
    )
    words = (text or "").strip()[:MAX_QUERY]
    if words:
        like = f"%{words}%"
        matches = [Product.name.ilike(like), SupplierProfile.company_name.ilike(like)]
        if words.isdigit():
            matches.append(Product.id == int(words))
        query = query.where(or_(*matches))
    if shown == Shown.HIDDEN:
        query = query.where(Product.hidden_at.is_not(None))
    elif shown == Shown.VISIBLE:
        query = query.where(Product.hidden_at.is_(None))
    elif shown == Shown.REPORTED:
        query = query.where(Product.id.in_(complained_about_products()))
    rows, total = paginate(query, page=page, per_page=per_page)
    counts = complaints_about_products([row.id for row in rows])
    return [Listing(row, counts.get(row.id, 0)) for row in rows], total, shown


def listing(admin: User, product_id: int) -> Listing:
    """One listing, for the confirmation page before it is hidden."""
    policy.require_hide_listings(admin)
    product = db.session.get(Product, product_id)
    if product is None or product.status == ProductStatus.DELETED:
        raise NotFound(_("No such product."))
    return Listing(product, complaints_about_products([product.id]).get(product.id, 0))


def hidden_by(product: Product) -> User | None:
    return db.session.get(User, product.hidden_by_id) if product.hidden_by_id else None
