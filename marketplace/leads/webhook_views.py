"""The supplier's webhook page: register a webhook, send it a test, read its deliveries, send a
failed one again, turn it off or on, delete it. The same services and the same policy as the
API (leads.policy.webhook_subscriber: the owner and managers)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, URLField

from marketplace.accounts.forms import ActionForm, accepted, apply_errors
from marketplace.accounts.models import User
from marketplace.errors import Conflict, ValidationFailed
from marketplace.extensions import limiter
from marketplace.leads import policy
from marketplace.leads import webhook_manual as manual
from marketplace.leads import webhook_subscriptions as subscriptions
from marketplace.leads.models import DeliveryStatus, WebhookEvent
from marketplace.leads.webhook_inputs import WebhookIn
from marketplace.validation import validated
from marketplace.web import NO_STORE, requested_page

bp = Blueprint("webhooks", __name__, url_prefix="/account/webhooks")
PER_PAGE = 20

EVENT_LABELS: dict[str, Any] = {
    str(WebhookEvent.LEAD_CREATED): _l("A new enquiry or BuyLead arrives"),
    str(WebhookEvent.LEAD_UPDATED): _l("A lead changes (its status, a note, who works it)"),
    str(WebhookEvent.MESSAGE_CREATED): _l("A new message on a lead"),
    manual.TEST_EVENT: _l("A test"),
}
EXAMPLE_ADDRESS = "https://crm.example.com/hooks/tradesetu"
FORMAT_LABELS = {
    "native": _l("TradeSetu's format (every event)"),
    "indiamart": _l("IndiaMART's push format (new leads only)"),
}
STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("Waiting to be sent"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.FAILED: _l("Not delivered"),
}
_LABELS = {"event_labels": EVENT_LABELS, "format_labels": FORMAT_LABELS}


@bp.app_template_filter("webhook_address")
def webhook_address(url: str) -> str:
    """The address without its query: a CRM's webhook address often carries its own access
    token there, which a page (and a screenshot of it) need not show again."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) + (
        "?…" if parts.query else ""
    )


class WebhookForm(FlaskForm):
    url = URLField(
        _l("Address to call"),
        description=_l("Where your CRM listens, e.g. %(example)s", example=EXAMPLE_ADDRESS),
    )
    lead_created = BooleanField(EVENT_LABELS["lead.created"], default=True)
    lead_updated = BooleanField(EVENT_LABELS["lead.updated"])
    message_created = BooleanField(EVENT_LABELS["message.created"])
    format = SelectField(_l("Format"), choices=list(FORMAT_LABELS.items()), validate_choice=False)

    def chosen(self) -> dict[str, object]:
        events = [event for event in EVENT_LABELS if self.data.get(event.replace(".", "_"))]
        return {"url": self.url.data or "", "events": events, "format": self.format.data}


class RetryForm(FlaskForm):
    delivery_id = IntegerField()


# The API's refusals name its fields; the page says what to change on the form.
PLAIN_EVENTS = _l("Tick at least one kind of event.")
PLAIN_INDIAMART = _l("IndiaMART's format carries new leads only: tick only the first box.")


def _refusal(form: WebhookForm, refused: ValidationFailed | Conflict) -> None:
    errors = dict(refused.errors)
    events = errors.pop("events", None)
    if events:
        plain = PLAIN_INDIAMART if any("indiamart" in m for m in events) else PLAIN_EVENTS
        form.form_errors.append(plain)
    apply_errors(form, errors)
    if not refused.errors:
        form.form_errors.append(refused.detail)


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _subscriber() -> User:
    """The caller, once the policy says they may manage the business's webhooks (a 403)."""
    user = _user()
    policy.webhook_subscriber(user)
    return user


def _list_page(form: WebhookForm, status: int = 200):  # type: ignore[no-untyped-def]
    hooks = subscriptions.own_webhooks(_user())
    return render_template(
        "leads/webhooks.html",
        webhooks=hooks,
        form=form,
        limit=subscriptions.MAX_WEBHOOKS_PER_SUPPLIER,
        **_LABELS,
    ), status


@bp.get("/")
@login_required
def webhooks_page():  # type: ignore[no-untyped-def]
    return _list_page(WebhookForm(formdata=None))


@bp.post("/")
@login_required
@limiter.limit("30 per hour")
def create():  # type: ignore[no-untyped-def]
    user, form = _subscriber(), WebhookForm()
    if not accepted(form):
        return _list_page(form, 400)
    try:
        webhook, secret = subscriptions.create_webhook(user, validated(WebhookIn, form.chosen()))
    except (ValidationFailed, Conflict) as refused:
        _refusal(form, refused)
        return _list_page(form, refused.status)
    page = render_template("leads/webhook_created.html", webhook=webhook, secret=secret, **_LABELS)
    return page, 201, NO_STORE


@bp.get("/<int:webhook_id>")
@login_required
def webhook_page(webhook_id: int):  # type: ignore[no-untyped-def]
    user, page = _user(), requested_page()
    webhook = subscriptions.own_webhook(user, webhook_id)
    rows, total = subscriptions.deliveries(user, webhook_id, page=page, per_page=PER_PAGE)
    return render_template(
        "leads/webhook.html",
        webhook=webhook,
        deliveries=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        status_labels=STATUS_LABELS,
        retry=RetryForm(formdata=None),
        action=ActionForm(),
        failed=DeliveryStatus.FAILED,
        **_LABELS,
    )


def _back(webhook_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("webhooks.webhook_page", webhook_id=webhook_id))


@bp.post("/<int:webhook_id>/test")
@login_required
@limiter.limit("30 per hour")
def send_test(webhook_id: int):  # type: ignore[no-untyped-def]
    if accepted(ActionForm()):
        try:
            manual.send_test(_user(), webhook_id)
            flash(_("A test delivery is on its way; its result appears below."), "success")
        except Conflict as refused:
            flash(refused.detail, "error")
    return _back(webhook_id)


@bp.post("/<int:webhook_id>/retry")
@login_required
@limiter.limit("60 per hour")
def retry(webhook_id: int):  # type: ignore[no-untyped-def]
    form = RetryForm()
    if accepted(form):
        try:
            manual.retry_delivery(_user(), webhook_id, form.delivery_id.data)
            flash(_("The delivery is being sent again."), "success")
        except Conflict as refused:
            flash(refused.detail, "error")
    return _back(webhook_id)


@bp.post("/<int:webhook_id>/enable")
@login_required
def enable(webhook_id: int):  # type: ignore[no-untyped-def]
    if accepted(ActionForm()):
        subscriptions.enable_webhook(_user(), webhook_id)
        flash(_("The webhook is on again; new events are sent to it."), "success")
    return _back(webhook_id)


@bp.get("/<int:webhook_id>/stop")
@login_required
def stop_page(webhook_id: int):  # type: ignore[no-untyped-def]
    webhook = subscriptions.own_webhook(_user(), webhook_id)
    waiting = manual.waiting_deliveries(webhook)
    return render_template(
        "leads/webhook_stop.html", webhook=webhook, waiting=waiting, action=ActionForm(), **_LABELS
    )


@bp.post("/<int:webhook_id>/disable")
@login_required
def disable(webhook_id: int):  # type: ignore[no-untyped-def]
    if accepted(ActionForm()):
        manual.disable_webhook(_user(), webhook_id)
        flash(_("The webhook is turned off. You can turn it on again here."), "success")
    return _back(webhook_id)


@bp.post("/<int:webhook_id>/delete")
@login_required
def delete(webhook_id: int):  # type: ignore[no-untyped-def]
    if not accepted(ActionForm()):
        return _back(webhook_id)
    subscriptions.delete_webhook(_user(), webhook_id)
    flash(_("The webhook is deleted; nothing more is sent to it."), "success")
    return redirect(url_for("webhooks.webhooks_page"))
