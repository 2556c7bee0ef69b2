"""The demo's supplier with a team (`flask demo seed`): supplier1 has a manager, two sales
people and a catalogue keeper, and enquiries from the demo's buyers already shared out among
them, so the team page, the lead manager's figures and each role's view can be tried at once."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from marketplace.accounts.models import Role, SupplierProfile, User, UserRole
from marketplace.accounts.team_models import TeamMember, TeamRole
from marketplace.catalog.models import Product, ProductStatus
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.leads.enquiries import send_enquiry
from marketplace.leads.inputs import EnquiryIn
from marketplace.leads.models import LeadSource
from marketplace.privacy.services import initial_consents, record_consents

# (the address's first part, their name, their role)
TEAM: tuple[tuple[str, str, TeamRole], ...] = (
    ("manager", "Kavita Menon", TeamRole.MANAGER),
    ("sales1", "Arjun Patil", TeamRole.SALES),
    ("sales2", "Farah Qureshi", TeamRole.SALES),
    ("catalogue", "Deepak Joshi", TeamRole.CATALOGUE),
)
PRODUCT_ENQUIRIES_PER_BUYER = 2


def team_email(local: str, domain: str) -> str:
    return f"supplier1-{local}@{domain}"


def seed_team(domain: str, password_hash: str) -> int:
    """supplier1's team, signed in just now (so active), then the buyers' enquiries, which
    the real assignment shares out. Returns how many leads were made."""
    owner = db.session.scalar(select(User).where(User.email == f"supplier1@{domain}"))
    if owner is None or owner.supplier is None:
        return 0
    now = utcnow()
    for local, name, role in TEAM:
        person = User(
            email=team_email(local, domain),
            name=name,
            password_hash=password_hash,
            email_verified_at=now,
            last_sign_in_at=now,
            terms_version=current_app.config["TERMS_VERSION"],
            age_confirmed_at=now,
        )
        person.role_rows = [UserRole(role=Role.TEAM_MEMBER)]
        db.session.add(
            TeamMember(
                supplier=owner.supplier,
                user=person,
                role=role,
                invited_by_id=owner.id,
                joined_at=now,
            )
        )
        db.session.flush()
        record_consents(person.id, initial_consents({}), source="demo")
    return _enquiries(owner.supplier, domain)


def _enquiries(supplier: SupplierProfile, domain: str) -> int:
    product_ids = db.session.scalars(
        select(Product.id)
        .where(Product.supplier_id == supplier.id, Product.status == ProductStatus.ACTIVE)
        .order_by(Product.id)
        .limit(PRODUCT_ENQUIRIES_PER_BUYER)
    ).all()
    buyers = db.session.scalars(
        select(User.id).where(User.email.like(f"buyer%@{domain}")).order_by(User.id).limit(6)
    ).all()
    made = 0
    for buyer_id in buyers:
        subjects = [{"supplier_id": supplier.id}, *({"product_id": p} for p in product_ids)]
        for subject in subjects:
            body = EnquiryIn.model_validate(
                {**subject, "quantity": "200", "message": "Please send your best price."}
            )
            source = LeadSource.PRODUCT_PAGE if "product_id" in subject else LeadSource.STOREFRONT
            send_enquiry(buyer_id, body, source=source)
            made += 1
    return made
