"""What a supplier may send about a product: one declared model for the API, the product form,
and each row of a bulk upload, so a listing is refused for the same reasons everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, model_validator

from marketplace.catalog.categories import CategoryInfo, categories, category_label
from marketplace.catalog.models import ProductStatus
from marketplace.catalog.trade import (
    GST_SLAB_SOURCE,
    GST_SLABS,
    MAX_SLABS,
    check_gst_rate,
    check_hsn,
    gst_label,
)
from marketplace.catalog.units import UNITS, check_unit
from marketplace.fields import (
    REQUIRED,
    Flag,
    Money,
    RequiredFlag,
    Text,
    WholeNumber,
    checked,
    refuse,
)
from marketplace.validation import Invalid, clean_text, refuse_field

MAX_SPECIFICATIONS = 30


def _leaf_category(slug: str) -> CategoryInfo:
    info = categories().get(slug.strip().lower())
    if info is None:
        raise Invalid(_("unknown category: choose one from the list of categories"))
    if not info.is_leaf:
        raise Invalid(
            _(
                "'%(industry)s' is an industry: choose one of its categories",
                industry=category_label(info),
            )
        )
    return info


def _status(value: str) -> ProductStatus:
    if value not in (ProductStatus.ACTIVE, ProductStatus.PAUSED):
        raise Invalid(_("must be active or paused"))
    return ProductStatus(value)


def _gst_rate(raw: Any) -> Decimal:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise Invalid(_('must be a GST slab as a decimal string, e.g. "18"'))
    return check_gst_rate(raw)


# --- specifications: names to values, as an object or a list of {"name", "value"} ------------


def _specification_pairs(raw: Any) -> Any:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, list) and all(isinstance(item, Mapping) for item in raw):
        if len(raw) > MAX_SPECIFICATIONS:  # counted as sent, before any name is merged
            raise refuse(_("at most %(count)s specifications", count=MAX_SPECIFICATIONS))
        names = [item.get("name") for item in raw]
        if not all(isinstance(name, str) for name in names):
            raise refuse(_("names and values must be text"))
        if len(set(names)) != len(names):
            raise refuse(_("each name once (a specification has one value)"))
        raw = {item.get("name"): item.get("value") for item in raw}
    if not isinstance(raw, Mapping):
        raise refuse(_("must be an object of names to values"))
    if len(raw) > MAX_SPECIFICATIONS:
        raise refuse(_("at most %(count)s specifications", count=MAX_SPECIFICATIONS))
    numbers = (int, float)
    return {
        name: str(value) if isinstance(value, numbers) and not isinstance(value, bool) else value
        for name, value in raw.items()
    }


def _specification_text(limit: int, what: str) -> Any:
    def read(raw: Any) -> str:
        if not isinstance(raw, str):
            raise refuse(_("names and values must be text"))
        try:
            value = clean_text(raw)
        except Invalid as error:
            raise refuse(str(error)) from None
        if not 1 <= len(value) <= limit:
            raise refuse(f"{what} has 1 to {limit} characters")
        return value

    return PlainValidator(read)


SpecificationName = Annotated[str, _specification_text(60, "a name")]
SpecificationValue = Annotated[str, _specification_text(200, "a value")]
Specifications = Annotated[
    dict[SpecificationName, SpecificationValue],
    BeforeValidator(_specification_pairs),
    Field(json_schema_extra={"maxProperties": MAX_SPECIFICATIONS}),
]


# --- price slabs ------------------------------------------------------------------------------


class PriceSlabIn(BaseModel):
    model_config = ConfigDict(extra="forbid", title="PriceSlabInput")

    min_quantity: WholeNumber(minimum=1, maximum=10_000_000)
    price: Money(above_zero=True, description="rupees per unit from this quantity")


def _slab_list(raw: Any) -> Any:
    if raw is None or raw == "":
        return []
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise refuse(_('must be a list of {"min_quantity", "price"}'))
    if len(raw) > MAX_SLABS:
        raise refuse(_("at most %(count)s price slabs", count=MAX_SLABS))
    return raw


PriceSlabs = Annotated[
    list[PriceSlabIn],
    BeforeValidator(_slab_list),
    Field(
        json_schema_extra={"maxItems": MAX_SLABS},
        description="quantity price slabs, quantities strictly increasing",
    ),
]

_GST_RATE = {
    "type": ["string", "number"],
    "enum": [gst_label(rate) for rate in GST_SLABS],
    "description": f"a current GST slab in per cent ({GST_SLAB_SOURCE})",
}


class ProductIn(BaseModel):
    """A new listing. The name, category, price and unit are required."""

    model_config = ConfigDict(extra="forbid", title="ProductInput")

    name: Text(min_length=3, max_length=200)
    category: Text(max_length=80, check=_leaf_category, description="a leaf category slug")
    description: Text(max_length=5000, multiline=True, required=False) = None
    price: Money(above_zero=True, description='rupees, e.g. "1250.00"')
    unit: Text(max_length=24, check=check_unit, description=f"one of: {', '.join(UNITS)}")
    moq: WholeNumber(minimum=1, maximum=10_000_000, required=False) = None
    specifications: Specifications = Field(default_factory=dict)
    status: Text(max_length=16, check=_status, description="active or paused") = None
    # Trade details (optional)
    hsn_code: Text(
        max_length=12, check=check_hsn, required=False, description="4, 6 or 8 digits"
    ) = None
    gst_rate: checked(_gst_rate, _GST_RATE, python=Decimal, required=False) = None
    price_includes_gst: Flag = False
    price_slabs: PriceSlabs = Field(default_factory=list)
    brand: Text(max_length=100, required=False) = None
    delivery_time: Text(max_length=100, required=False) = Field(None, examples=["7 days"])
    payment_terms: Text(max_length=200, required=False) = Field(None, examples=["50% advance"])

    @model_validator(mode="after")
    def _slabs_increase(self) -> Any:
        slabs = self.price_slabs or []
        for number in range(1, len(slabs)):
            if slabs[number].min_quantity <= slabs[number - 1].min_quantity:
                refuse_field(
                    f"price_slabs.{number}.min_quantity", "must be more than the slab before it"
                )
        return self

    def named_fields(self) -> set[str]:
        """The fields this request sets: all of a new listing's (a status only when given)."""
        return set(type(self).model_fields) - ({"status"} if self.status is None else set())

    def values(self) -> dict[str, Any]:
        """The product's columns as this request sets them."""
        values = {field: getattr(self, field) for field in self.named_fields()}
        if "description" in values:
            values["description"] = values["description"] or ""
        if "moq" in values:
            values["moq"] = values["moq"] or 1
        if "price_slabs" in values:
            values["price_slabs"] = [
                {"min_quantity": slab.min_quantity, "price": f"{slab.price:.2f}"}
                for slab in values["price_slabs"] or []
            ]
        if "specifications" in values:
            pairs = (values["specifications"] or {}).items()
            values["specifications"] = [[name, value] for name, value in pairs]
        return values


class ProductChange(ProductIn):
    """A change to a listing: only the fields given change, and each is checked as when listed
    (a name given must still be a name)."""

    model_config = ConfigDict(extra="forbid", title="ProductChange")

    name: Text(min_length=3, max_length=200) = None
    category: Text(max_length=80, check=_leaf_category, description="a leaf category slug") = None
    price: Money(above_zero=True, description='rupees, e.g. "1250.00"') = None
    unit: Text(max_length=24, check=check_unit, description=f"one of: {', '.join(UNITS)}") = None

    def named_fields(self) -> set[str]:
        return set(self.model_fields_set)


class VisibilityIn(BaseModel):
    """An admin hides a listing that breaks the rules, with a reason, or shows it again."""

    model_config = ConfigDict(title="Visibility")

    hidden: RequiredFlag
    reason: Text(min_length=5, max_length=300, required=False) = None

    @model_validator(mode="after")
    def _reason_when_hidden(self) -> Any:
        if self.hidden and self.reason is None:
            refuse_field("reason", REQUIRED)
        return self
