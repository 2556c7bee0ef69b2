from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import SupplierProfile
from marketplace.catalog.units import UNITS
from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    # "/industry-slug/leaf-slug": ancestors first, so descendants share a prefix.
    path: Mapped[str] = mapped_column(String(400), index=True)
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side="Category.id")

    @property
    def depth(self) -> int:
        return self.path.count("/")


class ProductStatus(enum.StrEnum):
    ACTIVE = "active"  # listed and searchable
    PAUSED = "paused"  # the supplier took it off the shelf for now
    DELETED = "deleted"  # kept for leads that point at it, never shown


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (Index("ix_products_supplier_status", "supplier_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(24))
    moq: Mapped[int] = mapped_column(Integer, default=1)
    # [[name, value], ...] in the supplier's order
    specifications: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    # Trade details (catalog.trade holds their rules): what an Indian B2B buyer compares.
    hsn_code: Mapped[str | None] = mapped_column(String(8))
    gst_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    price_includes_gst: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # [{"min_quantity": 100, "price": "62.00"}, ...], quantities strictly increasing
    price_slabs: Mapped[list[dict[str, object]]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    brand: Mapped[str | None] = mapped_column(String(100))
    delivery_time: Mapped[str | None] = mapped_column(String(100))
    payment_terms: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ProductStatus] = mapped_column(
        string_enum(ProductStatus, 16), default=ProductStatus.ACTIVE
    )
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Raised on every change; search backends never let an older version replace a newer one.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[SupplierProfile] = relationship()
    category: Mapped[Category] = relationship()
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )

    @property
    def unit_label(self) -> str:
        return UNITS.get(self.unit, self.unit)

    def slab_rows(self) -> list[tuple[int, int | None, Decimal]]:
        """The price slabs as (from, to, price): 'to' is None for the last, open-ended slab."""
        slabs = [(int(s["min_quantity"]), Decimal(str(s["price"]))) for s in self.price_slabs or []]
        return [
            (low, slabs[n + 1][0] - 1 if n + 1 < len(slabs) else None, price)
            for n, (low, price) in enumerate(slabs)
        ]

    def specification_pairs(self) -> list[tuple[str, str]]:
        return [(str(name), str(value)) for name, value in self.specifications or []]


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship(back_populates="images")


class SearchOutbox(db.Model):
    """A product whose search document must be brought up to date. Written in the same
    transaction as the change, so the index can lag but never miss a committed write."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(index=True)  # no foreign key: outlives deletion
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
