"""A supplier's BuyLead preferences as the API answers them (the supplier alone reads them)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from marketplace.leads.preference_models import BUYER_KINDS
from marketplace.leads.preferences import Preferences


class PreferencesView(TypedDict):
    categories_included: list[str]
    categories_excluded: list[str]
    states_included: list[str]
    states_excluded: list[str]
    cities_included: list[str]
    cities_excluded: list[str]
    min_order_value: Annotated[
        str | None, Field(description="rupees; compared with a requirement's budget")
    ]
    include_without_budget: Annotated[
        bool, Field(description="whether requirements without a budget pass the minimum")
    ]
    buyer_kind: Annotated[str, Field(json_schema_extra={"enum": list(BUYER_KINDS)})]


def preferences_view(prefs: Preferences) -> PreferencesView:
    value: Any = prefs.min_order_value
    return {
        "categories_included": prefs.categories_included,
        "categories_excluded": prefs.categories_excluded,
        "states_included": prefs.states_included,
        "states_excluded": prefs.states_excluded,
        "cities_included": prefs.cities_included,
        "cities_excluded": prefs.cities_excluded,
        "min_order_value": f"{value:.2f}" if value is not None else None,
        "include_without_budget": prefs.include_without_budget,
        "buyer_kind": prefs.buyer_kind,
    }
