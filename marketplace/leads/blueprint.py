"""The leads pages' blueprint and what its view modules share: the signed-in person, the
buyer's rate-limit key and the page size. The view modules (views.py for enquiries and the
lead manager, requirement_views.py for buy requirements and BuyLeads) add their routes to it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user

from marketplace.accounts.models import User
from marketplace.extensions import limiter
from marketplace.leads.forms import (
    lead_source_label,
    lead_status_label,
    lead_type_label,
    quantity_label,
)
from marketplace.web import address_key

bp = Blueprint("leads", __name__)
for _label in (lead_status_label, lead_type_label, lead_source_label):
    bp.add_app_template_global(_label)
bp.add_app_template_filter(quantity_label, "quantity")

PER_PAGE = 25


def signed_in_user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def buyer_key() -> str:
    return f"buyer:{current_user.id}" if current_user.is_authenticated else address_key()


def only_posts(rule: str, key: Any) -> Any:
    return limiter.limit(rule, key_func=key, methods=["POST"])
