"""The purposes personal data is processed for, as the API and the consent ledger name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Purpose:
    id: str
    label: str
    required: bool
    description: str


PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        "service",
        "Running your account",
        True,
        "Listing, enquiries, leads and everything you ask the portal to do.",
    ),
    Purpose(
        "verification",
        "Verifying identities",
        True,
        "Checking email, mobile and GST registration so that buyers can trust sellers.",
    ),
    Purpose(
        "security",
        "Security and fraud prevention",
        True,
        "Sign-in protection, abuse and spam detection, the audit log.",
    ),
    Purpose("marketing", "Marketing from the portal", False, "Offers and product news from us."),
    Purpose("newsletters", "Newsletters", False, "Industry and trade newsletters."),
    Purpose("partner_offers", "Partner offers", False, "Offers from our partners, sent by us."),
    Purpose(
        "affiliate_sharing",
        "Sharing with affiliates",
        False,
        "Sharing your business contact with affiliated companies.",
    ),
    Purpose("analytics", "Product analytics", False, "Measuring how the portal is used."),
    Purpose(
        "credit_assessment",
        "Credit assessment",
        False,
        "Sharing trade history with lenders for working-capital offers.",
    ),
    Purpose("channel_email", "Messages by email", False, "Optional messages by email."),
    Purpose("channel_sms", "Messages by SMS", False, "Optional messages by SMS."),
    Purpose("channel_whatsapp", "Messages on WhatsApp", False, "Optional messages on WhatsApp."),
)

BY_ID = {purpose.id: purpose for purpose in PURPOSES}
REQUIRED = tuple(purpose.id for purpose in PURPOSES if purpose.required)
OPTIONAL = tuple(purpose.id for purpose in PURPOSES if not purpose.required)
