"""Bulk upload: a supplier's sheet of products (CSV), checked row by row, then listed.

The sheet's columns are the API's product fields; lists are written in one cell each
("Grade: 304; Size: 2 inch", "100: 62; 1000: 58"). The download of one's listings uses the same
columns, so a supplier can download, edit in a spreadsheet and upload again (as new listings).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog import policy, services
from marketplace.catalog.inputs import ProductIn
from marketplace.catalog.models import Product
from marketplace.catalog.trade import gst_label
from marketplace.errors import ValidationFailed
from marketplace.spreadsheets import safe_cell
from marketplace.validation import validated

COLUMNS = (
    "name",
    "category",
    "price",
    "unit",
    "moq",
    "description",
    "specifications",
    "hsn_code",
    "gst_rate",
    "price_includes_gst",
    "price_slabs",
    "brand",
    "delivery_time",
    "payment_terms",
)
REQUIRED_COLUMNS = ("name", "category", "price", "unit")
MAX_ROWS = 500
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class SheetRow:
    number: int  # as a spreadsheet counts: the header is row 1
    cells: dict[str, str]
    data: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)


def _pairs(cell: str) -> list[tuple[str, str]]:
    return [
        (name.strip(), value.strip())
        for name, _colon, value in (part.partition(":") for part in cell.split(";"))
        if name.strip() or value.strip()
    ]


def _row_data(cells: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {key: value for key, value in cells.items() if value != ""}
    if "specifications" in data:
        data["specifications"] = [
            {"name": name, "value": value} for name, value in _pairs(data["specifications"])
        ]
    if "price_slabs" in data:
        data["price_slabs"] = [
            {"min_quantity": quantity.replace(",", "").rstrip("+").strip(), "price": price}
            for quantity, price in _pairs(data["price_slabs"])
        ]
    return data


def read_sheet(user: User, stream: IO[bytes] | None) -> tuple[list[SheetRow], str]:
    """Every row of an uploaded CSV or Excel workbook with what is wrong with it, and the sheet
    as CSV text (what the confirm step sends back); nothing is stored."""
    policy.supplier_of(user)
    if stream is None:
        raise ValidationFailed({"sheet": [_("choose a CSV file")]})
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationFailed({"sheet": [_("must be at most 2 MB")]})
    if raw.startswith(_XLSX_MAGIC):
        text = _xlsx_as_csv(raw)
        return check_text(text), text
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            {"sheet": [_("must be an Excel workbook (.xlsx) or a CSV file saved as UTF-8")]}
        ) from None
    return check_text(text), text


_XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a ZIP


def _xlsx_as_csv(raw: bytes) -> str:
    """The first worksheet of an Excel workbook as CSV text, so that the preview, the confirm
    step and the checks are the CSV's. Read in streaming mode and cut at the row limit, so a
    workbook that inflates to something huge is not read whole."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ValidationFailed({"sheet": [f"is not a readable Excel workbook ({error})"]}) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ValidationFailed({"sheet": [_("has no worksheet")]})
        out = io.StringIO()
        writer = csv.writer(out)
        width = len(COLUMNS) + 5
        for index, row in enumerate(sheet.iter_rows(values_only=True, max_col=width)):
            if index > MAX_ROWS + 1:
                raise ValidationFailed(
                    {"sheet": [_("has more than %(count)s products", count=MAX_ROWS)]}
                )
            writer.writerow(_cell_text(value) for value in row)
        return out.getvalue()
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A cell as a person typed it: 500 rather than 500.0, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def check_text(text: str) -> list[SheetRow]:
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise ValidationFailed({"sheet": [f"is not a readable CSV file ({error})"]}) from None
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column and column not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"needs the columns {', '.join(missing)}")
        if unknown:
            problems.append(f"has columns we do not know: {', '.join(unknown)}")
        raise ValidationFailed(
            {"sheet": ["; ".join(problems) + f" (columns: {', '.join(COLUMNS)})"]}
        )
    reader.fieldnames = header
    rows: list[SheetRow] = []
    try:
        for number, record in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed(
                    {"sheet": [_("has more than %(count)s products", count=MAX_ROWS)]}
                )
            if None in record:  # more cells than columns
                cells = {key: (value or "").strip() for key, value in record.items() if key}
                rows.append(
                    SheetRow(number, cells, {}, {"row": [_("has more cells than columns")]})
                )
                continue
            cells = {key: (value or "").strip() for key, value in record.items() if key}
            if not any(cells.values()):
                continue  # an empty line
            data = _row_data(cells)
            row = SheetRow(number, cells, data)
            try:
                services.check_product(validated(ProductIn, data))
            except ValidationFailed as refused:
                row.errors = refused.errors
            rows.append(row)
    except csv.Error as error:
        raise ValidationFailed({"sheet": [f"is not a readable CSV file ({error})"]}) from None
    if not rows:
        raise ValidationFailed({"sheet": [_("has no products in it")]})
    return rows


def import_rows(user: User, text: str) -> tuple[list[Product], list[SheetRow]]:
    """List every good row of a checked sheet; returns the products and the rows left out."""
    rows = check_text(text)
    good = [row for row in rows if not row.errors]
    products = [services.create_product(user, validated(ProductIn, row.data)) for row in good]
    return products, [row for row in rows if row.errors]


def export_rows(products: Iterable[Product]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for product in products:
        writer.writerow(
            safe_cell(value)
            for value in (
                product.name,
                product.category.slug,
                f"{product.price:.2f}",
                product.unit,
                product.moq,
                product.description,
                "; ".join(f"{name}: {value}" for name, value in product.specification_pairs()),
                product.hsn_code,
                gst_label(product.gst_rate) if product.gst_rate is not None else "",
                "yes" if product.price_includes_gst else "no",
                "; ".join(f"{s['min_quantity']}: {s['price']}" for s in product.price_slabs or []),
                product.brand,
                product.delivery_time,
                product.payment_terms,
            )
        )
    return out.getvalue()
