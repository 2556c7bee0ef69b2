"""The credits domain's kinds of use, for the inactivity sweep (marketplace.privacy.activity):
a supplier's orders of credit packs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from marketplace.accounts.models import SupplierProfile
from marketplace.credits.models import CreditOrder
from marketplace.privacy.activity import register


def _ordered(since: datetime) -> Select[Any]:
    return (
        select(SupplierProfile.user_id)
        .join(CreditOrder, CreditOrder.supplier_id == SupplierProfile.id)
        .where(CreditOrder.created_at >= since)
    )


register("orders", _ordered)
