"""Plans and credit packs, as configured: parsed from the environment when the app starts.

`CREDIT_PLANS="Free:0,Silver:10,Gold:30"` names each plan and its weekly allocation; the first
is every supplier's plan until an operator changes it. `CREDIT_PACKS="10:999,50:3999"` lists
packs as credits and price in rupees, before GST. The parsing reads text only: config.py calls
it, so this module must not import the app (the running app's plans are read through Flask's
`current_app`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9 ]{0,30}$")


@dataclass(frozen=True)
class Plan:
    id: str  # "silver": what is stored and shown in the API
    name: str  # "Silver"
    weekly_credits: int


@dataclass(frozen=True)
class Pack:
    id: str  # "credits-50"
    credits: int
    price: Decimal  # rupees, GST excluded


def _pairs(value: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for item in value.split(","):
        head, sep, tail = item.strip().partition(":")
        if not sep or not head.strip() or not tail.strip():
            raise ValueError(f"each {what} is written NAME:NUMBER, separated by commas")
        pairs.append((head.strip(), tail.strip()))
    return pairs


def parse_plans(value: str) -> tuple[Plan, ...]:
    """'Free:0,Silver:10,Gold:30' -> plans; the first is the default plan."""
    plans = []
    for name, weekly in _pairs(value, "plan"):
        if not _NAME.match(name):
            raise ValueError(f"plan name {name!r} must be letters, digits and spaces")
        if not weekly.isascii() or not weekly.isdigit() or int(weekly) > 10_000:
            raise ValueError(f"plan {name}'s weekly credits must be a whole number up to 10000")
        plans.append(Plan("-".join(name.lower().split()), name, int(weekly)))
    if len({plan.id for plan in plans}) != len(plans):
        raise ValueError("two plans have the same name")
    return tuple(plans)


def parse_packs(value: str) -> tuple[Pack, ...]:
    """'10:999,50:3999' -> packs of 10 credits for ₹999 and 50 for ₹3,999 (before GST)."""
    packs = []
    for credits, price in _pairs(value, "pack"):
        if not credits.isascii() or not credits.isdigit() or not 1 <= int(credits) <= 100_000:
            raise ValueError(f"a pack's credits must be a whole number from 1 to 100000: {credits}")
        try:
            amount = Decimal(price)
        except InvalidOperation:
            raise ValueError(
                f"a pack's price must be rupees, e.g. 999 or 999.50: {price}"
            ) from None
        if not amount.is_finite() or not Decimal("1") <= amount <= Decimal("10000000"):
            raise ValueError(f"a pack's price must be from 1 to 10000000 rupees: {price}")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"a pack's price has at most two decimal places (paise): {price}")
        packs.append(
            Pack(f"credits-{int(credits)}", int(credits), amount.quantize(Decimal("0.01")))
        )
    if len({pack.id for pack in packs}) != len(packs):
        raise ValueError("two packs have the same number of credits")
    return tuple(packs)


def plans() -> tuple[Plan, ...]:
    """The running app's plans; the first is the default."""
    configured: tuple[Plan, ...] = current_app.config["CREDIT_PLANS"]
    return configured


def default_plan() -> Plan:
    return plans()[0]


def find_plan(plan_id: str) -> Plan:
    for plan in plans():
        if plan.id == plan_id:
            return plan
    return default_plan()  # a plan removed from the configuration: the default's terms


def packs() -> tuple[Pack, ...]:
    """The running app's credit packs."""
    configured: tuple[Pack, ...] = current_app.config["CREDIT_PACKS"]
    return configured
