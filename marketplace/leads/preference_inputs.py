"""What a supplier sends to set its BuyLead preferences (the settings page and
`PUT /api/v1/buyleads/preferences` alike). A list may also come as comma-separated text (a
form's field); each item is checked and a bad one is named in the field's error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, model_validator

from marketplace.accounts.india import find_state
from marketplace.catalog.categories import categories
from marketplace.fields import Choice, Flag, Money, checked
from marketplace.leads.preference_models import BUYER_KINDS
from marketplace.validation import Invalid, clean_text, refuse_field

MAX_ITEMS = 50


def _category(value: str) -> str:
    if value not in categories():
        raise Invalid(_("is not a category slug, e.g. stainless-steel-pipes"))
    return value


def _state(value: str) -> str:
    state = find_state(value)
    if state is None:
        raise Invalid(_("is not an Indian state or union territory"))
    return state.name


def _city(value: str) -> str:
    if not 2 <= len(value) <= 100:
        raise Invalid(_("is not a city name (2 to 100 characters)"))
    return value


def _items(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        return raw.split(",")
    if isinstance(raw, list):
        return raw
    raise Invalid(_("must be a list"))


def ListOf(read_one: Callable[[str], str], description: str) -> Any:
    """A list of words, each read by `read_one`; blanks and repeats dropped."""

    def read(raw: Any) -> list[str]:
        values: list[str] = []
        for item in _items(raw):
            if not isinstance(item, str):
                raise Invalid(_("must be a list of strings"))
            text = clean_text(item) if item.strip() else ""
            if not text:
                continue
            try:
                value = read_one(text)
            except Invalid as error:
                raise Invalid(f"{text} {error}") from None
            if value.casefold() not in {seen.casefold() for seen in values}:
                values.append(value)
        if len(values) > MAX_ITEMS:
            raise Invalid(_("must have at most %(limit)s items", limit=MAX_ITEMS))
        return values

    schema = {
        "type": "array",
        "items": {"type": "string"},
        "maxItems": MAX_ITEMS,
        "description": description,
    }
    return checked(read, schema, python=list, required=False)


Categories = ListOf(_category, "category slugs; a category includes its sub-categories")
States = ListOf(_state, "state names, ISO or GST codes")
Cities = ListOf(_city, "city names")


class PreferencesIn(BaseModel):
    """Every preference at once (a field left out is cleared): empty lists mean any."""

    model_config = ConfigDict(title="LeadPreferencesInput")

    categories_included: Categories = None
    categories_excluded: Categories = None
    states_included: States = None
    states_excluded: States = None
    cities_included: Cities = None
    cities_excluded: Cities = None
    min_order_value: Money(required=False) = None
    include_without_budget: Flag = True
    buyer_kind: Choice(
        BUYER_KINDS, required=False, description="gst_registered: buyers with a GSTIN only"
    ) = None

    @model_validator(mode="after")
    def _not_both_ways(self) -> Any:
        for dimension in ("categories", "states", "cities"):
            included = {v.casefold() for v in getattr(self, f"{dimension}_included") or []}
            excluded = getattr(self, f"{dimension}_excluded") or []
            both = [value for value in excluded if value.casefold() in included]
            if both:
                refuse_field(
                    f"{dimension}_excluded",
                    _("%(items)s cannot be included and excluded", items=", ".join(both)),
                )
        return self
