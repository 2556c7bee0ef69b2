"""BuyLead preferences: a supplier says which buy requirements it wants (categories, states and
cities each included or excluded, a minimum order value, GST-registered buyers only), matching
and the "New BuyLead" notices honour them, and the BuyLead list says why each one was shown.

The order value of a requirement is its budget. A requirement without a budget cannot be
compared with a minimum: it is shown (most buyers state none, and hiding them all would empty
the feed of a supplier that set a minimum) unless the supplier turns `include_without_budget`
off. A requirement without a category passes an exclude list but not an include list (nothing
says it is in the categories asked for). A GST-registered buyer is one whose account holds a
business with a GSTIN.

Functions flush but never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.catalog.categories import categories, category_label
from marketplace.extensions import db
from marketplace.formatting import money
from marketplace.leads import policy
from marketplace.leads.masking import masked_words
from marketplace.leads.models import BuyRequirement
from marketplace.leads.preference_inputs import PreferencesIn
from marketplace.leads.preference_models import LeadPreferences


@dataclass(frozen=True)
class Preferences:
    """A supplier's preferences as the rules read them (the defaults when it set none)."""

    categories_included: list[str] = field(default_factory=list)
    categories_excluded: list[str] = field(default_factory=list)
    states_included: list[str] = field(default_factory=list)
    states_excluded: list[str] = field(default_factory=list)
    cities_included: list[str] = field(default_factory=list)
    cities_excluded: list[str] = field(default_factory=list)
    min_order_value: Decimal | None = None
    include_without_budget: bool = True
    buyer_kind: str = "any"

    @classmethod
    def of(cls, row: LeadPreferences | None) -> Preferences:
        if row is None:
            return cls()
        return cls(
            categories_included=list(row.categories_included or []),
            categories_excluded=list(row.categories_excluded or []),
            states_included=list(row.states_included or []),
            states_excluded=list(row.states_excluded or []),
            cities_included=list(row.cities_included or []),
            cities_excluded=list(row.cities_excluded or []),
            min_order_value=row.min_order_value,
            include_without_budget=row.include_without_budget,
            buyer_kind=row.buyer_kind,
        )


# --- reading and saving -----------------------------------------------------------------------


def preferences_of(supplier_ids: Iterable[int]) -> dict[int, Preferences]:
    """Each supplier's preferences (the defaults for one that set none)."""
    ids = list(supplier_ids)
    rows = db.session.scalars(select(LeadPreferences).where(LeadPreferences.supplier_id.in_(ids)))
    found = {row.supplier_id: Preferences.of(row) for row in rows}
    return {supplier_id: found.get(supplier_id, Preferences()) for supplier_id in ids}


def own_preferences(user: User) -> Preferences:
    supplier = policy.buylead_buyer(user)
    return preferences_of([supplier.id])[supplier.id]


def save_preferences(user: User, body: PreferencesIn) -> Preferences:
    """Replace the supplier's preferences with these (a field left out is cleared)."""
    supplier = policy.buylead_chooser(user)
    row = db.session.get(LeadPreferences, supplier.id)
    if row is None:
        row = LeadPreferences(supplier_id=supplier.id)
        db.session.add(row)
    for name in ("categories", "states", "cities"):
        for way in ("included", "excluded"):
            setattr(row, f"{name}_{way}", getattr(body, f"{name}_{way}") or [])
    row.min_order_value = body.min_order_value
    row.include_without_budget = body.include_without_budget
    row.buyer_kind = body.buyer_kind or "any"
    db.session.flush()
    audit.record("buylead.preferences_changed", actor_id=user.id, subject=supplier)
    return Preferences.of(row)


# --- the rules --------------------------------------------------------------------------------


def _category_line(slug: str | None) -> set[str]:
    """The category and every category above it: choosing a category takes its children."""
    known = categories()
    line: set[str] = set()
    while slug and slug in known and slug not in line:
        line.add(slug)
        slug = known[slug].parent_slug
    return line


def _passes(value: str | None, included: list[str], excluded: list[str]) -> bool:
    folded = {item.casefold() for item in excluded}
    if value is not None and value.casefold() in folded:
        return False
    return not included or (
        value is not None and value.casefold() in {i.casefold() for i in included}
    )


def _category_passes(prefs: Preferences, slug: str | None) -> bool:
    line = _category_line(slug)
    if line & set(prefs.categories_excluded):
        return False
    return not prefs.categories_included or bool(line & set(prefs.categories_included))


def _value_passes(prefs: Preferences, budget: Decimal | None) -> bool:
    if prefs.min_order_value is None:
        return True
    if budget is None:
        return prefs.include_without_budget
    return budget >= prefs.min_order_value


def is_gst_registered(buyer: User | None) -> bool:
    return buyer is not None and buyer.supplier is not None and bool(buyer.supplier.gstin)


def accepts(prefs: Preferences, requirement: BuyRequirement) -> bool:
    """Whether this supplier wants this requirement."""
    slug = requirement.category.slug if requirement.category else None
    return (
        _category_passes(prefs, slug)
        and _passes(requirement.state, prefs.states_included, prefs.states_excluded)
        and _passes(requirement.city, prefs.cities_included, prefs.cities_excluded)
        and _value_passes(prefs, requirement.budget)
        and (prefs.buyer_kind == "any" or is_gst_registered(requirement.buyer))
    )


def why_shown(prefs: Preferences, requirement: BuyRequirement) -> str:
    """Why a BuyLead is in the supplier's list, in its words: "Pune, Air Compressors, above
    ₹50,000" (the place, the category, then each further preference it met)."""
    parts = [masked_words(requirement)["city"]]  # a buyer may type a number into the city
    if requirement.category is not None:
        parts.append(category_label(requirement.category))
    if prefs.min_order_value is not None:
        if requirement.budget is None:
            parts.append(_("budget not stated"))
        else:
            parts.append(_("above %(amount)s", amount=money(prefs.min_order_value)))
    if prefs.buyer_kind == "gst_registered":
        parts.append(_("GST-registered buyer"))
    return ", ".join(parts)
