"""What the demo data does not yet hold and a role's pages show once it happens: a posted
requirement unlocked and reported, a paid and an unpaid credit order, a pending team
invitation, an integration key, privacy requests waiting for the officer, a complaint, a breach,
a password reset asked for, an email address to confirm and one being changed, a newsletter, a
review reported to the desk, a guest's enquiry and complaint waiting for their codes, an order
paid through Razorpay. Made through the same services the pages call, so the walk sees those
pages as a person would after using them. `add_history` returns the pages a role reaches only
from a mail, a text message or a gateway (their URLs hold ids or tokens no page links to)."""

from __future__ import annotations

from unittest import mock

from flask import current_app
from sqlalchemy import select

from marketplace.accounts.api_keys import create_integration_key
from marketplace.accounts.email_addresses import request_email_change, send_email_verification
from marketplace.accounts.inputs import IntegrationKeyIn
from marketplace.accounts.models import User
from marketplace.accounts.password_changes import request_password_reset
from marketplace.accounts.passwords import DEMO_PASSWORD
from marketplace.accounts.team import invite
from marketplace.accounts.team_inputs import MemberIn
from marketplace.catalog.models import Product
from marketplace.credits import gateways, orders, payments
from marketplace.credits.inputs import OrderIn
from marketplace.db import commit, utcnow
from marketplace.demo import DEMO_DOMAIN
from marketplace.extensions import db
from marketplace.grievances.breach_register import record_breach
from marketplace.grievances.filing import file_grievance
from marketplace.grievances.guest_codes import start_guest_grievance
from marketplace.grievances.inputs import BreachIn, GrievanceIn, GuestGrievanceIn
from marketplace.leads import bad_leads, requirements, webhook_targets
from marketplace.leads.guest_enquiries import start_guest_enquiry
from marketplace.leads.inputs import GuestEnquiryIn, RequirementIn
from marketplace.leads.report_inputs import BuyLeadReportIn
from marketplace.leads.webhook_inputs import WebhookIn
from marketplace.leads.webhook_subscriptions import create_webhook
from marketplace.privacy import newsletters
from marketplace.privacy.consent_inputs import NewsletterIn
from marketplace.privacy.filing import submit_request
from marketplace.privacy.inputs import PrivacyRequestIn
from marketplace.reviews.inputs import ReportIn
from marketplace.reviews.models import Review
from marketplace.reviews.moderation import report_review


def _person(local: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))


def url_for(endpoint: str, **values: object) -> str:
    """A page's path, outside any request (the history is made before the server answers)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _credit_orders(owner: User) -> None:
    paid, _ = orders.create_order(owner, OrderIn.model_validate({"pack": "credits-10"}))
    commit()
    body, headers = gateways.SandboxGateway(gateways.sandbox_secret()).simulate(paid, pay=True)
    payments.receive_callback("sandbox", body, headers)
    orders.create_order(owner, OrderIn.model_validate({"pack": "credits-10"}))  # left unpaid
    commit()


def _reported_buylead(buyer: User, owner: User) -> None:
    product = db.session.scalar(
        select(Product).where(Product.supplier_id == owner.supplier.id).limit(1)
    )
    posted = requirements.post_requirement(
        buyer,
        RequirementIn.model_validate(
            {
                "product_name": product.name,
                "description": "Monthly need for our plant; please quote delivered with GST.",
                "quantity": 200,
                "unit": product.unit,
                "budget": "150000",
                "city": "Pune",
                "state": "Maharashtra",
            }
        ),
    )
    commit()
    matched = {supplier.id for supplier in requirements.unlocked_by([posted.id]).get(posted.id, [])}
    if owner.supplier.id not in matched:
        requirements.unlock(owner, posted.id)
    bad_leads.file_report(
        owner, posted.id, BuyLeadReportIn.model_validate({"reason": "not_reachable"})
    )
    commit()


def _complaint_and_breach(buyer: User) -> None:
    complaint = {
        "category": "lead_quality",
        "subject": "Supplier never replied",
        "description": "I sent an enquiry two weeks ago and had no answer or quotation at all.",
    }
    file_grievance(buyer, GrievanceIn.model_validate(complaint))
    breach = {
        "detected_at": utcnow().isoformat(),
        "nature": "A supplier export was mailed to the wrong address by a staff member.",
        "data_affected": ["names", "mobile numbers"],
        "users_affected": 12,
    }
    record_breach(_person("officer"), BreachIn.model_validate(breach))


def _razorpay_order(owner: User) -> int:
    """An unpaid order as Razorpay would hold it: made with the sandbox (the walk has no
    network), then named for Razorpay, whose checkout page the walk opens with Razorpay
    configured (see RAZORPAY in the walk's test)."""
    order, _ = orders.create_order(owner, OrderIn.model_validate({"pack": "credits-10"}))
    order.gateway, order.gateway_order_id = "razorpay", f"order_WALK{order.id:010d}"
    commit()
    return order.id


def _guest_drafts(product: Product) -> list[str]:
    """A visitor's enquiry and complaint, each waiting for the code sent to them: the page
    that asks for the code is where the visitor lands after sending."""
    guest = {"name": "Kavita Menon", "email": "kavita.menon@example.in", "age_confirmed": True}
    enquiry = start_guest_enquiry(
        GuestEnquiryIn.model_validate(
            {
                **guest,
                "phone": "+91 98450 12345",
                "accept_terms": True,
                "product_id": product.id,
                "message": "Please quote for 500 pieces delivered to Kochi.",
            }
        )
    )
    complaint = start_guest_grievance(
        GuestGrievanceIn.model_validate(
            {
                "name": guest["name"],
                "email": guest["email"],
                "category": "fraud",
                "subject": "Misleading listing",
                "description": "The listing shows a brand the supplier does not sell.",
            }
        )
    )
    commit()
    return [
        url_for("leads.confirm_guest", verification_id=enquiry.id),
        url_for("grievances.confirm_guest", draft_id=complaint.id),
    ]


def _mail_links(buyer: User, changing: User) -> str:
    """Mails whose links the guest opens (an address to confirm, one being changed); returns
    the newsletter unsubscribe link a newsletter's mail carries."""
    send_email_verification(buyer)
    request_email_change(changing, f"new-{changing.email}")
    token = newsletters.unsubscribe_token(buyer.id, "newsletters", "email")
    return url_for("newsletters.unsubscribe_page", token=token)


def _newsletter_and_reported_review(officer: User, owner: User) -> list[str]:
    draft = newsletters.compose(
        officer,
        NewsletterIn.model_validate(
            {
                "purpose": "newsletters",
                "channel": "email",
                "subject": "New steel categories this month",
                "body": "We added hot-rolled coils and TMT bars from verified suppliers.",
            }
        ),
    )
    review = db.session.scalar(
        select(Review).where(Review.author_id != owner.id).order_by(Review.id).limit(1)
    )
    pages = [url_for("newsletters.preview", newsletter_id=draft.id)]
    if review is not None:
        reason = ReportIn.model_validate({"reason": "It names a person and their phone number."})
        report_review(owner, review.id, reason)
        pages.append(url_for("reviews.desk_review", review_id=review.id))
    commit()
    return pages


def _webhook(owner: User) -> None:
    """A webhook to the supplier's CRM (its host resolved without asking DNS: the walk has no
    network, and nothing is delivered while it walks)."""
    body = {"url": "https://crm.example.com/hook", "events": ["lead.created"], "format": "native"}
    with mock.patch.object(webhook_targets, "_resolve", lambda host, port: ["93.184.216.34"]):
        create_webhook(owner, WebhookIn.model_validate(body))
    commit()


def add_history() -> dict[str, list[str]]:
    """The history, and per role the pages only a mail, a text or a gateway leads to."""
    buyer, owner, officer = _person("buyer1"), _person("supplier1"), _person("officer")
    product = db.session.scalar(select(Product).order_by(Product.id).limit(1))
    _credit_orders(owner)
    _reported_buylead(buyer, owner)
    invite(
        owner,
        MemberIn.model_validate(
            {"email": f"new-hire@{DEMO_DOMAIN}", "name": "Sunil Rao", "role": "sales"}
        ),
    )
    create_integration_key(owner, IntegrationKeyIn.model_validate({"name": "Our CRM"}))
    _complaint_and_breach(buyer)
    request_password_reset(f"buyer3@{DEMO_DOMAIN}")  # its mail links to the reset page
    for person, kind in ((buyer, "access"), (_person("buyer2"), "deletion")):
        body = PrivacyRequestIn.model_validate({"type": kind, "password": DEMO_PASSWORD})
        submit_request(person, body)
    commit()
    # Not the walking buyer: the guest confirms these links before the buyer signs in.
    unsubscribe = _mail_links(_person("buyer3"), _person("buyer4"))
    commit()
    _webhook(owner)
    staff_pages = _newsletter_and_reported_review(officer, owner)
    # The GST screen lists a supplier only under the standing chosen: its page, directly.
    staff_pages.append(url_for("gst_admin.supplier_page", supplier_id=owner.supplier.id))
    checkout = url_for("credits.razorpay_checkout", order_id=_razorpay_order(owner))
    return {
        "guest": [*_guest_drafts(product), unsubscribe],
        "officer": staff_pages,
        "admin": staff_pages,
        "razorpay": [checkout],
    }
