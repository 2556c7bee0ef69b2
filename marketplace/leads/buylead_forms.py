"""BuyLead forms (reporting a bad one, the officer's decision on a report): CSRF and rendering
only; the rules are in the leads service."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from marketplace.accounts.forms import STATE_CHOICES
from marketplace.leads.report_models import REASON_LABELS


class ReportForm(FlaskForm):
    reason = SelectField(
        _l("What was wrong?"),
        choices=[SelectChoice("", _l("Choose a reason"))]
        + [SelectChoice(str(reason), label) for reason, label in REASON_LABELS.items()],
        validate_choice=False,
    )
    note = TextAreaField(
        _l("Note for the grievance officer"), description=_l("What happened when you called")
    )

    def service_data(self) -> dict[str, Any]:
        return {"reason": self.reason.data or None, "note": self.note.data or None}


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("uphold", _l("Uphold: return the credit")),
            SelectChoice("reject", _l("Reject")),
        ],
        validate_choice=False,
    )
    reason = TextAreaField(_l("Reason (sent to the supplier)"))

    def service_data(self) -> dict[str, Any]:
        return {"decision": self.decision.data or None, "reason": self.reason.data or None}


class PreferencesForm(FlaskForm):
    categories_included = SelectMultipleField(_l("Only these categories"), validate_choice=False)
    categories_excluded = SelectMultipleField(_l("Never these categories"), validate_choice=False)
    states_included = SelectMultipleField(
        _l("Only these states"), choices=STATE_CHOICES[1:], validate_choice=False
    )
    states_excluded = SelectMultipleField(
        _l("Never these states"), choices=STATE_CHOICES[1:], validate_choice=False
    )
    cities_included = StringField(
        _l("Only these cities"), description=_l("Separate with commas: Pune, Nashik")
    )
    cities_excluded = StringField(_l("Never these cities"), description=_l("Separate with commas"))
    min_order_value = StringField(
        _l("Smallest order in ₹ (optional)"),
        description=_l("Compared with the budget the buyer states"),
    )
    include_without_budget = BooleanField(_l("Also show requirements that state no budget"))
    buyer_kind = SelectField(
        _l("Buyers"),
        choices=[
            SelectChoice("any", _l("Any buyer")),
            SelectChoice("gst_registered", _l("Only buyers registered for GST")),
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
