"""The purposes personal data is processed for, as the API and the consent ledger name them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from marketplace.legal_rules import N_


@dataclass(frozen=True)
class Purpose:
    id: str
    label_text: str  # kept in English; `label` reads it in the reader's language
    required: bool
    description_text: str

    @property
    def label(self) -> str:
        return gettext(self.label_text)

    @property
    def description(self) -> str:
        return gettext(self.description_text)


PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        "service",
        N_("Running your account"),
        True,
        N_("Listing, enquiries, leads and everything you ask the portal to do."),
    ),
    Purpose(
        "verification",
        N_("Verifying identities"),
        True,
        N_("Checking email, mobile and GST registration so that buyers can trust sellers."),
    ),
    Purpose(
        "security",
        N_("Security and fraud prevention"),
        True,
        N_("Sign-in protection, abuse and spam detection, the audit log."),
    ),
    Purpose(
        "marketing", N_("Marketing from the portal"), False, N_("Offers and product news from us.")
    ),
    Purpose("newsletters", N_("Newsletters"), False, N_("Industry and trade newsletters.")),
    Purpose(
        "partner_offers", N_("Partner offers"), False, N_("Offers from our partners, sent by us.")
    ),
    Purpose(
        "affiliate_sharing",
        N_("Sharing with affiliates"),
        False,
        N_("Sharing your business contact with affiliated companies."),
    ),
    Purpose("analytics", N_("Product analytics"), False, N_("Measuring how the portal is used.")),
    Purpose(
        "credit_assessment",
        N_("Credit assessment"),
        False,
        N_("Sharing trade history with lenders for working-capital offers."),
    ),
    Purpose("channel_email", N_("Messages by email"), False, N_("Optional messages by email.")),
    Purpose("channel_sms", N_("Messages by SMS"), False, N_("Optional messages by SMS.")),
    Purpose(
        "channel_whatsapp",
        N_("Messages on WhatsApp"),
        False,
        N_("Optional messages on WhatsApp."),
    ),
)

BY_ID = {purpose.id: purpose for purpose in PURPOSES}
REQUIRED = tuple(purpose.id for purpose in PURPOSES if purpose.required)
OPTIONAL = tuple(purpose.id for purpose in PURPOSES if not purpose.required)
