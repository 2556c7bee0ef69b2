"""Catalogue pages: search, product pages, storefronts, and the supplier's product dashboard."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from pydantic import BaseModel
from werkzeug.datastructures import FileStorage

from marketplace.accounts.forms import ActionForm, accepted, apply_errors
from marketplace.accounts.models import BUSINESS_TYPES, TURNOVER_BANDS, User
from marketplace.accounts.photos import business_photos, photo_folder
from marketplace.api.blueprint import rate_limit_key
from marketplace.catalog import bulk, categories, policy, queries, services
from marketplace.catalog.forms import (
    ConfirmSheetForm,
    HideForm,
    ImageForm,
    ProductForm,
    SheetForm,
)
from marketplace.catalog.icons import category_icon
from marketplace.catalog.inputs import ProductChange, ProductIn, VisibilityIn
from marketplace.catalog.schemas import product_url, supplier_url
from marketplace.catalog.trade import gst_label
from marketplace.catalog.units import UNITS
from marketplace.errors import ValidationFailed
from marketplace.extensions import limiter
from marketplace.formatting import money
from marketplace.leads import response_times
from marketplace.validation import validated
from marketplace.web import requested_page

bp = Blueprint("catalog", __name__)


def _elsewhere(canonical: str) -> Response | None:
    """A permanent redirect when the page was asked for under another address (an old name)."""
    if request.path == canonical:
        return None
    query = request.query_string.decode("latin-1")  # a storefront search keeps its words
    return redirect(f"{canonical}?{query}" if query else canonical, 301)


@bp.get("/search")
@limiter.limit("300 per minute", key_func=rate_limit_key)  # as the API's search
def search():  # type: ignore[no-untyped-def]
    try:
        page = queries.search_products(validated(queries.SearchQuery, request.args.to_dict()))
    except ValidationFailed as refused:
        return render_template(
            "catalog/search.html", page=None, errors=refused.errors, args=request.args
        ), 422
    return render_template(
        "catalog/search.html", page=page, errors={}, args=request.args, responses=_responses(page)
    )


def _responses(page: queries.SearchPage) -> dict[int, str | None]:
    """How each supplier on the page answers enquiries, in one query for the whole page."""
    suppliers = {hit.document["supplier_id"] for hit in page.results.hits}
    figures = response_times.response_figures(suppliers)
    return {supplier_id: response_times.describe(said) for supplier_id, said in figures.items()}


@bp.get("/categories")
def category_index():  # type: ignore[no-untyped-def]
    return render_template("catalog/categories.html", tree=categories.category_tree())


@bp.get("/products/<int:product_id>", defaults={"slug": ""})
@bp.get("/products/<int:product_id>/<slug>")
def product(product_id: int, slug: str):  # type: ignore[no-untyped-def]
    item = services.public_product(product_id)
    if moved := _elsewhere(product_url(item.id, item.name)):
        return moved
    related, _total = services.supplier_products(item.supplier_id, per_page=7)
    return render_template(
        "catalog/product.html",
        product=item,
        supplier=item.supplier,
        more=[p for p in related if p.id != item.id][:6],
        hide_form=HideForm(),
        can_hide_listings=policy.can_hide_listings(current_user),
        action_form=ActionForm(),
        response_line=_response_line(item.supplier_id),
    )


def _response_line(supplier_id: int) -> str | None:
    return response_times.describe(response_times.supplier_response_figures(supplier_id))


@bp.get("/suppliers/<int:supplier_id>", defaults={"slug": ""})
@bp.get("/suppliers/<int:supplier_id>/<slug>")
def storefront(supplier_id: int, slug: str):  # type: ignore[no-untyped-def]
    supplier = services.public_supplier(supplier_id)
    if moved := _elsewhere(supplier_url(supplier.id, supplier.company_name)):
        return moved
    page = requested_page()
    products, total = services.supplier_products(supplier.id, page=page, per_page=24)
    found, errors = _storefront_search(supplier.id)
    return render_template(
        "catalog/storefront.html",
        supplier=supplier,
        products=products,
        total=total,
        page=page,
        per_page=24,
        found=found,
        errors=errors,
        q=request.args.get("q", ""),
        **_about_the_business(supplier),
    ), (422 if errors else 200)


def _about_the_business(supplier: Any) -> dict[str, Any]:
    return {
        "response_line": _response_line(supplier.id),
        "photos": business_photos(supplier),
        "business_types": BUSINESS_TYPES,
        "turnover_bands": TURNOVER_BANDS,
    }


def _storefront_search(supplier_id: int) -> tuple[queries.SearchPage | None, dict[str, Any]]:
    """The storefront's search box searches this supplier's products only."""
    if not request.args.get("q", "").strip():
        return None, {}
    try:
        query = validated(queries.SearchQuery, request.args.to_dict())
        return queries.search_products(query, supplier_id=supplier_id), {}
    except ValidationFailed as refused:
        return None, refused.errors


def _submitted(form: Any, model: type[BaseModel], save: Callable[[Any], Any]) -> tuple[Any, int]:
    """Read a form that passed its CSRF and field checks with `model` and `save` it: (what was
    saved, 200), or (None, 422) with the refusal shown on the form, or (None, 400) for a post
    the form refused."""
    if not accepted(form):
        return None, 400 if request.method == "POST" else 200
    try:
        return save(validated(model, form.service_data())), 200
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return None, 422


@bp.get("/media/products/<name>")
@limiter.exempt
def image(name: str):  # type: ignore[no-untyped-def]
    return send_from_directory(services.image_folder(), name, max_age=31_536_000)


@bp.get("/media/business/<name>")
@limiter.exempt
def business_photo(name: str):  # type: ignore[no-untyped-def]
    return send_from_directory(photo_folder(), name, max_age=31_536_000)


@bp.post("/products/<int:product_id>/visibility")
@login_required
def product_visibility(product_id: int):  # type: ignore[no-untyped-def]
    form = HideForm()
    if not accepted(form):
        abort(400)
    policy.require_hide_listings(current_user)  # a 403 before anything sent is read
    try:
        body = validated(VisibilityIn, request.form.to_dict())
        item = services.set_hidden(current_user._get_current_object(), product_id, body)
    except ValidationFailed as refused:
        for field, messages in refused.errors.items():
            for message in messages:
                flash(_not_hidden_message(field, message), "error")
        return redirect(url_for("catalog.product", product_id=product_id))
    hidden = item.hidden_at is not None
    flash(_visibility_message(hidden), "info")
    if hidden:
        return redirect(url_for("catalog.storefront", supplier_id=item.supplier_id))
    return redirect(product_url(item.id, item.name))


def _not_hidden_message(field: str, problem: str) -> str:
    return _(
        "The listing was not hidden. %(field)s: %(problem)s.",
        field=field.capitalize(),
        problem=problem,
    )


def _visibility_message(hidden: bool) -> str:
    return _("The listing is hidden from buyers.") if hidden else _("The listing is shown again.")


# --- the supplier's dashboard -------------------------------------------------------------
# Every page here goes through the catalogue service, which refuses non-suppliers (403) and
# finds another supplier's product not at all (404).


@bp.get("/dashboard/products")
@login_required
def dashboard():  # type: ignore[no-untyped-def]
    page_number = requested_page()
    products, total = services.own_products(
        current_user._get_current_object(), page=page_number, per_page=50
    )
    return render_template(
        "catalog/dashboard.html", products=products, total=total, page=page_number, per_page=50
    )


@bp.route("/dashboard/products/new", methods=["GET", "POST"])
@login_required
def new_product():  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    policy.supplier_of(user)
    form = ProductForm()
    photos = [upload.stream for upload in form.uploads()]
    item, status = _submitted(form, ProductIn, lambda it: services.create_product(user, it, photos))
    if item is not None:
        flash(
            _("“%(product)s” is listed. Buyers can find it in search now.", product=item.name),
            "success",
        )
        return redirect(url_for("catalog.edit_product", product_id=item.id))
    return render_template(
        "catalog/product_form.html",
        form=form,
        product=None,
        image_form=None,
        action_form=ActionForm(),
    ), status


@bp.route("/dashboard/products/<int:product_id>", methods=["GET", "POST"])
@login_required
def edit_product(product_id: int):  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    item = services.owned_product(user, product_id)
    form = ProductForm(obj=None if request.method == "POST" else item)
    if request.method == "GET":
        form.fill(item)
    saved, status = _submitted(
        form, ProductChange, lambda change: services.update_product(user, product_id, change)
    )
    if saved is not None:
        flash(_("Saved. Search shows the change now."), "success")
        return redirect(url_for("catalog.edit_product", product_id=product_id))
    return render_template(
        "catalog/product_form.html",
        form=form,
        product=item,
        image_form=ImageForm(),
        action_form=ActionForm(),
    ), status


@bp.route("/dashboard/products/upload", methods=["GET", "POST"])
@login_required
def bulk_upload():  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    policy.supplier_of(user)
    form, rows, text, status = SheetForm(), None, "", 200
    if accepted(form):
        try:
            rows, text = _read_upload(user, form.sheet.data)
        except ValidationFailed as refused:
            apply_errors(form, refused.errors)
            status = 422
    elif request.method == "POST":
        status = 400
    return render_template(
        "catalog/bulk_upload.html",
        form=form,
        rows=rows,
        confirm_form=ConfirmSheetForm(text=text),
        columns=bulk.COLUMNS,
    ), status


def _read_upload(user: User, upload: FileStorage | None) -> tuple[list[bulk.SheetRow], str]:
    raw = upload.stream.read(bulk.MAX_BYTES + 1) if upload else None  # a byte over: too large
    return bulk.read_sheet(user, BytesIO(raw) if raw is not None else None)


@bp.post("/dashboard/products/upload/confirm")
@login_required
def bulk_confirm():  # type: ignore[no-untyped-def]
    form = ConfirmSheetForm()
    if not accepted(form):
        abort(400)
    try:
        products, skipped = bulk.import_rows(current_user._get_current_object(), form.text.data)
    except ValidationFailed as refused:
        for message in refused.errors.get("sheet", []):
            flash(_("Nothing was listed: the sheet %(problem)s.", problem=message), "error")
        return redirect(url_for("catalog.bulk_upload"))
    listed = ngettext("%(num)d product listed.", "%(num)d products listed.", len(products))
    if skipped:
        left_out = ngettext(
            "%(num)d row with errors left out.", "%(num)d rows with errors left out.", len(skipped)
        )
        listed = _("%(listed)s %(left_out)s", listed=listed, left_out=left_out)
    flash(listed, "success")
    return redirect(url_for("catalog.dashboard"))


@bp.get("/dashboard/products/export.csv")
@login_required
def bulk_download():  # type: ignore[no-untyped-def]
    body = bulk.export_rows(services.every_own_product(current_user._get_current_object()))
    return Response(
        "\ufeff" + body,  # a byte-order mark, so Excel reads the rupee sign and Hindi as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="my-products.csv"'},
    )


@bp.post("/dashboard/products/<int:product_id>/images")
@login_required
def upload_image(product_id: int):  # type: ignore[no-untyped-def]
    form = ImageForm()
    if not accepted(form):
        abort(400)
    upload = form.image.data
    try:
        services.add_image(
            current_user._get_current_object(), product_id, upload.stream if upload else None
        )
    except ValidationFailed as refused:
        for message in refused.errors.get("image", []):
            flash(_("Photo not added: %(problem)s.", problem=message), "error")
    else:
        flash(_("Photo added."), "success")
    return redirect(url_for("catalog.edit_product", product_id=product_id) + "#photos")


@bp.post("/dashboard/products/<int:product_id>/images/<int:image_id>/delete")
@login_required
def remove_image(product_id: int, image_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    services.delete_image(current_user._get_current_object(), product_id, image_id)
    flash(_("Photo removed."), "info")
    return redirect(url_for("catalog.edit_product", product_id=product_id) + "#photos")


@bp.post("/dashboard/products/<int:product_id>/delete")
@login_required
def remove_product(product_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    services.delete_product(current_user._get_current_object(), product_id)
    flash(_("The listing is deleted."), "info")
    return redirect(url_for("catalog.dashboard"))


bp.add_app_template_global(product_url)
bp.add_app_template_global(category_icon)
bp.add_app_template_global(supplier_url)
bp.add_app_template_filter(categories.category_label)


@bp.app_template_filter()
def unit_label(unit: str | None) -> str:
    """'kg' -> 'kg', 'piece' -> 'pieces'; nothing when the buyer gave no unit."""
    return "" if unit is None else UNITS.get(unit, unit)


@bp.app_template_filter()
def price_rupees(amount: object) -> str:
    """A listing's price as buyers read it: ₹62 when whole, ₹62.50 otherwise (Indian grouping)."""
    return money(amount)  # type: ignore[arg-type]


@bp.app_template_filter()
def gst_percent(rate: object) -> str:
    return gst_label(rate)  # type: ignore[arg-type]


@bp.app_template_filter()
def gst_note(product: object) -> str:
    """'+ 18% GST', 'incl. 18% GST', 'incl. GST', or nothing when the supplier has not said."""
    rate = getattr(product, "gst_rate", None)
    included = getattr(product, "price_includes_gst", False)
    if rate is None:
        return _("incl. GST") if included else ""
    if included:
        return _("incl. %(rate)s%% GST", rate=gst_label(rate))
    return _("+ %(rate)s%% GST", rate=gst_label(rate))
