"""Demo reviews, each earned the way the rules require: the buyer asked about a product, the
supplier answered (or sent a quotation), then the buyer rated it. One review has the
supplier's reply. Called by `flask demo seed` before it indexes, so search sorts by them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.leads.models import Lead, LeadSource, LeadStatus, LeadType, Message, MessageSide
from marketplace.reviews.models import Basis, Review

# (stars, what the buyer wrote, the supplier's reply or None), per demo supplier.
REVIEWS: tuple[tuple[tuple[int, str, str | None], ...], ...] = (
    (
        (5, "Quoted within two hours and the material matched the test certificate.", None),
        (4, "Good quality. Dispatch took three days longer than promised.", None),
        (
            3,
            "Packing was poor; two pieces reached us dented.",
            "We are sorry about the packing. We now crate every order above 500 kg and have "
            "sent replacements for the dented pieces.",
        ),
    ),
    ((5, "Fair price, GST invoice and e-way bill in order. Will order again.", None),),
    (
        (4, "Answered every question about the specification patiently.", None),
        (4, "", None),
    ),
    ((2, "Slow to answer follow-ups after the first quotation.", None),),
)


def seed_demo_reviews(rng: random.Random, now: datetime) -> int:
    """Trade and reviews between the first demo buyers and the first demo suppliers."""
    buyers = list(
        db.session.scalars(
            select(User.id).where(User.email.like("buyer%@%")).order_by(User.id).limit(3)
        )
    )
    made = 0
    suppliers = db.session.scalars(select(SupplierProfile).order_by(SupplierProfile.id).limit(4))
    for supplier, reviews in zip(suppliers, REVIEWS, strict=False):
        product = db.session.scalar(
            select(Product).where(Product.supplier_id == supplier.id).order_by(Product.id)
        )
        if product is None:
            continue
        for buyer_id, (stars, text, reply) in zip(buyers, reviews, strict=False):
            asked = now - timedelta(days=rng.randint(20, 60), hours=rng.randint(0, 23))
            quoted = rng.random() < 0.5
            _answered_enquiry(supplier, product, buyer_id, asked, quoted=quoted)
            rated = asked + timedelta(days=rng.randint(8, 15))
            db.session.add(
                Review(
                    supplier_id=supplier.id,
                    author_id=buyer_id,
                    rating=stars,
                    text=text,
                    basis=Basis.QUOTATION if quoted else Basis.ANSWERED_ENQUIRY,
                    reply_text=reply,
                    replied_at=rated + timedelta(hours=5) if reply else None,
                    created_at=rated,
                    updated_at=rated,
                )
            )
            made += 1
    db.session.flush()
    return made


def _answered_enquiry(
    supplier: SupplierProfile, product: Product, buyer_id: int, asked: datetime, *, quoted: bool
) -> None:
    lead = Lead(
        supplier_id=supplier.id,
        buyer_id=buyer_id,
        type=LeadType.ENQUIRY,
        status=LeadStatus.QUOTED if quoted else LeadStatus.CONTACTED,
        source=LeadSource.PRODUCT_PAGE,
        product_id=product.id,
        product_name=product.name,
        quantity=Decimal(product.moq * 2),
        unit=product.unit,
        message=f"Please quote for {product.moq * 2} {product.unit} of {product.name}.",
        supplier_notified_at=asked,  # demo trade: nobody is mailed about it
        buyer_activity_at=asked,
        created_at=asked,
        updated_at=asked,
    )
    db.session.add(lead)
    db.session.flush()
    answered = asked + timedelta(hours=3)
    db.session.add(
        Message(
            lead_id=lead.id,
            side=MessageSide.SUPPLIER,
            author_id=supplier.user_id,
            text="Thank you for your enquiry. Our best price is below; dispatch in 5 days.",
            quote_price=product.price if quoted else None,
            quote_quantity=Decimal(product.moq * 2) if quoted else None,
            quote_unit=product.unit if quoted else None,
            quote_valid_until=(answered + timedelta(days=15)).date() if quoted else None,
            created_at=answered,
        )
    )
