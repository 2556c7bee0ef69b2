"""Lead pages: sending an enquiry (signed in or as a guest), the buyer's enquiries, and the
supplier's lead manager with its conversation, export and dashboard. Buy requirements and
BuyLeads are in requirement_views.py, on the same blueprint (marketplace.leads.blueprint)."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as Redirect

from marketplace.accounts.forms import ActionForm, accepted, apply_errors
from marketplace.accounts.models import Role, User
from marketplace.accounts.views import sign_in_browser
from marketplace.catalog import services as catalog
from marketplace.catalog.units import UNITS
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import limiter
from marketplace.leads import (
    buyer_blocks,
    conversations,
    enquiries,
    guest_enquiries,
    indiamart,
    inputs,
    lead_export,
    limits,
    pipeline,
    policy,
    queries,
    requirement_views,  # noqa: F401 (adds its routes to the blueprint)
    schemas,
    team_figures,
)
from marketplace.leads.blueprint import PER_PAGE, bp, buyer_key, only_posts, signed_in_user
from marketplace.leads.forms import (
    STATUS_LABELS,
    CodeForm,
    EnquiryForm,
    GuestEnquiryForm,
    LeadUpdateForm,
    MessageForm,
    QuotationForm,
)
from marketplace.leads.models import LeadSource, LeadType, MessageSide
from marketplace.validation import record_id, validated
from marketplace.web import address_key, no_store, requested_page


@bp.app_context_processor
def unread_counts() -> dict[str, int]:
    """The header's badges: new or unanswered leads (suppliers), unread replies (buyers)."""
    if not has_request_context() or not current_user.is_authenticated:  # a mail, a visitor
        return {}
    user = signed_in_user()
    counts = {"unread_replies": queries.buyer_unread_count(user.id)}
    if user.supplier is not None and user.has_role(Role.SUPPLIER):
        counts["unread_leads"] = queries.supplier_unread_count(user.supplier.id)
    return counts


# --- sending an enquiry ----------------------------------------------------------------------


def _subject() -> tuple[Any, Any]:
    """The product or storefront the enquiry form is about (from the query or the form)."""
    values = request.form if request.method == "POST" else request.args
    product_id, supplier_id = values.get("product_id", ""), values.get("supplier_id", "")
    try:
        if product_id:
            product = catalog.public_product(record_id(product_id) or abort(404))
            return product, product.supplier
        if supplier_id:
            return None, catalog.public_supplier(record_id(supplier_id) or abort(404))
    except NotFound:
        pass
    abort(404)


@bp.route("/enquiries/new", methods=["GET", "POST"])
@only_posts(limits.ENQUIRY_LIMITS_PER_BUYER, buyer_key)
@only_posts(limits.ENQUIRY_LIMITS_PER_ADDRESS, address_key)
# A guest's enquiry sends an SMS: as few per address as the API allows (SMS pumping).
@limiter.limit(
    limits.GUEST_LIMITS_PER_ADDRESS,
    key_func=address_key,
    methods=["POST"],
    exempt_when=lambda: current_user.is_authenticated,
)
def new_enquiry():  # type: ignore[no-untyped-def]
    product, supplier = _subject()
    guest = not current_user.is_authenticated
    form = GuestEnquiryForm() if guest else EnquiryForm()
    if request.method == "GET":
        form.prefill(product, supplier)
    status = 200
    if accepted(form):
        if form.is_bot:  # look sent, store nothing
            flash(_("Your enquiry has been sent."), "success")
            return redirect(url_for("main.index"))
        sent = _send_enquiry(form, product, supplier, guest=guest)
        if not isinstance(sent, int):
            return sent
        status = sent
    elif request.method == "POST":
        status = 400
    return render_template(
        "leads/enquiry_form.html", form=form, product=product, supplier=supplier, guest=guest
    ), status


def _send_enquiry(form: Any, product: Any, supplier: Any, *, guest: bool) -> Redirect | int:
    """Send the form's enquiry (a guest's waits for its code): the redirect once it is sent,
    else the page's status code."""
    try:
        if guest:
            guest_request = validated(inputs.GuestEnquiryIn, form.service_data())
            pending = guest_enquiries.start_guest_enquiry(guest_request)
            flash(_("We sent a 6-digit code to your mobile. Enter it to send the enquiry."), "info")
            return redirect(url_for("leads.confirm_guest", verification_id=pending.id))
        source = LeadSource.PRODUCT_PAGE if product else LeadSource.STOREFRONT
        enquiry = validated(inputs.EnquiryIn, form.service_data())
        lead_id, duplicate = enquiries.send_enquiry(signed_in_user().id, enquiry, source=source)
    except ValidationFailed as refused:
        apply_errors(form, refused.errors)
        return 422
    except Conflict as refused:  # a guest whose email or mobile has an account: sign in
        apply_errors(form, refused.errors)
        form.form_errors.append(refused.detail)
        return 409
    if duplicate:
        flash(_("You asked this supplier about this in the last 24 hours: here it is."), "info")
    else:
        flash(_("Your enquiry is sent to %(supplier)s.", supplier=supplier.company_name), "success")
    return redirect(url_for("leads.enquiry_page", lead_id=lead_id))


@bp.route("/enquiries/verify/<verification_id>", methods=["GET", "POST"])
@only_posts("10 per minute", address_key)
def confirm_guest(verification_id: str):  # type: ignore[no-untyped-def]
    form = CodeForm()
    status = 200
    if accepted(form):
        try:
            code = validated(inputs.GuestCodeIn, {"code": form.code.data})
            lead_id, buyer = guest_enquiries.confirm_guest_enquiry(verification_id, code)
        except ValidationFailed as refused:  # a wrong code is counted: the view commits
            apply_errors(form, refused.errors)
            status = 422
        else:
            sign_in_browser(buyer)  # the mobile is proven; the emailed link sets a password
            flash(_("Your enquiry is sent. We emailed you a link to choose a password."), "success")
            return redirect(url_for("leads.enquiry_page", lead_id=lead_id))
    elif request.method == "POST":
        status = 400
    return render_template("leads/confirm_guest.html", form=form), status


# --- the buyer's enquiries -------------------------------------------------------------------


@bp.get("/enquiries")
@login_required
def my_enquiries():  # type: ignore[no-untyped-def]
    page = requested_page()
    rows, total = queries.buyer_enquiries(signed_in_user().id, page=page, per_page=PER_PAGE)
    return render_template(
        "leads/my_enquiries.html",
        enquiries=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        buyer_status=schemas.buyer_status,
        buyer_unread=schemas.buyer_unread,
    )


@bp.route("/enquiries/<int:lead_id>", methods=["GET", "POST"])
@login_required
@only_posts("30 per minute", buyer_key)
def enquiry_page(lead_id: int):  # type: ignore[no-untyped-def]
    lead, side = policy.party_lead(signed_in_user(), lead_id)
    if side != MessageSide.BUYER:
        return redirect(url_for("leads.lead_page", lead_id=lead_id))
    form = MessageForm()
    status = _post_message(form, lead_id, lambda: {"text": form.text.data})
    if status is None:
        return redirect(url_for("leads.enquiry_page", lead_id=lead_id) + "#latest")
    _lead, _side, messages = conversations.conversation(signed_in_user(), lead_id)
    return render_template(
        "leads/enquiry.html",
        lead=lead,
        messages=messages,
        form=form,
        buyer_status=schemas.buyer_status(lead),
    ), status


def _post_message(form: Any, lead_id: int, data: Any) -> int | None:
    """Send a message from a page's form: None when sent, else the page's status code."""
    if not accepted(form):
        return 400 if request.method == "POST" else 200
    try:
        conversations.post_message(signed_in_user(), lead_id, validated(inputs.MessageIn, data()))
    except ValidationFailed as refused:
        # The quotation's fields are 'quotation.price' and so on: show them under the inputs.
        apply_errors(form, {k.removeprefix("quotation."): m for k, m in refused.errors.items()})
        return 422
    flash(_("Sent."), "success")
    return None


# --- the lead manager ------------------------------------------------------------------------


def _filter() -> tuple[queries.LeadFilter | None, dict[str, list[str]]]:
    try:
        query = validated(inputs.LeadQuery, request.args.to_dict())
        return pipeline.lead_filter(query, pull=False), {}
    except ValidationFailed as refused:
        return None, refused.errors


@bp.get("/leads")
@login_required
def lead_manager():  # type: ignore[no-untyped-def]
    user = signed_in_user()
    scope = policy.lead_scope(user)
    chosen, errors = _filter()
    listed = _listed(user, chosen)
    products, _total = catalog.products_of(scope.supplier.id, page=1, per_page=200)
    return render_template(
        "leads/manager.html",
        supplier=scope.supplier,
        **team_figures.manager_context(scope),
        errors=errors,
        products=products,
        statuses=STATUS_LABELS,
        types=[str(t) for t in LeadType],
        unread=schemas.supplier_unread,
        **listed,
    ), 422 if errors else 200


def _listed(user: User, chosen: queries.LeadFilter | None) -> dict[str, Any]:
    """The page of leads the filters choose (none while they are wrong), with their trust."""
    page = requested_page()
    rows: list[Any] = []
    total = 0
    if chosen is not None:
        rows, total = pipeline.list_leads(
            user, chosen, oldest_first=False, page=page, per_page=PER_PAGE
        )
    trust = queries.trust_signals(rows)
    return {"leads": rows, "total": total, "page": page, "per_page": PER_PAGE, "trust": trust}


@bp.get("/leads/export.csv")
@login_required
def export_leads():  # type: ignore[no-untyped-def]
    chosen, errors = _filter()
    if chosen is None:
        abort(422, "; ".join(f"{field}: {', '.join(m)}" for field, m in errors.items()))
    body = lead_export.export_csv(signed_in_user(), chosen)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="leads.csv"'
    return no_store(response)


@bp.get("/leads/dashboard")
@login_required
def lead_dashboard():  # type: ignore[no-untyped-def]
    supplier = policy.lead_receiver(signed_in_user())
    return render_template(
        "leads/dashboard.html", supplier=supplier, stats=queries.dashboard(supplier.id)
    )


@bp.route("/leads/<int:lead_id>", methods=["GET", "POST"])
@login_required
@only_posts("30 per minute", buyer_key)
def lead_page(lead_id: int):  # type: ignore[no-untyped-def]
    """The lead, its buyer's contact and trust signals, and the conversation; the message
    and quotation forms post here (`form=message|quotation`)."""
    user = signed_in_user()
    lead = policy.supplier_lead(user, lead_id)
    message_form, quotation_form = MessageForm(prefix="m"), QuotationForm(prefix="q")
    status: int | None = 200
    if request.method == "POST":
        status = _post_on_lead(lead_id, message_form, quotation_form)
        if status is None:
            return redirect(url_for("leads.lead_page", lead_id=lead_id) + "#latest")
    if request.method == "GET" and lead.unit:
        quotation_form.prefill(lead.unit, lead.quantity)
    return render_template(
        "leads/lead.html",
        message_form=message_form,
        quotation_form=quotation_form,
        **_lead_page_context(user, lead),
    ), status


def _post_on_lead(lead_id: int, message_form: Any, quotation_form: Any) -> int | None:
    """The lead page's message or quotation form: None when sent, else the page's status."""
    if request.form.get("form") == "quotation":
        return _post_message(quotation_form, lead_id, quotation_form.service_data)
    return _post_message(message_form, lead_id, lambda: {"text": message_form.text.data})


def _lead_page_context(user: User, lead: Any) -> dict[str, Any]:
    """The lead page's lead, conversation (read now: it marks the lead seen) and its forms."""
    _lead, _side, messages = conversations.conversation(user, lead.id)
    scope = policy.lead_scope(user)
    update_form = LeadUpdateForm.of(lead, team_figures.choices(scope.supplier))
    return {
        "can_reassign": scope.sees_all,
        "lead": lead,
        "trust": queries.trust_signals([lead])[lead.id],
        "messages": messages,
        "update_form": update_form,
        "action_form": ActionForm(),
        "blocked": buyer_blocks.buyer_blocked(lead),
        "statuses": STATUS_LABELS,
        "units": UNITS,
        "today": pipeline.today_in_india(),
    }


@bp.post("/leads/<int:lead_id>/update")
@login_required
def update_lead(lead_id: int):  # type: ignore[no-untyped-def]
    form = LeadUpdateForm()
    action = request.form.get("action", "status")
    if not accepted(form) or action not in LeadUpdateForm.ACTIONS:
        abort(400)
    try:
        change = validated(inputs.LeadChange, form.service_data(action))
        pipeline.update_lead(signed_in_user(), lead_id, change)
    except ValidationFailed as refused:
        for refusal in form.refusals(refused.errors):
            flash(refusal, "error")
    else:
        flash(LeadUpdateForm.SAVED.get(action, _("Saved.")), "success")
    return redirect(url_for("leads.lead_page", lead_id=lead_id))


@bp.post("/leads/<int:lead_id>/block")
@login_required
def block_buyer(lead_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    if request.form.get("undo"):
        buyer_blocks.unblock_buyer(signed_in_user(), lead_id)
        flash(_("The buyer is unblocked: new enquiries reach your inbox again."), "info")
    else:
        buyer_blocks.block_buyer(signed_in_user(), lead_id)
        flash(_("Blocked. This buyer's enquiries now go to your spam folder."), "info")
    return redirect(url_for("leads.lead_page", lead_id=lead_id))


# --- buy requirements and BuyLeads -----------------------------------------------------------


@bp.get("/help/crm-integration")
def crm_help():  # type: ignore[no-untyped-def]
    """For sellers: how to point a connector written for IndiaMART at this portal."""
    return render_template(
        "leads/crm_help.html",
        host=request.host_url.rstrip("/"),
        fields=indiamart.FIELD_NOTES,
        interval=current_app.config["CRM_PULL_INTERVAL_SECONDS"] // 60,
    )
