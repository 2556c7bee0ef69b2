"""Credit pages: the supplier's credits (balance, plan, ledger, packs, orders, invoices), the
checkout pages of each gateway, invoices as a page and a PDF, and the admins' orders."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from marketplace.accounts.forms import ActionForm, accepted
from marketplace.accounts.models import User
from marketplace.credits import (
    gateways,
    invoices,
    orders,
    payments,
    policy,
    queries,
    refunds,
    wording,
)
from marketplace.credits.inputs import OrderIn, RefundIn
from marketplace.credits.models import CreditOrder, Invoice, OrderStatus
from marketplace.db import IST
from marketplace.errors import Conflict, ValidationFailed
from marketplace.formatting import rupees
from marketplace.validation import validated
from marketplace.web import requested_page

bp = Blueprint("credits", __name__)
bp.add_app_template_global(wording.ledger_text, "ledger_text")
bp.add_app_template_global(wording.order_status, "order_status")
bp.add_app_template_global(wording.document_title, "document_title")
bp.add_app_template_global(wording.invoice_description, "invoice_description")

PER_PAGE = 20


class RefundForm(FlaskForm):
    reason = StringField(
        _l("Reason"), description=_l("Shown on the credit note and told to the supplier")
    )


def _user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


@bp.get("/credits")
@login_required
def overview():  # type: ignore[no-untyped-def]
    shown = queries.overview(_user(), page=requested_page(), per_page=PER_PAGE)
    return render_template("credits/overview.html", **shown, form=ActionForm())


@bp.post("/credits/orders")
@login_required
def buy():  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    policy.supplier_of(_user())  # a buyer is refused before the pack is read, as in the API
    try:
        order = validated(OrderIn, {"pack": request.form.get("pack", "")})
        _order, checkout = orders.create_order(_user(), order)
    except ValidationFailed as refused:
        for messages in refused.errors.values():
            for message in messages:
                flash(_("Not ordered: the pack %(problem)s.", problem=message), "error")
        return redirect(url_for("credits.overview"))
    return redirect(checkout["url"])


def _payable(order: CreditOrder) -> Response | None:
    """Send the payer away from a checkout page whose order needs no payment any more."""
    if order.status == OrderStatus.PAID:
        flash(_("This order is already paid."), "info")
        invoice = queries.invoice_of(order)
        if invoice is not None:
            return redirect(url_for("credits.invoice_page", invoice_id=invoice.id))  # type: ignore[return-value]
        return redirect(url_for("credits.overview"))  # type: ignore[return-value]
    if order.status == OrderStatus.REFUNDED:
        raise Conflict(_("This order was refunded; order the pack again to buy it."))
    return None


# --- the sandbox gateway's checkout ----------------------------------------------------------


@bp.route("/payments/sandbox/checkout/<int:order_id>", methods=["GET", "POST"])
@login_required
def sandbox_checkout(order_id: int):  # type: ignore[no-untyped-def]
    """The sandbox's hosted payment page. Pay or Fail makes the signed gateway event that a
    real gateway would send, and hands it to the same code as the gateway's webhook
    (payments.receive_callback: signature check, then the idempotent capture)."""
    order = queries.supplier_order(_user(), order_id)
    gateway = gateways.named(order.gateway)
    if not isinstance(gateway, gateways.SandboxGateway):
        abort(404)
    form = ActionForm()
    if request.method == "POST" and not accepted(form):
        abort(400)
    leave = _payable(order)
    if leave is not None:
        return leave
    if request.method != "POST":
        return render_template("credits/sandbox_checkout.html", order=order, form=form)
    body, headers = gateway.simulate(order, pay=request.form.get("outcome") == "pay")
    return _after_payment(payments.receive_callback(gateway.name, body, headers))


def _after_payment(result: payments.CallbackResult):  # type: ignore[no-untyped-def]
    if result.result in ("granted", "already_granted") and result.invoice is not None:
        order = result.order
        assert order is not None
        flash(
            _(
                "Payment received: %(count)s credits are in your account. "
                "Your tax invoice is %(number)s.",
                count=order.credits,
                number=result.invoice.number,
            ),
            "success",
        )
        return redirect(url_for("credits.invoice_page", invoice_id=result.invoice.id))
    if result.result == "payment_failed":
        flash(_("The payment failed and nothing was charged. You can try again."), "error")
    else:
        flash(_("The payment is not complete yet; we will add the credits once it is."), "info")
    return redirect(url_for("credits.overview"))


# --- Razorpay Checkout -----------------------------------------------------------------------

RAZORPAY_CSP = (
    "default-src 'self'; script-src 'self' https://checkout.razorpay.com; "
    "frame-src https://api.razorpay.com https://checkout.razorpay.com; "
    "connect-src 'self' https://api.razorpay.com https://lumberjack.razorpay.com; "
    "img-src 'self' data: https://*.razorpay.com; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


@bp.get("/payments/razorpay/checkout/<int:order_id>")
@login_required
def razorpay_checkout(order_id: int):  # type: ignore[no-untyped-def]
    """Razorpay Checkout opens over this page (its script is the one thing loaded from another
    host, on this page only); its answer is posted to razorpay_callback."""
    order = queries.supplier_order(_user(), order_id)
    gateway = gateways.named(order.gateway)
    if not isinstance(gateway, gateways.RazorpayGateway):
        abort(404)
    leave = _payable(order)
    if leave is not None:
        return leave
    body = render_template(
        "credits/razorpay_checkout.html",
        order=order,
        checkout=gateway.checkout(order),
        form=ActionForm(),
    )
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = RAZORPAY_CSP
    return response


@bp.post("/payments/razorpay/callback/<int:order_id>")
@login_required
def razorpay_callback(order_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        abort(400)
    result = payments.confirm_checkout(_user(), order_id, request.form)
    return _after_payment(result)


# --- invoices --------------------------------------------------------------------------------


@bp.get("/invoices/<int:invoice_id>")
@login_required
def invoice_page(invoice_id: int):  # type: ignore[no-untyped-def]
    invoice = queries.visible_invoice(_user(), invoice_id)
    return render_template(
        "credits/invoice.html",
        invoice=invoice,
        title=wording.document_title(invoice.kind),
        india=IST,
        rate=invoices.unit_rate(invoice),
    )


@bp.get("/invoices/<int:invoice_id>.pdf")
@login_required
def invoice_pdf(invoice_id: int):  # type: ignore[no-untyped-def]
    return invoices.pdf_response(queries.visible_invoice(_user(), invoice_id))


# --- admins ----------------------------------------------------------------------------------


def _admin() -> User:
    user = _user()
    policy.check_manages_orders(user)
    return user


@bp.get("/admin/credit-orders")
@login_required
def admin_orders():  # type: ignore[no-untyped-def]
    _admin()
    page = requested_page()
    status = request.args.get("status") or None
    rows, total = queries.all_orders(status=status, page=page, per_page=50)
    return render_template(
        "credits/admin_orders.html",
        orders=rows,
        total=total,
        page=page,
        per_page=50,
        status=status,
        statuses=[str(s) for s in OrderStatus],
        invoices=queries.invoices_of(rows),
        form=RefundForm(),
    )


@bp.post("/admin/credit-orders/<int:order_id>/refund")
@login_required
def refund(order_id: int):  # type: ignore[no-untyped-def]
    admin = _admin()
    form = RefundForm()
    if not accepted(form):
        abort(400)
    try:
        why = validated(RefundIn, {"reason": form.reason.data})
        if request.form.get("confirmed") != "yes":  # money and credits move: the facts first
            facts = refunds.preview_refund(admin, order_id)
            return render_template("credits/confirm_refund.html", refund=facts, reason=why.reason)
        order, note, taken = refunds.refund_order(admin, order_id, why)
    except ValidationFailed as refused:
        for messages in refused.errors.values():
            flash(_("Not refunded: the reason %(problem)s.", problem="; ".join(messages)), "error")
    except Conflict as refused:
        flash(refused.detail, "error")
    else:
        flash(_refunded(order, note, taken), "success")
    return redirect(url_for("credits.admin_orders", status=request.args.get("status")))


def _refunded(order: CreditOrder, note: Invoice, taken: int) -> str:
    return ngettext(
        "Order #%(order)s refunded: %(num)d unspent credit taken back, %(amount)s returned, "
        "credit note %(number)s issued.",
        "Order #%(order)s refunded: %(num)d unspent credits taken back, %(amount)s returned, "
        "credit note %(number)s issued.",
        taken,
        order=order.id,
        amount=rupees(order.refund_amount),
        number=note.number,
    )
