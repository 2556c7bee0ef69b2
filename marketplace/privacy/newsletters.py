"""Newsletters: an officer composes one for an optional purpose and a channel, previews how
many would receive it, and sends it. The sending task builds one message per person and asks
the consent ledger (`services.may_process`) for each as it builds it, so a withdrawal made up to
that moment is kept. Every message carries a one-click unsubscribe (RFC 8058) whose signed token
names the person, the purpose and the channel."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from celery import shared_task
from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature
from sqlalchemy import Select, case, func, select

from marketplace import audit
from marketplace.accounts.links import serializer
from marketplace.accounts.models import User
from marketplace.db import commit
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.i18n import in_language
from marketplace.notifications import absolute_url, deliver_email, deliver_sms
from marketplace.privacy import clock, purposes, services
from marketplace.privacy.consent_inputs import NewsletterIn
from marketplace.privacy.inputs import ConsentIn
from marketplace.privacy.models import ConsentRecord
from marketplace.privacy.newsletter_models import (
    Newsletter,
    NewsletterDelivery,
    NewsletterStatus,
)
from workers import enqueue
from workers.locks import job_lock

BATCH = 200  # messages built per transaction: a crash re-sends none and loses at most a batch
UNSUBSCRIBE_SALT = "unsubscribe"
ONE_CLICK = "List-Unsubscribe=One-Click"  # the body RFC 8058 has mail providers POST


@dataclass(frozen=True)
class NewsletterSummary:
    newsletter: Newsletter
    sent: int
    skipped: int


def compose(author: User, body: NewsletterIn) -> Newsletter:
    row = Newsletter(
        purpose=body.purpose,
        channel=body.channel,
        subject=body.subject,
        body=body.body,
        created_by_id=author.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("privacy.newsletter_composed", actor_id=author.id, subject=row)
    return row


def get_newsletter(newsletter_id: int) -> Newsletter:
    row = db.session.get(Newsletter, newsletter_id)
    if row is None:
        raise NotFound(_("No such newsletter."))
    return row


def audience(purpose: str, channel: str) -> Select[tuple[int]]:
    """The ids of the people whose latest choice grants both the purpose and the channel, whose
    account is active and not erased, and who can be reached on that channel."""
    wanted = (purpose, f"channel_{channel}")
    latest = (
        select(func.max(ConsentRecord.id))
        .where(ConsentRecord.purpose.in_(wanted))
        .group_by(ConsentRecord.user_id, ConsentRecord.purpose)
    )
    granted_both = (
        select(ConsentRecord.user_id)
        .where(ConsentRecord.id.in_(latest), ConsentRecord.granted.is_(True))
        .group_by(ConsentRecord.user_id)
        .having(func.count() == len(wanted))
    )
    query = select(User.id).where(
        User.id.in_(granted_both), User.is_active_account.is_(True), User.erased_at.is_(None)
    )
    if channel == "sms":
        query = query.where(User.phone.is_not(None))
    return query


def audience_count(row: Newsletter) -> int:
    counted = select(func.count()).select_from(audience(row.purpose, row.channel).subquery())
    return db.session.scalar(counted) or 0


def start_sending(actor: User, newsletter_id: int) -> Newsletter:
    """Mark a draft for sending and queue the task that sends it (after the commit)."""
    row = get_newsletter(newsletter_id)
    if row.status != NewsletterStatus.DRAFT:
        raise Conflict(_("This newsletter was sent already."))
    row.status = NewsletterStatus.SENDING
    row.sent_by_id = actor.id
    row.sending_at = clock.now()
    audit.record(
        "privacy.newsletter_sent",
        actor_id=actor.id,
        subject=row,
        purpose=row.purpose,
        channel=row.channel,
        audience=audience_count(row),
    )
    enqueue(send_newsletter, row.id)
    return row


def summaries(limit: int = 100) -> list[NewsletterSummary]:
    """The newest newsletters with how many were sent and skipped, in one query."""
    sent = func.count(case((NewsletterDelivery.sent.is_(True), 1)))
    skipped = func.count(case((NewsletterDelivery.sent.is_(False), 1)))
    rows = db.session.execute(
        select(Newsletter, sent, skipped)
        .outerjoin(NewsletterDelivery, NewsletterDelivery.newsletter_id == Newsletter.id)
        .group_by(Newsletter.id)
        .order_by(Newsletter.id.desc())
        .limit(limit)
    ).all()
    return [NewsletterSummary(row[0], row[1], row[2]) for row in rows]


# --- sending ------------------------------------------------------------------------------------


def portal_sender() -> str:
    """MAIL_FROM with the portal's name: its own display name, or the portal's legal name when
    MAIL_FROM is a bare address (an optional message must say plainly who sends it)."""
    config = current_app.config
    name, address = parseaddr(config["MAIL_FROM"])
    return formataddr((name or config["PORTAL_LEGAL_NAME"], address))


def unsubscribe_token(user_id: int, purpose: str, channel: str) -> str:
    return serializer(UNSUBSCRIBE_SALT).dumps({"u": user_id, "p": purpose, "c": channel})


def _build_and_queue(row: Newsletter, user: User) -> bool:
    """The person's message, queued, when their consent stands now; else False."""
    if not services.may_process(user.id, row.purpose, row.channel):
        return False
    url = absolute_url(
        "newsletters.unsubscribe", token=unsubscribe_token(user.id, row.purpose, row.channel)
    )
    if row.channel == "sms":
        if not user.phone:
            return False
        with in_language(user.language):
            text = _("%(text)s\nStop: %(url)s", text=row.body, url=url)
        enqueue(deliver_sms, to=user.phone, text=text)
        return True
    with in_language(user.language):  # the words around the editors' text: the reader's
        text = render_template(
            "email/newsletter.txt",
            user=user,
            text=row.body,
            purpose=purposes.BY_ID[row.purpose],
            unsubscribe_url=url,
        )
    headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": ONE_CLICK}
    enqueue(
        deliver_email,
        to=user.email,
        subject=row.subject,
        body=text,
        sender=portal_sender(),
        headers=headers,
    )
    return True


def send_batch(row: Newsletter) -> int:
    """Build the messages of the next people not yet considered; how many were considered."""
    considered = select(NewsletterDelivery.user_id).where(
        NewsletterDelivery.newsletter_id == row.id
    )
    ids = db.session.scalars(
        audience(row.purpose, row.channel)
        .where(User.id.not_in(considered))
        .order_by(User.id)
        .limit(BATCH)
    ).all()
    for user in db.session.scalars(select(User).where(User.id.in_(ids))):
        sent = _build_and_queue(row, user)
        db.session.add(NewsletterDelivery(newsletter_id=row.id, user_id=user.id, sent=sent))
    return len(ids)


def send_all(newsletter_id: int) -> int:
    """Send a newsletter marked for sending, a batch per commit; idempotent (a person already
    considered is never considered again). Returns how many people were considered."""
    total = 0
    row = db.session.get(Newsletter, newsletter_id)
    while row is not None and row.status == NewsletterStatus.SENDING:
        done = send_batch(row)
        total += done
        if done < BATCH:
            row.status = NewsletterStatus.SENT
            row.finished_at = clock.now()
        commit()  # the deliveries and their queued messages, together
    return total


@shared_task(ignore_result=True)
def send_newsletter(newsletter_id: int) -> int:
    with job_lock(f"newsletter-{newsletter_id}") as held:
        return send_all(newsletter_id) if held else 0


def received_by(user: User) -> list[dict[str, Any]]:
    """For the person's access export: each newsletter considered for them, and whether it was
    sent (or held back because their consent had been withdrawn)."""
    rows = db.session.execute(
        select(Newsletter, NewsletterDelivery)
        .join(NewsletterDelivery, NewsletterDelivery.newsletter_id == Newsletter.id)
        .where(NewsletterDelivery.user_id == user.id)
        .order_by(NewsletterDelivery.id)
    ).all()
    return [
        {
            "subject": newsletter.subject,
            "purpose": newsletter.purpose,
            "channel": newsletter.channel,
            "sent": delivery.sent,
            "at": delivery.recorded_at,
        }
        for newsletter, delivery in rows
    ]


# --- unsubscribing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    purpose: purposes.Purpose
    channel: str


def read_unsubscribe_token(token: str) -> Unsubscription:
    """What an unsubscribe link names; a link we did not sign is a 404."""
    try:
        payload: Any = serializer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        raise NotFound(_("This unsubscribe link is not valid.")) from None
    purpose = purposes.BY_ID.get(payload.get("p")) if isinstance(payload, dict) else None
    if purpose is None or not isinstance(payload.get("u"), int):
        raise NotFound(_("This unsubscribe link is not valid."))
    return Unsubscription(payload["u"], purpose, str(payload.get("c")))


def unsubscribe(token: str) -> Unsubscription:
    """Withdraw the link's purpose in the consent ledger, as the privacy page does: the next
    message's build sees it. Withdrawing the purpose (not the whole channel) stops exactly this
    kind of message, on every channel. A second click records nothing more."""
    link = read_unsubscribe_token(token)
    user = db.session.get(User, link.user_id)
    if user is None or user.erased_at is not None:
        return link  # nothing is sent to an erased account anyway
    states = {state.purpose.id: state.granted for state in services.current_consents(user.id)}
    if states.get(link.purpose.id):
        choice = ConsentIn.model_validate({"granted": False})
        try:
            services.set_consent(
                user, link.purpose.id, choice, source=f"unsubscribe-{link.channel}"[:32]
            )
        except ValidationFailed:  # a required purpose: never in a link we sign
            raise NotFound(_("This unsubscribe link is not valid.")) from None
    return link
