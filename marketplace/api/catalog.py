"""Categories, products and search over JSON."""

from __future__ import annotations

from flask import request

from marketplace.accounts.policy import Scope
from marketplace.api.blueprint import authenticated, bp, current_api_user
from marketplace.catalog import categories as category_tree
from marketplace.catalog import policy, queries, schemas, services
from marketplace.catalog.inputs import ProductChange, ProductIn, VisibilityIn
from marketplace.extensions import limiter
from marketplace.fields import Page, PageQuery
from marketplace.openapi import Reply, operation

_UPLOAD = Reply(
    {
        "type": "object",
        "required": ["image"],
        "properties": {"image": {"type": "string", "format": "binary"}},
    },
    media="multipart/form-data",
)


@bp.get("/categories")
@limiter.exempt
@operation("The category tree", tag="catalog", responses={200: list[schemas.Category]})
def categories():  # type: ignore[no-untyped-def]
    return schemas.category_tree(category_tree.category_tree())


@bp.post("/products")
@authenticated(*policy.LISTING_ROLES, scope=Scope.CATALOG_WRITE)
@operation(
    "List a product (supplier)",
    tag="catalog",
    body=ProductIn,
    responses={201: Reply(schemas.OwnProduct, "Listed")},
)
def create_product(body: ProductIn):  # type: ignore[no-untyped-def]
    return schemas.product_owner(services.create_product(current_api_user(), body)), 201


@bp.get("/products/<int:product_id>")
@operation("A listed product", tag="catalog", responses={200: schemas.Product}, problems=(404,))
def product(product_id: int):  # type: ignore[no-untyped-def]
    return schemas.product_public(services.public_product(product_id))


@bp.patch("/products/<int:product_id>")
@authenticated(*policy.LISTING_ROLES, scope=Scope.CATALOG_WRITE)
@operation(
    "Change one's own product; only the fields given change",
    tag="catalog",
    body=ProductChange,
    responses={200: schemas.OwnProduct},
    problems=(404,),
)
def update_product(product_id: int, body: ProductChange):  # type: ignore[no-untyped-def]
    product = services.update_product(current_api_user(), product_id, body)
    return schemas.product_owner(product)


@bp.delete("/products/<int:product_id>")
@authenticated(*policy.LISTING_ROLES, scope=Scope.CATALOG_WRITE)
@operation(
    "Delete one's own product",
    tag="catalog",
    responses={204: Reply(None, "Deleted")},
    problems=(404,),
)
def delete_product(product_id: int):  # type: ignore[no-untyped-def]
    services.delete_product(current_api_user(), product_id)
    return None, 204


@bp.post("/products/<int:product_id>/images")
@authenticated(*policy.LISTING_ROLES, scope=Scope.CATALOG_WRITE)
@operation(
    "Add a photo (multipart field 'image': JPEG, PNG or WebP, at most 5 MB; stored re-encoded "
    "as WebP without metadata)",
    tag="catalog",
    takes=_UPLOAD,
    responses={201: Reply(schemas.ProductImage, "Added")},
    problems=(404, 413, 507),
)
def add_image(product_id: int):  # type: ignore[no-untyped-def]
    upload = request.files.get("image")
    image = services.add_image(current_api_user(), product_id, upload.stream if upload else None)
    return schemas.image_owner(image), 201


@bp.delete("/products/<int:product_id>/images/<int:image_id>")
@authenticated(*policy.LISTING_ROLES, scope=Scope.CATALOG_WRITE)
@operation(
    "Remove a photo", tag="catalog", responses={204: Reply(None, "Removed")}, problems=(404,)
)
def delete_image(product_id: int, image_id: int):  # type: ignore[no-untyped-def]
    services.delete_image(current_api_user(), product_id, image_id)
    return None, 204


@bp.post("/products/<int:product_id>/visibility")
@authenticated(*policy.MODERATOR_ROLES, person=True)
@operation(
    "Hide a listing that breaks the rules, or show it again (admin)",
    tag="catalog",
    body=VisibilityIn,
    responses={200: schemas.OwnProduct},
    problems=(404,),
)
def product_visibility(product_id: int, body: VisibilityIn):  # type: ignore[no-untyped-def]
    product = services.set_hidden(current_api_user(), product_id, body)
    return schemas.product_owner(product)


@bp.get("/me/products")
@authenticated(*policy.LISTING_ROLES, scope=Scope.CATALOG_WRITE)
@operation(
    "The supplier's own products, paused ones included",
    tag="catalog",
    query=PageQuery,
    responses={200: Page[schemas.OwnProduct]},
)
def my_products(query: PageQuery):  # type: ignore[no-untyped-def]
    rows, total = services.own_products(
        current_api_user(), page=query.page, per_page=query.per_page
    )
    items = [schemas.product_owner(product) for product in rows]
    return query.answer(items, total)


@bp.get("/suppliers/<int:supplier_id>/products")
@operation(
    "Search one supplier's storefront (same parameters as /search)",
    tag="catalog",
    query=queries.SearchQuery,
    responses={200: schemas.SearchResults},
    problems=(404, 503),
)
def storefront_products(supplier_id: int, query: queries.SearchQuery):  # type: ignore[no-untyped-def]
    services.public_supplier(supplier_id)
    return schemas.search_page(queries.search_products(query, supplier_id=supplier_id))


@bp.get("/search")
@operation(
    "Search the catalogue",
    tag="search",
    query=queries.SearchQuery,
    responses={200: schemas.SearchResults},
    problems=(503,),
)
def search(query: queries.SearchQuery):  # type: ignore[no-untyped-def]
    return schemas.search_page(queries.search_products(query))


@bp.get("/search/suggest")
@limiter.limit("600 per minute")
@operation(
    "Suggestions for what is being typed",
    tag="search",
    query=queries.SuggestQuery,
    responses={200: schemas.Suggestions},
    problems=(503,),
)
def suggest(query: queries.SuggestQuery):  # type: ignore[no-untyped-def]
    return {"suggestions": queries.suggest(query.q)}
