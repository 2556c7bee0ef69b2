"""A product as the search index sees it: built from one flat row of catalogue data.

This runs once per product on every rebuild, so it does only what the index needs: the
specifications are indexed as their stored JSON text (the tokenizer finds the same words in it)
and the creation time as seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from search.analysis import words
from search.vocabulary import specification_words

# What a result shows without touching the database: stored in the index with the document.
DISPLAY_FIELDS = (
    "id",
    "name",
    "price",
    "unit",
    "moq",
    "category",
    "supplier_id",
    "company_name",
    "city",
    "state",
    "gst_verified",
    "created",
    "image",
    "brand",
    "gst_rate",
    "price_includes_gst",
    "rating",
    "rating_count",
)


def rating_rank(average: float | None, count: int) -> float:
    """One number that sorts by rating: the average (to two decimals) first, then the number
    of ratings behind it; a supplier nobody rated sorts last. One field, so that both engines
    (the embedded one sorts by a single field) order results the same way."""
    if not count or average is None:
        return 0.0
    # Hundredths of a star, each worth more than any count: 4.51 from 10 ratings outranks 4.50
    # from 20,000.
    return round(average * 100) * 1_000_000.0 + min(count, 999_999)


def suggestion_phrases(name: str) -> list[str]:
    """'SS 304 Seamless Pipe' -> 'ss 304 seamless pipe', '304 seamless pipe', 'seamless pipe':
    a prefix of the name or of one of its next words finds it (three phrases at most: every
    one is a term in the index)."""
    tokens = words(name)
    starts = [start for start in range(len(tokens)) if len(tokens[start]) > 1][:3]
    return [" ".join(tokens[start:]) for start in starts]


def product_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """`row`: the columns of catalog.indexing.document_rows()."""
    category_name = row["category_name"]
    brand = row.get("brand") or ""
    # The brand and the HSN code are found by the words of a search too (in the spec sheet), and
    # the measures and grades as a query reads them ("5 HP" as 5hp, "Fe 500D" as fe500d).
    measures = specification_words(row["name"], row["specifications"] or "")
    # The unit it is sold by is a word of its specifications too ("cement bag").
    specs = " ".join(
        filter(None, (row["specifications"], brand, row.get("hsn_code"), row["unit"], measures))
    )
    gst_rate = row.get("gst_rate")
    return {
        "id": row["id"],
        "version": row["version"],
        "name": row["name"],
        "description": row["description"] or "",
        "specs": specs,
        "category": row["category_slug"],
        "category_path": row["category_path"].strip("/").split("/"),
        "category_text": f"{category_name} {row['industry_name']}",
        "supplier_id": row["supplier_id"],
        "company_name": row["company_name"],
        "supplier": row["company_name"],
        "state": row["state"],
        "city": row["city"],
        "gst_verified": row["gst_verification"] == "verified",
        "price": row["price"],
        "unit": row["unit"],
        "moq": row["moq"],
        "created": row["created"],
        "image": row["image"] or "",
        "brand": brand,
        "gst_rate": "" if gst_rate is None else f"{float(gst_rate):g}",
        "price_includes_gst": bool(row.get("price_includes_gst")),
        "rating": round(row.get("rating_average") or 0.0, 1),
        "rating_count": row.get("rating_count") or 0,
        "rating_rank": rating_rank(row.get("rating_average"), row.get("rating_count") or 0),
        "suggest": [*suggestion_phrases(row["name"]), category_name.lower()],
        # How the supplier answers enquiries, as one number (higher is better): the response
        # sort, and the tie-breaker among equally relevant results.
        "response_rank": int(row.get("response_rank") or 0),
    }


def display(document: Mapping[str, Any]) -> dict[str, Any]:
    """A stored document as results show it: price as rupees, time as ISO 8601 UTC."""
    shown = {key: document.get(key) for key in DISPLAY_FIELDS}
    shown["price"] = f"{float(shown['price']):.2f}"
    shown["image"] = shown["image"] or None
    shown["brand"] = shown["brand"] or None
    shown["gst_rate"] = shown["gst_rate"] or None
    shown["price_includes_gst"] = bool(shown["price_includes_gst"])
    shown["rating_count"] = shown["rating_count"] or 0  # a document indexed before ratings
    shown["rating"] = shown["rating"] if shown["rating_count"] else None
    created = shown.pop("created")
    shown["created_at"] = datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return shown
