"""What the demo data does not yet hold and a role's pages show once it happens: a posted
requirement unlocked and reported, a paid and an unpaid credit order, a pending team
invitation, an integration key, privacy requests waiting for the officer, a complaint, a breach,
a password reset asked for. Made through the same services the pages call, so the walk sees
those pages as a person would after using them."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.api_keys import create_integration_key
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
from marketplace.grievances.inputs import BreachIn, GrievanceIn
from marketplace.leads import bad_leads, requirements
from marketplace.leads.inputs import RequirementIn
from marketplace.leads.report_inputs import BuyLeadReportIn
from marketplace.privacy.filing import submit_request
from marketplace.privacy.inputs import PrivacyRequestIn


def _person(local: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))


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


def add_history() -> None:
    buyer, owner = _person("buyer1"), _person("supplier1")
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
