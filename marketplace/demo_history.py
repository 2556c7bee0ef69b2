"""The demo's recent past (`flask demo seed`), made through the same service functions people's
clicks go through, so that every work screen of every demo role has work on first sign-in:
supplier1's leads at every stage of the pipeline (notes, follow-ups, conversations and
quotations), buy requirements that supplier1 unlocked with credits it bought (paid orders with
invoices, and one order left unpaid), complaints at every stage (one past its deadline), a
breach in the register, and privacy requests waiting for the grievance officer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import DEMO_PASSWORD
from marketplace.catalog.models import Category, Product
from marketplace.credits import gateways, payments
from marketplace.credits.inputs import OrderIn
from marketplace.credits.orders import create_order
from marketplace.credits.plans import packs
from marketplace.extensions import db
from marketplace.grievances import appeals, breach_register, decisions, filing
from marketplace.grievances.inputs import AppealIn, BreachIn, GrievanceChange, GrievanceIn
from marketplace.leads import conversations, pipeline, requirements
from marketplace.leads.inputs import LeadChange, MessageIn, RequirementIn
from marketplace.leads.models import Lead, LeadStatus, RequirementMatch
from marketplace.privacy import purposes
from marketplace.privacy.filing import submit_request
from marketplace.privacy.inputs import PrivacyRequestIn
from marketplace.reviews.models import Review

# (the stage, the supplier's note, days to the follow-up or None, the buyer's reply or None)
STAGES: tuple[tuple[LeadStatus | None, str, int | None, str | None], ...] = (
    (None, "", None, None),
    (LeadStatus.CONTACTED, "Called the buyer: needs delivery at Chakan by month end.", 2, None),
    (
        LeadStatus.QUOTED,
        "Quoted with freight; comparing two vendors.",
        1,
        "Can you do 5% less?",
    ),
    (LeadStatus.WON, "PO received, dispatch planned this week.", None, "PO attached. Thank you."),
    (LeadStatus.LOST, "Lost on price: buyer went with a local supplier.", None, None),
    (LeadStatus.SPAM, "", None, None),
    (LeadStatus.CONTACTED, "Sent the catalogue on WhatsApp.", 5, "Please share test certificates."),
    (LeadStatus.QUOTED, "Sample dispatched; quotation valid 15 days.", 3, None),
)
# (category, subject, description, the officer's steps, days since it was filed)
COMPLAINTS: tuple[tuple[str, str, str, tuple[str, ...], int], ...] = (
    (
        "lead_quality",
        "Supplier keeps calling after I said no",
        "I enquired once about bearings and now get three calls a day from the supplier.",
        (),
        0,
    ),
    (
        "fraud",
        "Listing shows a brand the supplier does not sell",
        "The listing says the pipes are Jindal but the supplier sent unbranded pipes.",
        ("acknowledged",),
        1,
    ),
    (
        "payment",
        "Invoice amount differs from the quotation",
        "The invoice for my order is 4% above the quotation I accepted on the portal.",
        ("acknowledged", "in_review"),
        3,
    ),
    (
        "account",
        "Cannot change my registered mobile number",
        "The mobile number change page says the code expired every time I try it.",
        ("acknowledged", "resolved"),
        6,
    ),
    (
        "other",
        "Please add a category for solar water heaters",
        "I could not find where solar water heaters are listed on the portal.",
        ("acknowledged", "rejected"),
        8,
    ),
    (
        "content_removal",
        "My photo is used in someone else's listing",
        "A listing of office chairs uses the photo from my own company's brochure.",
        ("acknowledged", "resolved", "appealed"),
        10,
    ),
    (
        "lead_quality",
        "BuyLead contact details were wrong",
        "The phone number on a BuyLead I unlocked does not belong to the buyer.",
        (),
        20,
    ),
)
RESPONSES = {
    "resolved": "We have fixed this and confirmed it with you by email.",
    "rejected": "This is a request for a new category rather than a complaint; we have passed "
    "it to the catalogue team.",
}


def seed_history(domain: str, now: datetime) -> dict[str, int]:
    """Everything above, for supplier1, the first buyers, the officer. Returns what was made."""
    owner = _user(f"supplier1@{domain}")
    officer = _user(f"officer@{domain}")
    buyers = list(
        db.session.scalars(
            select(User).where(User.email.like(f"buyer%@{domain}")).order_by(User.id).limit(6)
        )
    )
    if owner is None or owner.supplier is None or officer is None or len(buyers) < 3:
        return {}
    made = {"pipeline": _pipeline(owner)}
    made["orders"] = _credit_orders(owner)
    made["unlocks"] = _requirements(owner, buyers)
    made["complaints"] = _complaints(buyers, officer, now)
    breach_register.record_breach(officer, _breach(now), now=now)
    # buyer1's correction, and an objection from supplier2's owner: the soak's buyers file
    # access requests and objections of their own (one open request of a type at a time).
    people = [buyers[0], _user(f"supplier2@{domain}")]
    made["privacy_requests"] = _privacy_requests([person for person in people if person])
    return made


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _pipeline(owner: User) -> int:
    """supplier1's leads moved through the pipeline, each stage with its notes and messages."""
    reviewers = _reviewers(owner)
    leads = sorted(
        db.session.scalars(select(Lead).where(Lead.supplier_id == owner.supplier.id)),
        key=lambda lead: (lead.buyer_id in reviewers, lead.id),
    )
    product = db.session.scalar(
        select(Product).where(Product.supplier_id == owner.supplier.id).order_by(Product.id)
    )
    today = pipeline.today_in_india()
    for lead, (status, note, follow_up, reply) in zip(leads, STAGES, strict=False):
        quotes = status in (LeadStatus.QUOTED, LeadStatus.WON) and lead.buyer_id not in reviewers
        if quotes and product is not None:
            conversations.post_message(owner, lead.id, _quotation(product, today))
        elif status is not None and status != LeadStatus.SPAM:
            text = "Thank you for your enquiry. Could you share the quantity and delivery city?"
            conversations.post_message(owner, lead.id, MessageIn.model_validate({"text": text}))
        if reply:
            buyer = db.session.get_one(User, lead.buyer_id)
            conversations.post_message(buyer, lead.id, MessageIn.model_validate({"text": reply}))
        change: dict[str, Any] = {"note": note or None}
        if status is not None:
            change["status"] = status
        if follow_up is not None:
            change["follow_up_on"] = (today + timedelta(days=follow_up)).isoformat()
        if any(change.values()):
            pipeline.update_lead(owner, lead.id, LeadChange.model_validate(change))
    return min(len(leads), len(STAGES))


def _reviewers(owner: User) -> set[int]:
    """A review keeps the trade it was earned by: a buyer who reviewed supplier1 after an
    answered enquiry is quoted nothing now, nor has a requirement of theirs unlocked."""
    return set(
        db.session.scalars(select(Review.author_id).where(Review.supplier_id == owner.supplier.id))
    )


def _quotation(product: Product, today: date) -> MessageIn:
    price = (product.price * Decimal("0.97")).quantize(Decimal("1"))
    return MessageIn.model_validate(
        {
            "text": "Our best price, ex-works, GST extra.",
            "quotation": {
                "price": str(price),
                "quantity": str(product.moq or 1),
                "unit": product.unit,
                "valid_until": (today + timedelta(days=15)).isoformat(),
            },
        }
    )


def _credit_orders(owner: User) -> int:
    """Two packs bought and paid (each with its tax invoice), and one left unpaid."""
    offered = packs()
    if not offered:
        return 0
    gateway = gateways.configured()
    for paid in (True, True, False):
        order, _ = create_order(owner, OrderIn.model_validate({"pack": offered[0].id}))
        if paid and isinstance(gateway, gateways.SandboxGateway):
            body, headers = gateway.simulate(order, pay=True)
            payments.receive_callback(gateway.name, body, headers)
    return 3


def _requirements(owner: User, buyers: list[User]) -> int:
    """The first buyers' requirements for what supplier1 sells; supplier1 unlocks the first two
    that were matched to it (of buyers who have not reviewed it: see _reviewers)."""
    products = db.session.scalars(
        select(Product).where(Product.supplier_id == owner.supplier.id).order_by(Product.id)
    ).all()[:5]
    unlocked = 0
    reviewers = _reviewers(owner)
    for buyer, product in zip(buyers, products, strict=False):
        category = db.session.get_one(Category, product.category_id)
        posted = requirements.post_requirement(
            buyer,
            RequirementIn.model_validate(
                {
                    "product_name": product.name,
                    "description": f"Regular monthly need. {product.name}, ISI marked.",
                    "category": category.slug,
                    "quantity": str((product.moq or 1) * 5),
                    "unit": product.unit,
                    "city": "Pune",
                    "state": "Maharashtra",
                }
            ),
        )
        matched = db.session.scalar(
            select(RequirementMatch.id).where(
                RequirementMatch.requirement_id == posted.id,
                RequirementMatch.supplier_id == owner.supplier.id,
            )
        )
        if matched and unlocked < 2 and buyer.id not in reviewers:
            requirements.unlock(owner, posted.id)
            unlocked += 1
    return unlocked


def _complaints(buyers: list[User], officer: User, now: datetime) -> int:
    """A complaint at each stage of the officer's desk; the last is past its deadline."""
    for number, (category, subject, description, steps, days_ago) in enumerate(COMPLAINTS):
        filed = now - timedelta(days=days_ago, hours=2)
        body = {"category": category, "subject": subject, "description": description}
        grievance = filing.file_grievance(
            buyers[number % len(buyers)], GrievanceIn.model_validate(body), now=filed
        )
        moment = filed
        for step in steps:
            moment += timedelta(hours=20)
            if step == "appealed":
                reason = "The listing still shows my photo a week after you said it was removed."
                appeals.appeal(
                    grievance.complainant, grievance.id, AppealIn(reason=reason), now=moment
                )
                continue
            change = {"status": step, "response": RESPONSES.get(step)}
            decisions.update_grievance(
                officer,
                grievance.id,
                GrievanceChange.model_validate({k: v for k, v in change.items() if v}),
                now=moment,
            )
    return len(COMPLAINTS)


def _breach(now: datetime) -> BreachIn:
    return BreachIn.model_validate(
        {
            "detected_at": (now - timedelta(days=2)).isoformat(),
            "nature": "A misconfigured export link let buyers' business addresses be read "
            "without signing in for about six hours.",
            "data_affected": ["business address", "company name"],
            "users_affected": 37,
            "measures": "The link was withdrawn and every export link now needs a signed-in owner.",
        }
    )


def _privacy_requests(people: list[User]) -> int:
    """A correction and an objection waiting for the officer's decision."""
    if not people:
        return 0
    required = [p for p in purposes.REQUIRED if p not in ("service", "security")]
    asks: list[dict[str, Any]] = [
        {"type": "correction", "field": "name", "value": f"{people[0].name} (Proprietor)"}
    ]
    if required:
        reason = "I do not want my trade history used for this."
        asks.append({"type": "objection", "purpose": required[0], "reason": reason})
    for person, ask in zip(people, asks, strict=False):
        submit_request(person, PrivacyRequestIn.model_validate({**ask, "password": DEMO_PASSWORD}))
    return min(len(people), len(asks))
