"""A supplier's public profile over JSON (its storefront's facts, checks and figures)."""

from __future__ import annotations

from marketplace.api.blueprint import bp
from marketplace.catalog import supplier_profiles
from marketplace.openapi import operation


@bp.get("/suppliers/<int:supplier_id>")
@operation(
    "A supplier's public profile: the business, its GST check, how it answers enquiries, "
    "its rating",
    tag="catalog",
    responses={200: supplier_profiles.SupplierProfileView},
    problems=(404,),
)
def supplier_profile(supplier_id: int):  # type: ignore[no-untyped-def]
    return supplier_profiles.supplier_profile(supplier_id)
