"""Bulk upload: a CSV of products, checked row by row, listed on confirmation; the download."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from tests.conftest import csrf_token, sign_in_page

GOOD = (
    "name,category,price,unit,moq,specifications,hsn_code,gst_rate,price_includes_gst,"
    "price_slabs,brand\n"
    "SS 304 Seamless Pipe,stainless-steel-pipes,320,kg,100,Grade: 304; Size: 2 inch,"
    "73064000,18,no,100: 320; 1000: 300,Jindal\n"
    "MS Plate IS 2062,mild-steel-plates,62,kg,1000,,72085100,18,yes,,\n"
)
BAD_ROW = "Unknown thing,no-such-category,12,litre,1,,12345,12,no,,\n"


@pytest.fixture()
def signed_in(client, supplier, categories) -> str:
    sign_in_page(client, supplier)
    return csrf_token(client.get("/dashboard/products/upload").get_data(as_text=True))


def _upload(client, token: str, text: str, name: str = "products.csv"):
    return client.post(
        "/dashboard/products/upload",
        data={"csrf_token": token, "sheet": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def _count() -> int:
    return db.session.scalar(select(func.count(Product.id))) or 0


def test_a_sheet_with_one_bad_row_is_previewed_then_the_good_rows_listed(client, signed_in):
    preview = _upload(client, signed_in, GOOD + BAD_ROW)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:2000]
    assert "2 of 3 rows can be listed" in page
    assert '<tr class="row-error" data-row="4">' in page  # spreadsheet numbering
    for field in ("category", "hsn_code", "gst_rate"):
        assert f"<strong>{field}</strong>" in page
    assert _count() == 0  # nothing until confirmed
    confirm = client.post(
        "/dashboard/products/upload/confirm",
        data={"csrf_token": csrf_token(page), "text": GOOD + BAD_ROW},
    )
    assert confirm.status_code == 302
    assert _count() == 2
    flashed = client.get("/dashboard/products").get_data(as_text=True)
    assert "2 products listed. 1 row with errors left out." in flashed
    pipe = db.session.scalar(select(Product).where(Product.brand == "Jindal"))
    assert pipe.price_slabs == [
        {"min_quantity": 100, "price": "320.00"},
        {"min_quantity": 1000, "price": "300.00"},
    ]
    assert pipe.specification_pairs() == [("Grade", "304"), ("Size", "2 inch")]


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,price\nPipe,10\n", "needs the columns category, unit"),
        ("name,category,price,unit,colour\n", "has columns we do not know: colour"),
        ("name,category,price,unit\n", "has no products in it"),
    ],
)
def test_a_sheet_that_cannot_be_read_is_refused_whole(client, signed_in, text, message):
    response = _upload(client, signed_in, text)
    assert response.status_code == 422 and message in response.get_data(as_text=True).lower()


def test_a_sheet_not_in_utf8_is_refused(client, signed_in):
    response = client.post(
        "/dashboard/products/upload",
        data={"csrf_token": signed_in, "sheet": (io.BytesIO("name,₹".encode("utf-16")), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "UTF-8" in response.get_data(as_text=True)


def test_the_download_has_the_upload_columns_and_reads_back(client, signed_in):
    _upload(client, signed_in, GOOD)
    client.post("/dashboard/products/upload/confirm", data={"csrf_token": signed_in, "text": GOOD})
    download = client.get("/dashboard/products/export.csv")
    assert download.mimetype == "text/csv"
    text = download.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["name"] for row in rows] == ["SS 304 Seamless Pipe", "MS Plate IS 2062"]
    assert rows[0]["price_slabs"] == "100: 320.00; 1000: 300.00"
    assert rows[1]["price_includes_gst"] == "yes"
    again = _upload(client, signed_in, text)
    assert "2 of 2 rows can be listed" in again.get_data(as_text=True)


def test_formulas_are_not_exported_as_formulas(client, signed_in):
    sheet = "name,category,price,unit\n=HYPERLINK(1),stainless-steel-pipes,10,kg\n"
    client.post("/dashboard/products/upload/confirm", data={"csrf_token": signed_in, "text": sheet})
    text = client.get("/dashboard/products/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_buyers_cannot_upload(client, buyer, categories):
    sign_in_page(client, buyer)
    assert client.get("/dashboard/products/upload").status_code == 403
    assert client.get("/dashboard/products/export.csv").status_code == 403


def _workbook(text: str) -> bytes:
    """The CSV's rows as an Excel workbook, numbers as numbers, as a supplier's sheet has them."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(text)):
        sheet.append([float(cell) if cell.replace(".", "", 1).isdigit() else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_is_read_like_the_csv(client, signed_in):
    preview = client.post(
        "/dashboard/products/upload",
        data={"csrf_token": signed_in, "sheet": (io.BytesIO(_workbook(GOOD + BAD_ROW)), "p.xlsx")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:2000]
    assert "2 of 3 rows can be listed" in page
    assert "<strong>category</strong>" in page and _count() == 0
    broken = client.post(
        "/dashboard/products/upload",
        data={"csrf_token": signed_in, "sheet": (io.BytesIO(b"PK\x03\x04broken"), "p.xlsx")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422
    assert "not a readable Excel workbook" in broken.get_data(as_text=True)
