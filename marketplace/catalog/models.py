from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import SupplierProfile
from marketplace.db import UTCDateTime, string_enum, utcnow
from marketplace.extensions import db

# Units products trade in (value -> how a page says "per ...").
UNITS: dict[str, str] = {
    "piece": "piece",
    "set": "set",
    "pair": "pair",
    "box": "box",
    "kit": "kit",
    "packet": "packet",
    "bag": "bag",
    "roll": "roll",
    "bottle": "bottle",
    "strip": "strip",
    "cylinder": "cylinder",
    "dozen": "dozen",
    "gram": "gram",
    "kg": "kg",
    "quintal": "quintal",
    "tonne": "tonne",
    "carat": "carat",
    "litre": "litre",
    "metre": "metre",
    "square foot": "sq ft",
    "square metre": "sq m",
    "cubic metre": "cu m",
    "acre": "acre",
    "watt": "watt",
}


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
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(24))
    moq: Mapped[int] = mapped_column(Integer, default=1)
    # [[name, value], ...] in the supplier's order
    specifications: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
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
