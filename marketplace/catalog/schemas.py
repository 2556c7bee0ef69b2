"""What each audience may see of a product (the public, its owner) and of a search hit."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from marketplace.accounts.schemas import supplier_public
from marketplace.catalog.models import Product, ProductImage
from marketplace.catalog.queries import SearchPage, category_label
from marketplace.catalog.services import CategoryInfo
from marketplace.catalog.taxonomy import slugify
from marketplace.catalog.trade import gst_label
from marketplace.formatting import iso_utc
from search.protocol import SearchHit


def product_url(product_id: int, name: str) -> str:
    # Built directly rather than with url_for: a results page builds twenty of these and
    # url_for costs more than the search. The product page redirects to this address, so a
    # test that follows it fails if the two ever disagree.
    return f"{request.script_root}/products/{product_id}/{slugify(name)[:80]}"


def supplier_url(supplier_id: int, company_name: str) -> str:
    # Built directly for the same reason as product_url; the storefront redirects here too.
    return f"{request.script_root}/suppliers/{supplier_id}/{slugify(company_name)[:80]}"


def image_url(stored_name: str) -> str:
    return url_for("catalog.image", name=stored_name)


def category_tree(tree: list[tuple[CategoryInfo, list[CategoryInfo]]]) -> list[dict[str, Any]]:
    return [
        {
            "slug": root.slug,
            "name": root.name,
            "children": [{"slug": leaf.slug, "name": leaf.name, "children": []} for leaf in leaves],
        }
        for root, leaves in tree
    ]


def image_owner(image: ProductImage) -> dict[str, Any]:
    return {
        "id": image.id,
        "url": image_url(image.stored_name),
        "width": image.width,
        "height": image.height,
    }


def product_public(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "category": product.category.slug,
        "category_name": product.category.name,
        "description": product.description,
        "price": f"{product.price:.2f}",
        "unit": product.unit,
        "moq": product.moq,
        "specifications": dict(product.specification_pairs()),
        **trade_details(product),
        "images": [image_url(image.stored_name) for image in product.images],
        "supplier": supplier_public(product.supplier),
        "url": product_url(product.id, product.name),
        "created_at": iso_utc(product.created_at),
        "updated_at": iso_utc(product.updated_at),
    }


def trade_details(product: Product) -> dict[str, Any]:
    return {
        "hsn_code": product.hsn_code,
        "gst_rate": None if product.gst_rate is None else gst_label(product.gst_rate),
        "price_includes_gst": bool(product.price_includes_gst),
        "price_slabs": [
            {"min_quantity": int(slab["min_quantity"]), "price": str(slab["price"])}
            for slab in product.price_slabs or []
        ],
        "brand": product.brand,
        "delivery_time": product.delivery_time,
        "payment_terms": product.payment_terms,
    }


def product_owner(product: Product) -> dict[str, Any]:
    return {
        **product_public(product),
        "status": str(product.status),
        "hidden": product.hidden_at is not None,
        "hidden_reason": product.hidden_reason,
        "version": product.version,
        "image_ids": [image.id for image in product.images],
    }


def search_hit(hit: SearchHit) -> dict[str, Any]:
    doc = hit.document
    return {
        "id": hit.id,
        "name": doc["name"],
        "price": doc["price"],
        "unit": doc["unit"],
        "moq": doc["moq"],
        "category": doc["category"],
        "category_name": doc.get("category_name") or category_label(doc["category"]),
        "supplier": {
            "id": doc["supplier_id"],
            "company_name": doc["company_name"],
            "city": doc["city"],
            "state": doc["state"],
            "gst_verified": doc["gst_verified"],
        },
        "image": doc.get("image"),
        "brand": doc.get("brand"),
        "gst_rate": doc.get("gst_rate"),
        "price_includes_gst": bool(doc.get("price_includes_gst")),
        "url": product_url(hit.id, doc["name"]),
        "highlight": hit.highlights,
        "created_at": doc.get("created_at"),
    }


def search_page(page: SearchPage) -> dict[str, Any]:
    return {
        "items": [search_hit(hit) for hit in page.results.hits],
        "total": page.results.total,
        "page": page.request.page,
        "per_page": page.request.per_page,
        "facets": page.labelled_facets(),
        "relaxed": page.results.relaxed,
        "corrected": page.results.corrected,
        "place": page.place,
        "place_widened_from": page.widened_from,
    }
