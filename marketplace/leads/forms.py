"""Lead forms: CSRF and rendering only; the rules are in the leads service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

UNIT_CHOICES = [SelectChoice("", _l("Unit"))] + [SelectChoice(value) for value in UNITS]
STATUS_LABELS = {
    LeadStatus.NEW: _l("New"),
    LeadStatus.CONTACTED: _l("Contacted"),
    LeadStatus.QUOTED: _l("Quoted"),
    LeadStatus.WON: _l("Won"),
    LeadStatus.LOST: _l("Lost"),
    LeadStatus.SPAM: _l("Spam"),
}


TYPE_LABELS = {LeadType.ENQUIRY: _l("Enquiry"), LeadType.BUYLEAD: _l("BuyLead")}

# Where a lead came from, after "via".
SOURCE_LABELS = {
    LeadSource.PRODUCT_PAGE: _l("a product page"),
    LeadSource.STOREFRONT: _l("your storefront"),
    LeadSource.API: _l("an integration"),
    LeadSource.GUEST: _l("a visitor without an account"),
    LeadSource.BUY_REQUIREMENT: _l("a posted requirement"),
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
    quantity = StringField(_l("Quantity"), description=_l("How much you need, e.g. 500"))
    unit = SelectField(_l("Unit"), choices=UNIT_CHOICES, validate_choice=False)
    message = TextAreaField(_l("Your requirement"))
    city = StringField(_l("Delivery city"))
    # A field people never see: a bot that fills every input gives itself away.
    website = StringField(_l("Leave this empty"))

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
        self.message.data = (
            _("I am interested in %(product)s. Please send your best price.", product=product.name)
            if product
            else _("I am interested in your products. Please send your best price.")
        )


class GuestEnquiryForm(EnquiryForm):
    name = StringField(_l("Your name"))
    email = EmailField(_l("Email"))
    phone = TelField(_l("Mobile number"), description=_l("We send a one-time code to confirm it"))
    age_confirmed = BooleanField(_l("I am %(age)s years of age or older", age=ADULT_AGE))
    accept_terms = BooleanField(_l("I accept the terms of use and the privacy policy"))

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
    code = StringField(_l("One-time code"), description=_l("The 6 digits we sent by SMS"))


class MessageForm(FlaskForm):
    text = TextAreaField(_l("Message"))


class QuotationForm(FlaskForm):
    price = StringField(_l("Price per unit (₹)"))
    quantity = StringField(_l("Quantity"))
    unit = SelectField(_l("Unit"), choices=UNIT_CHOICES, validate_choice=False)
    valid_until = StringField(_l("Valid until"), description=_l("YYYY-MM-DD"))
    text = TextAreaField(_l("Terms and note (optional)"))

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
        _l("Status"),
        choices=[SelectChoice(str(s), label) for s, label in STATUS_LABELS.items()],
        validate_choice=False,
    )
    note = TextAreaField(_l("Add a private note"))
    # Text, not a DateField: the service reads the date and says what is wrong with it.
    follow_up_on = StringField(_l("Follow up on"))
    # The owner or a manager gives the lead to someone else (the page lists who).
    assignee_id = SelectField(_l("Assigned to"), validate_choice=False)

    ACTIONS = ("status", "note", "follow_up", "assign")
    SAVED = {
        "status": _l("Status updated."),
        "note": _l("Note added."),
        "follow_up": _l("Follow-up date saved."),
        "assign": _l("The lead is given to its new person."),
    }

    @classmethod
    def of(cls, lead: Lead, people: list[tuple[str, str]]) -> LeadUpdateForm:
        """The form as the lead stands (not read from a request); `people`: whom it may be
        given to."""
        form = cls(formdata=None, status=str(lead.status), assignee_id=str(lead.assignee_id))
        form.follow_up_on.data = lead.follow_up_on.isoformat() if lead.follow_up_on else ""
        form.assignee_id.choices = people
        return form

    def refusals(self, errors: Mapping[str, list[str]]) -> Iterator[str]:
        """The service's refusals as the lead page says them: each field by its label."""
        for field, messages in errors.items():
            label = self[field].label.text if field in self else None
            name = label or field.replace("_", " ").capitalize()
            for message in messages:
                yield _("Not saved. %(field)s: %(problem)s.", field=str(name), problem=message)

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
    product_name = StringField(
        _l("What do you need?"), description=_l("e.g. SS 304 seamless pipe, 2 inch")
    )
    description = TextAreaField(
        _l("Details"), description=_l("Grade, size, packing, delivery terms")
    )
    category = SelectField(_l("Category (optional)"), validate_choice=False)
    quantity = StringField(_l("Quantity"))
    unit = SelectField(_l("Unit"), choices=UNIT_CHOICES, validate_choice=False)
    budget = StringField(_l("Budget in ₹ (optional)"))
    city = StringField(_l("Delivery city"))
    state = SelectField(_l("State"), choices=STATE_CHOICES, validate_choice=False)
    open_days = SelectField(
        _l("Keep it open for"),
        choices=[SelectChoice(str(days), _l("%(num)s days", num=days)) for days in (3, 7, 15, 30)],
        validate_choice=False,
    )

    def service_data(self) -> dict[str, Any]:
        fields = ("product_name", "description", "category", "quantity", "unit", "budget")
        data = {name: self[name].data for name in fields if self[name].data not in (None, "")}
        data.update(city=self.city.data or "", state=self.state.data or "")
        data["open_days"] = self.open_days.data or None
        return data
