"""BuyLead forms (reporting a bad one, the officer's decision on a report): CSRF and rendering
only; the rules are in the leads service."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

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
