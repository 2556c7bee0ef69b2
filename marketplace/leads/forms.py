"""Lead forms: CSRF and rendering only; the rules are in the leads service."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from marketplace.accounts.forms import STATE_CHOICES
from marketplace.catalog.units import UNITS
from marketplace.leads.models import Lead, LeadSource, LeadStatus, LeadType
from marketplace.leads.schemas import quantity_text
from marketplace.legal_rules import ADULT_AGE

UNIT_CHOICES = [SelectChoice("", "Unit")] + [SelectChoice(value) for value in UNITS]
STATUS_LABELS = {
    LeadStatus.NEW: "New",
    LeadStatus.CONTACTED: "Contacted",
    LeadStatus.QUOTED: "Quoted",
    LeadStatus.WON: "Won",
    LeadStatus.LOST: "Lost",
    LeadStatus.SPAM: "Spam",
}


TYPE_LABELS = {LeadType.ENQUIRY: "Enquiry", LeadType.BUYLEAD: "BuyLead"}

# Where a lead came from, after "via".
SOURCE_LABELS = {
    LeadSource.PRODUCT_PAGE: "a product page",
    LeadSource.STOREFRONT: "your storefront",
    LeadSource.API: "an integration",
    LeadSource.GUEST: "a visitor without an account",
    LeadSource.BUY_REQUIREMENT: "a posted requirement",
}


def lead_type_label(kind: LeadType | str) -> str:
    return TYPE_LABELS[LeadType(kind)]


def lead_source_label(source: LeadSource | str) -> str:
    return SOURCE_LABELS[LeadSource(source)]


def lead_status_label(status: LeadStatus | str) -> str:
    """A status as the pages name it (a template global)."""
    return STATUS_LABELS.get(LeadStatus(status), str(status))


def quantity_label(value: Any) -> str:
    """500, not the 500.000 the database column hands back (the `quantity` template filter)."""
    return quantity_text(value) or ""


class EnquiryForm(FlaskForm):
    product_id = HiddenField()
    supplier_id = HiddenField()
    quantity = StringField("Quantity", description="How much you need, e.g. 500")
    unit = SelectField("Unit", choices=UNIT_CHOICES, validate_choice=False)
    message = TextAreaField("Your requirement")
    city = StringField("Delivery city")
    # A field people never see: a bot that fills every input gives itself away.
    website = StringField("Leave this empty")

    def service_data(self) -> dict[str, Any]:
        fields = ("product_id", "supplier_id", "quantity", "unit", "message", "city")
        return {name: self[name].data for name in fields if self[name].data not in (None, "")}

    @property
    def is_bot(self) -> bool:
        return bool(self.website.data)

    def prefill(self, product: Any, supplier: Any) -> None:
        """A new enquiry about the product (or, from a storefront, the supplier)."""
        self.product_id.data = str(product.id) if product else ""
        self.supplier_id.data = "" if product else str(supplier.id)
        self.unit.data = product.unit if product else ""
        about = product.name if product else "your products"
        self.message.data = f"I am interested in {about}. Please send your best price."


class GuestEnquiryForm(EnquiryForm):
    name = StringField("Your name")
    email = EmailField("Email")
    phone = TelField("Mobile number", description="We send a one-time code to confirm it")
    age_confirmed = BooleanField(f"I am {ADULT_AGE} years of age or older")
    accept_terms = BooleanField("I accept the terms of use and the privacy policy")

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.update(
            name=self.name.data or "",
            email=self.email.data or "",
            phone=self.phone.data or "",
            age_confirmed=bool(self.age_confirmed.data),
            accept_terms=bool(self.accept_terms.data),
        )
        return data


class CodeForm(FlaskForm):
    code = StringField("One-time code", description="The 6 digits we sent by SMS")


class MessageForm(FlaskForm):
    text = TextAreaField("Message")


class QuotationForm(FlaskForm):
    price = StringField("Price per unit (₹)")
    quantity = StringField("Quantity")
    unit = SelectField("Unit", choices=UNIT_CHOICES, validate_choice=False)
    valid_until = StringField("Valid until", description="YYYY-MM-DD")
    text = TextAreaField("Terms and note (optional)")

    def prefill(self, unit: str | None, quantity: Any) -> None:
        """A quotation for what the buyer asked: its unit and quantity."""
        self.unit.data = unit
        self.quantity.data = quantity_text(quantity)

    def service_data(self) -> dict[str, Any]:
        return {
            "text": self.text.data or None,
            "quotation": {
                "price": self.price.data or "",
                "quantity": self.quantity.data or "",
                "unit": self.unit.data or "",
                "valid_until": self.valid_until.data or "",
            },
        }


class LeadUpdateForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(str(s), label) for s, label in STATUS_LABELS.items()],
        validate_choice=False,
    )
    note = TextAreaField("Add a private note")
    # Text, not a DateField: the service reads the date and says what is wrong with it.
    follow_up_on = StringField("Follow up on")
    # The owner or a manager gives the lead to someone else (the page lists who).
    assignee_id = SelectField("Assigned to", validate_choice=False)

    ACTIONS = ("status", "note", "follow_up", "assign")
    SAVED = {
        "status": "Status updated.",
        "note": "Note added.",
        "follow_up": "Follow-up date saved.",
        "assign": "The lead is given to its new person.",
    }

    @classmethod
    def of(cls, lead: Lead, people: list[tuple[str, str]]) -> LeadUpdateForm:
        """The form as the lead stands (not read from a request); `people`: whom it may be
        given to."""
        form = cls(formdata=None, status=str(lead.status), assignee_id=str(lead.assignee_id))
        form.follow_up_on.data = lead.follow_up_on.isoformat() if lead.follow_up_on else ""
        form.assignee_id.choices = people
        return form

    def service_data(self, action: str) -> dict[str, Any]:
        """The one field a button of the lead page changes (an unknown action changes nothing)."""
        if action == "status":
            return {"status": self.status.data}
        if action == "note":
            return {"note": self.note.data or ""}
        if action == "follow_up":
            return {"follow_up_on": self.follow_up_on.data or None}
        if action == "assign":
            return {"assignee_id": self.assignee_id.data or None}
        return {}


class RequirementForm(FlaskForm):
    product_name = StringField("What do you need?", description="e.g. SS 304 seamless pipe, 2 inch")
    description = TextAreaField("Details", description="Grade, size, packing, delivery terms")
    category = SelectField("Category (optional)", validate_choice=False)
    quantity = StringField("Quantity")
    unit = SelectField("Unit", choices=UNIT_CHOICES, validate_choice=False)
    budget = StringField("Budget in ₹ (optional)")
    city = StringField("Delivery city")
    state = SelectField("State", choices=STATE_CHOICES, validate_choice=False)
    open_days = SelectField(
        "Keep it open for",
        choices=[SelectChoice(str(days), f"{days} days") for days in (3, 7, 15, 30)],
        validate_choice=False,
    )

    def service_data(self) -> dict[str, Any]:
        fields = ("product_name", "description", "category", "quantity", "unit", "budget")
        data = {name: self[name].data for name in fields if self[name].data not in (None, "")}
        data.update(city=self.city.data or "", state=self.state.data or "")
        data["open_days"] = self.open_days.data or None
        return data
