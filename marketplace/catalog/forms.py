"""Catalogue forms: CSRF and rendering; the rules live in catalog.services."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from marketplace.catalog.categories import category_label, category_tree
from marketplace.catalog.models import Product
from marketplace.catalog.trade import GST_SLABS, gst_label
from marketplace.catalog.units import UNITS


class ProductForm(FlaskForm):
    name = StringField(
        _l("Product name"), description=_l("What buyers search for, e.g. 'SS 304 Seamless Pipe'")
    )
    category = SelectField(_l("Category"), validate_choice=False)
    price = StringField(_l("Price (₹)"), description=_l("Per unit, in rupees, e.g. 1250.00"))
    unit = SelectField(
        _l("Unit"), choices=[SelectChoice(value) for value in UNITS], validate_choice=False
    )
    moq = StringField(_l("Minimum order quantity"), default="1")
    description = TextAreaField(_l("Description"))
    specifications = TextAreaField(
        _l("Specifications"), description=_l("One per line, as 'Name: Value', e.g. 'Grade: 304'")
    )
    brand = StringField(_l("Brand"), description=_l("Leave empty for unbranded goods"))
    hsn_code = StringField(
        _l("HSN code"), description=_l("4, 6 or 8 digits, as on your GST invoice")
    )
    gst_rate = SelectField(
        _l("GST rate"),
        choices=[SelectChoice("", _l("Not stated"))]
        + [SelectChoice(gst_label(rate), f"{gst_label(rate)}%") for rate in GST_SLABS],
        validate_choice=False,
    )
    price_includes_gst = BooleanField(_l("The price includes GST"))
    price_slabs = TextAreaField(
        _l("Quantity price slabs"),
        description=_l(
            "One per line, as 'from quantity: price', e.g. '1000: 58' (₹58 a unit from 1,000 units)"
        ),
    )
    delivery_time = StringField(_l("Delivery time"), description=_l("e.g. '7 days' or 'Ex-stock'"))
    payment_terms = StringField(
        _l("Payment terms"), description=_l("e.g. '50% advance, balance before dispatch'")
    )
    photos = MultipleFileField(_l("Photos"), description=_l("JPEG, PNG or WebP, up to 5 MB each"))
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("active", _l("Active: listed")),
            SelectChoice("paused", _l("Paused: not listed")),
        ],
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice("", _("Choose a category"))] + [
            SelectChoice(leaf.slug, category_label(leaf), optgroup=category_label(root))
            for root, leaves in category_tree()
            for leaf in leaves
        ]

    def fill(self, product: Product) -> None:
        """Show a listing's own values in the fields the form writes differently."""
        self.category.data = product.category.slug
        self.price.data = f"{product.price:.2f}"
        self.moq.data = str(product.moq)
        self.status.data = str(product.status)
        self.specifications.data = specifications_text(product.specification_pairs())
        self.gst_rate.data = gst_label(product.gst_rate) if product.gst_rate is not None else ""
        self.price_slabs.data = slabs_text(product.price_slabs or [])

    def service_data(self) -> dict[str, object]:
        return {
            "name": self.name.data,
            "category": self.category.data,
            "price": self.price.data,
            "unit": self.unit.data,
            "moq": self.moq.data or None,
            "description": self.description.data or "",
            "specifications": parse_specifications(self.specifications.data or ""),
            "status": self.status.data or "active",
            "brand": self.brand.data or None,
            "hsn_code": self.hsn_code.data or None,
            "gst_rate": self.gst_rate.data or None,
            "price_includes_gst": bool(self.price_includes_gst.data),
            "price_slabs": parse_slabs(self.price_slabs.data or ""),
            "delivery_time": self.delivery_time.data or None,
            "payment_terms": self.payment_terms.data or None,
        }

    def uploads(self) -> list[object]:
        """The photos chosen in the form (a browser sends one empty part when none is)."""
        return [upload for upload in self.photos.data or [] if getattr(upload, "filename", "")]


def parse_specifications(text: str) -> dict[str, str] | list[dict[str, str]]:
    """'Grade: 304' lines into name/value pairs; a line without a colon keeps its text as the
    name with an empty value, so that the service names it in its error."""
    pairs = []
    for line in text.splitlines():
        if line.strip():
            name, _colon, value = line.partition(":")
            pairs.append({"name": name.strip(), "value": value.strip()})
    return pairs


def parse_slabs(text: str) -> list[dict[str, str]]:
    """'1000: 58' lines into slabs; the service checks the numbers and names a bad line."""
    slabs = []
    for line in text.splitlines():
        if line.strip():
            quantity, _colon, price = line.partition(":")
            slabs.append(
                {
                    "min_quantity": quantity.strip().replace(",", "").rstrip("+").strip(),
                    "price": price.strip().lstrip("₹").strip(),
                }
            )
    return slabs


def slabs_text(slabs: list[dict[str, object]]) -> str:
    return "\n".join(f"{slab['min_quantity']}: {slab['price']}" for slab in slabs)


def specifications_text(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in pairs)


class ImageForm(FlaskForm):
    image = FileField(_l("Add a photo"), description=_l("JPEG, PNG or WebP, up to 5 MB"))


class HideForm(FlaskForm):
    reason = StringField(_l("Reason for hiding"))


class SheetForm(FlaskForm):
    sheet = FileField(
        _l("Products sheet (Excel or CSV)"),
        description=_l(
            "One product a row; the first row names the columns. An Excel workbook "
            "(.xlsx: its first sheet) or a CSV saved as 'CSV UTF-8'."
        ),
    )


class ConfirmSheetForm(FlaskForm):
    text = TextAreaField()  # the checked sheet, carried back to be checked again and listed
