"""Newsletter pages: the officer composes, previews (how many would receive it now) and sends,
after a confirmation; and the one-click unsubscribe every message links to."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.errors import ServiceError
from marketplace.extensions import csrf, limiter
from marketplace.privacy import newsletters, policy, purposes
from marketplace.privacy.consent_inputs import MESSAGE_PURPOSES, NEWSLETTER_CHANNELS, NewsletterIn
from marketplace.privacy.newsletters import ONE_CLICK
from marketplace.validation import validated
from marketplace.web import address_key, no_store

bp = Blueprint("newsletters", __name__)


def _list_page(status: int = 200, form: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    body = render_template(
        "privacy/newsletters.html",
        rows=newsletters.summaries(),
        purposes=[purposes.BY_ID[pid] for pid in MESSAGE_PURPOSES],
        labels={pid: purposes.BY_ID[pid].label for pid in MESSAGE_PURPOSES},
        channels=NEWSLETTER_CHANNELS,
        form=form or {},
    )
    return body, status


@bp.get("/privacy/newsletters")
@login_required
def newsletter_list():  # type: ignore[no-untyped-def]
    policy.require_send_newsletters_page(current_user)
    return _list_page()


@bp.post("/privacy/newsletters")
@login_required
@limiter.limit("60 per hour")
def compose():  # type: ignore[no-untyped-def]
    policy.require_send_newsletters_page(current_user)
    form = {key: request.form.get(key, "") for key in ("purpose", "channel", "subject", "body")}
    try:
        row = newsletters.compose(current_user._get_current_object(), validated(NewsletterIn, form))
    except ServiceError as refused:
        for field, messages in refused.errors.items():
            flash(
                _(
                    "%(field)s: %(problems)s",
                    field=field.capitalize(),
                    problems=", ".join(messages),
                ),
                "error",
            )
        return _list_page(refused.status, form)
    return redirect(url_for("newsletters.preview", newsletter_id=row.id))


@bp.get("/privacy/newsletters/<int:newsletter_id>")
@login_required
def preview(newsletter_id: int):  # type: ignore[no-untyped-def]
    policy.require_send_newsletters_page(current_user)
    row = newsletters.get_newsletter(newsletter_id)
    return render_template(
        "privacy/newsletter.html",
        row=row,
        purpose=purposes.BY_ID[row.purpose],
        audience=newsletters.audience_count(row),
    )


@bp.post("/privacy/newsletters/<int:newsletter_id>/send")
@login_required
@limiter.limit("20 per hour")
def send(newsletter_id: int):  # type: ignore[no-untyped-def]
    policy.require_send_newsletters_page(current_user)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm that you want to send it."), "error")
        return redirect(url_for("newsletters.preview", newsletter_id=newsletter_id))
    try:
        newsletters.start_sending(current_user._get_current_object(), newsletter_id)
    except ServiceError as refused:
        flash(refused.detail, "error")
        return redirect(url_for("newsletters.newsletter_list"))
    flash(_("The newsletter is being sent to everyone whose consent stands."), "success")
    return redirect(url_for("newsletters.newsletter_list"))


# --- unsubscribing (no sign-in; mail providers POST the one-click form without a CSRF token) ---


@bp.get("/unsubscribe/<token>")
@limiter.limit("60 per minute", key_func=address_key)
def unsubscribe_page(token: str):  # type: ignore[no-untyped-def]
    try:
        link = newsletters.read_unsubscribe_token(token)
    except ServiceError as refused:
        return no_store(_unsubscribe_page(None, refused.detail, refused.status))
    return no_store(_unsubscribe_page(link, None, 200, done=False))


def _link_key() -> str:
    """Per link, not per address: mail providers POST one-click unsubscribes for many people
    from a few servers (RFC 8058), and a limit per address would lose withdrawals. The links
    are signed, so guessing one gains nothing."""
    return f"unsubscribe:{(request.view_args or {}).get('token', '')}"


@bp.post("/unsubscribe/<token>")
@csrf.exempt
@limiter.limit("10 per minute", key_func=_link_key)
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    """RFC 8058: the body is `List-Unsubscribe=One-Click`; the page's button sends the same."""
    if request.form.get("List-Unsubscribe") != ONE_CLICK.partition("=")[2]:
        return no_store(_unsubscribe_page(None, "Use the button on the page to unsubscribe.", 400))
    try:
        link = newsletters.unsubscribe(token)
    except ServiceError as refused:
        return no_store(_unsubscribe_page(None, refused.detail, refused.status))
    return no_store(_unsubscribe_page(link, None, 200, done=True))


def _unsubscribe_page(
    link: newsletters.Unsubscription | None, problem: str | None, status: int, done: bool = False
) -> Response:
    body = render_template("privacy/unsubscribe.html", link=link, problem=problem, done=done)
    return current_app.make_response((body, status))
