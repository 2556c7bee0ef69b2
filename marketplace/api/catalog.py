"""Categories, products and search over JSON."""

from __future__ import annotations

from flask import jsonify, request

from marketplace.accounts.models import Role
from marketplace.accounts.policy import Scope
from marketplace.api import authenticated, bp, current_api_user, json_body, page_body, pagination
from marketplace.catalog import queries, schemas, services
from marketplace.extensions import limiter


@bp.get("/categories")
@limiter.exempt
def categories():  # type: ignore[no-untyped-def]
    return jsonify(schemas.category_tree(services.category_tree()))


@bp.post("/products")
@authenticated(Role.SUPPLIER, scope=Scope.CATALOG_WRITE)
def create_product():  # type: ignore[no-untyped-def]
    product = services.create_product(current_api_user(), json_body())
    return jsonify(schemas.product_owner(product)), 201


@bp.get("/products/<int:product_id>")
def product(product_id: int):  # type: ignore[no-untyped-def]
    return jsonify(schemas.product_public(services.public_product(product_id)))


@bp.patch("/products/<int:product_id>")
@authenticated(Role.SUPPLIER, scope=Scope.CATALOG_WRITE)
def update_product(product_id: int):  # type: ignore[no-untyped-def]
    product = services.update_product(current_api_user(), product_id, json_body())
    return jsonify(schemas.product_owner(product))


@bp.delete("/products/<int:product_id>")
@authenticated(Role.SUPPLIER, scope=Scope.CATALOG_WRITE)
def delete_product(product_id: int):  # type: ignore[no-untyped-def]
    services.delete_product(current_api_user(), product_id)
    return "", 204


@bp.post("/products/<int:product_id>/images")
@authenticated(Role.SUPPLIER, scope=Scope.CATALOG_WRITE)
def add_image(product_id: int):  # type: ignore[no-untyped-def]
    upload = request.files.get("image")
    image = services.add_image(current_api_user(), product_id, upload.stream if upload else None)
    return jsonify(schemas.image_owner(image)), 201


@bp.delete("/products/<int:product_id>/images/<int:image_id>")
@authenticated(Role.SUPPLIER, scope=Scope.CATALOG_WRITE)
def delete_image(product_id: int, image_id: int):  # type: ignore[no-untyped-def]
    services.delete_image(current_api_user(), product_id, image_id)
    return "", 204


@bp.post("/products/<int:product_id>/visibility")
@authenticated(Role.ADMIN)
def product_visibility(product_id: int):  # type: ignore[no-untyped-def]
    product = services.set_hidden(current_api_user(), product_id, json_body())
    return jsonify(schemas.product_owner(product))


@bp.get("/me/products")
@authenticated(Role.SUPPLIER)
def my_products():  # type: ignore[no-untyped-def]
    page, per_page = pagination()
    rows, total = services.own_products(current_api_user(), page=page, per_page=per_page)
    return jsonify(page_body([schemas.product_owner(p) for p in rows], total, page, per_page))


@bp.get("/suppliers/<int:supplier_id>/products")
def storefront_products(supplier_id: int):  # type: ignore[no-untyped-def]
    services.public_supplier(supplier_id)
    return jsonify(
        schemas.search_page(queries.search_products(request.args, supplier_id=supplier_id))
    )


@bp.get("/search")
def search():  # type: ignore[no-untyped-def]
    return jsonify(schemas.search_page(queries.search_products(request.args)))


@bp.get("/search/suggest")
@limiter.limit("600 per minute")
def suggest():  # type: ignore[no-untyped-def]
    return jsonify({"suggestions": queries.suggest(request.args.get("q", ""))})
