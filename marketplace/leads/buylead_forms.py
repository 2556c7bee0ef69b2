"""BuyLead forms (reporting a bad one, the officer's decision on a report): CSRF and rendering
only; the rules are in the leads service."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from marketplace.accounts.forms import STATE_CHOICES
from marketplace.leads.report_models import REASON_LABELS


class ReportForm(FlaskForm):
    reason = SelectField(
        "What was wrong?",
        choices=[SelectChoice("", "Choose a reason")]
        + [SelectChoice(str(reason), label) for reason, label in REASON_LABELS.items()],
        validate_choice=False,
    )
    note = TextAreaField(
        "Note for the grievance officer", description="What happened when you called"
    )

    def service_data(self) -> dict[str, Any]:
        return {"reason": self.reason.data or None, "note": self.note.data or None}


class DecisionForm(FlaskForm):
    decision = SelectField(
        "Decision",
        choices=[
            SelectChoice("uphold", "Uphold: return the credit"),
            SelectChoice("reject", "Reject"),
        ],
        validate_choice=False,
    )
    reason = TextAreaField("Reason (sent to the supplier)")

    def service_data(self) -> dict[str, Any]:
        return {"decision": self.decision.data or None, "reason": self.reason.data or None}


class PreferencesForm(FlaskForm):
    categories_included = SelectMultipleField("Only these categories", validate_choice=False)
    categories_excluded = SelectMultipleField("Never these categories", validate_choice=False)
    states_included = SelectMultipleField(
        "Only these states", choices=STATE_CHOICES[1:], validate_choice=False
    )
    states_excluded = SelectMultipleField(
        "Never these states", choices=STATE_CHOICES[1:], validate_choice=False
    )
    cities_included = StringField(
        "Only these cities", description="Separate with commas: Pune, Nashik"
    )
    cities_excluded = StringField("Never these cities", description="Separate with commas")
    min_order_value = StringField(
        "Smallest order in ₹ (optional)", description="Compared with the budget the buyer states"
    )
    include_without_budget = BooleanField("Also show requirements that state no budget")
    buyer_kind = SelectField(
        "Buyers",
        choices=[
            SelectChoice("any", "Any buyer"),
            SelectChoice("gst_registered", "Only buyers registered for GST"),
        ],
        validate_choice=False,
    )

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: self[name].data or [] for name in _LISTS}
        data.update(
            min_order_value=self.min_order_value.data or None,
            include_without_budget=bool(self.include_without_budget.data),
            buyer_kind=self.buyer_kind.data or None,
        )
        return data

    def fill(self, prefs: Any) -> None:
        """Show the saved preferences (on GET)."""
        for name in _LISTS:
            value = getattr(prefs, name)
            self[name].data = ", ".join(value) if name.startswith("cities") else list(value)
        value = prefs.min_order_value
        # whole rupees as typed ("50000"), paise only when there are some
        self.min_order_value.data = f"{value:.2f}".removesuffix(".00") if value is not None else ""
        self.include_without_budget.data = prefs.include_without_budget
        self.buyer_kind.data = prefs.buyer_kind


_LISTS = tuple(
    f"{name}_{way}"
    for name in ("categories", "states", "cities")
    for way in ("included", "excluded")
)
