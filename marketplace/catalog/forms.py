"""Catalogue forms: CSRF and rendering; the rules live in catalog.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from marketplace.catalog.models import UNITS
from marketplace.catalog.services import category_tree


class ProductForm(FlaskForm):
    name = StringField(
        "Product name", description="What buyers search for, e.g. 'SS 304 Seamless Pipe'"
    )
    category = SelectField("Category", validate_choice=False)
    price = StringField("Price (₹)", description="Per unit, in rupees, e.g. 1250.00")
    unit = SelectField(
        "Unit", choices=[SelectChoice(value) for value in UNITS], validate_choice=False
    )
    moq = StringField("Minimum order quantity", default="1")
    description = TextAreaField("Description")
    specifications = TextAreaField(
        "Specifications", description="One per line, as 'Name: Value', e.g. 'Grade: 304'"
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("active", "Active: listed"),
            SelectChoice("paused", "Paused: not listed"),
        ],
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice("", "Choose a category")] + [
            SelectChoice(leaf.slug, leaf.name, optgroup=root.name)
            for root, leaves in category_tree()
            for leaf in leaves
        ]

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
        }


def parse_specifications(text: str) -> dict[str, str] | list[dict[str, str]]:
    """'Grade: 304' lines into name/value pairs; a line without a colon keeps its text as the
    name with an empty value, so that the service names it in its error."""
    pairs = []
    for line in text.splitlines():
        if line.strip():
            name, _, value = line.partition(":")
            pairs.append({"name": name.strip(), "value": value.strip()})
    return pairs


def specifications_text(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in pairs)


class ImageForm(FlaskForm):
    image = FileField("Add a photo", description="JPEG, PNG or WebP, up to 5 MB")


class HideForm(FlaskForm):
    reason = StringField("Reason for hiding")
