"""A product as the search index sees it: built from one flat row of catalogue data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from search.analysis import words

# What a result shows without touching the database.
DISPLAY_FIELDS = (
    "id",
    "name",
    "price",
    "unit",
    "moq",
    "category",
    "category_name",
    "supplier_id",
    "company_name",
    "city",
    "state",
    "gst_verified",
    "created_at",
    "image",
)


def suggestion_phrases(name: str) -> list[str]:
    """'SS 304 Seamless Pipe' -> 'ss 304 seamless pipe', '304 seamless pipe', 'seamless pipe',
    so that a prefix of any later word of the name finds it too."""
    tokens = words(name)
    return [" ".join(tokens[start:]) for start in range(len(tokens)) if len(tokens[start]) > 1]


def product_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """`row`: the columns of catalog.indexing.document_rows()."""
    specifications = row["specifications"] or []
    price: Decimal = row["price"]
    created: datetime = row["created_at"]
    return {
        "id": int(row["id"]),
        "version": int(row["version"]),
        "name": row["name"],
        "description": row["description"] or "",
        "specs": " ; ".join(f"{name} {value}" for name, value in specifications),
        "category": row["category_slug"],
        "category_name": row["category_name"],
        "category_path": [slug for slug in row["category_path"].split("/") if slug],
        "category_text": f"{row['category_name']} {row['industry_name']}",
        "supplier_id": int(row["supplier_id"]),
        "company_name": row["company_name"],
        "state": row["state"],
        "city": row["city"],
        "gst_verified": row["gst_verification"] == "verified",
        "price": f"{price:.2f}",
        "unit": row["unit"],
        "moq": int(row["moq"]),
        "created": int(created.timestamp()),
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "image": row.get("image"),
        "suggest": [*suggestion_phrases(row["name"]), row["category_name"].lower()],
    }


def display(document: Mapping[str, Any]) -> dict[str, Any]:
    return {key: document.get(key) for key in DISPLAY_FIELDS}
