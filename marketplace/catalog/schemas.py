"""What each audience may see of a product (the public, its owner) and of a search hit."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import request, url_for
from pydantic import Field
from typing_extensions import TypedDict

from marketplace.accounts.schemas import SupplierCard, supplier_public
from marketplace.catalog.categories import CategoryInfo
from marketplace.catalog.models import Product as ProductRow
from marketplace.catalog.models import ProductImage as ProductImageRow
from marketplace.catalog.queries import SearchPage, category_name
from marketplace.catalog.taxonomy import slugify
from marketplace.catalog.trade import gst_label
from marketplace.fields import Timestamp
from marketplace.reviews.schemas import Rating
from search.protocol import SearchHit as Hit


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


class Category(TypedDict):
    slug: str
    name: str
    children: list[Category]


class ProductImage(TypedDict):
    id: int
    url: str
    width: int
    height: int


class PriceSlab(TypedDict):
    min_quantity: int
    price: Annotated[str, Field(description="rupees per unit from this quantity")]


class TradeDetails(TypedDict):
    hsn_code: str | None
    gst_rate: Annotated[str | None, Field(description="a current GST slab in per cent")]
    price_includes_gst: bool
    price_slabs: Annotated[
        list[PriceSlab], Field(description="quantity price slabs, quantities strictly increasing")
    ]
    brand: str | None
    delivery_time: str | None
    payment_terms: str | None


class Product(TradeDetails):
    """A listed product, as anyone may see it."""

    id: int
    name: str
    category: Annotated[str, Field(description="a leaf category slug")]
    category_name: str
    description: str
    price: Annotated[str, Field(description='rupees, e.g. "1250.00"')]
    unit: str
    moq: int
    specifications: dict[str, str]
    images: list[str]
    supplier: SupplierCard
    url: str
    created_at: Timestamp
    updated_at: Timestamp


class OwnProduct(Product):
    """A product as its supplier sees it."""

    status: Literal["active", "paused"]
    hidden: bool
    hidden_reason: str | None
    version: int
    image_ids: list[int]


class RatedSupplierCard(SupplierCard):
    """A supplier beside a search result: also its rating, as indexed."""

    rating: Rating


class SearchHit(TypedDict):
    id: int
    name: str
    price: str
    unit: str
    moq: int
    category: str
    category_name: str
    supplier: RatedSupplierCard
    image: str | None
    brand: str | None
    gst_rate: Annotated[str | None, Field(description="per cent")]
    price_includes_gst: bool
    url: str
    highlight: Annotated[dict[str, str], Field(description="field -> HTML with <b>")]
    created_at: str | None


class Facet(TypedDict):
    value: str
    label: str
    count: int


# "from" is a Python keyword, hence the functional form.
PriceFacet = TypedDict("PriceFacet", {"from": str | None, "to": str | None, "count": int})


class Facets(TypedDict, total=False):
    category: list[Facet]
    state: list[Facet]
    city: list[Facet]
    brand: list[Facet]
    price: list[PriceFacet]


class SearchResults(TypedDict):
    items: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: Annotated[Facets, Field(description="counts over the whole result set, not the page")]
    relaxed: Annotated[bool, Field(description="no result matched every word")]
    corrected: Annotated[
        str | None,
        Field(
            description="the words the results match, when typo tolerance changed what was typed "
            "(search again with exact=true for the words as typed)"
        ),
    ]
    place: Annotated[
        str | None,
        Field(
            description="a city or state named in q, applied as a location filter (or, when "
            "nothing matched there, the wider place searched instead: the city's state; null "
            "for everywhere)"
        ),
    ]
    place_widened_from: Annotated[
        str | None,
        Field(
            description="the place named in q when nothing matched there and the search was "
            "widened (to its state, then everywhere)"
        ),
    ]


class Suggestions(TypedDict):
    suggestions: list[str]


def category_tree(tree: list[tuple[CategoryInfo, list[CategoryInfo]]]) -> list[Category]:
    return [
        {
            "slug": root.slug,
            "name": root.name,
            "children": [{"slug": leaf.slug, "name": leaf.name, "children": []} for leaf in leaves],
        }
        for root, leaves in tree
    ]


def image_owner(image: ProductImageRow) -> ProductImage:
    return {
        "id": image.id,
        "url": image_url(image.stored_name),
        "width": image.width,
        "height": image.height,
    }


def product_public(product: ProductRow) -> Product:
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
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


def trade_details(product: ProductRow) -> TradeDetails:
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


def product_owner(product: ProductRow) -> OwnProduct:
    return {
        **product_public(product),
        "status": str(product.status),
        "hidden": product.hidden_at is not None,
        "hidden_reason": product.hidden_reason,
        "version": product.version,
        "image_ids": [image.id for image in product.images],
    }


def search_hit(hit: Hit) -> SearchHit:
    doc = hit.document
    return {
        "id": hit.id,
        "name": doc["name"],
        "price": doc["price"],
        "unit": doc["unit"],
        "moq": doc["moq"],
        "category": doc["category"],
        "category_name": doc.get("category_name") or category_name(doc["category"]),
        "supplier": {
            "id": doc["supplier_id"],
            "company_name": doc["company_name"],
            "city": doc["city"],
            "state": doc["state"],
            "gst_verified": doc["gst_verified"],
            "rating": {"average": doc.get("rating"), "count": doc.get("rating_count") or 0},
        },
        "image": doc.get("image"),
        "brand": doc.get("brand"),
        "gst_rate": doc.get("gst_rate"),
        "price_includes_gst": bool(doc.get("price_includes_gst")),
        "url": product_url(hit.id, doc["name"]),
        "highlight": hit.highlights,
        "created_at": doc.get("created_at"),
    }


def search_page(page: SearchPage) -> SearchResults:
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
