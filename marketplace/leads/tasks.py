"""Lead tasks: new-enquiry notices, webhook deliveries and follow-up reminders. Each takes ids,
never objects."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads import services, webhooks
from workers.locks import job_lock

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """One attempt at one delivery (the row says whether it is still due)."""
    webhooks.attempt_delivery(delivery_id)


@shared_task(ignore_result=True)
def notify_new_enquiries(lead_id: int | None = None) -> int:
    """Tell suppliers of their new enquiries: the leads not yet told are the queue, written in
    each enquiry's own transaction, so a broker or a worker that is down delays a notice and
    never loses it. Beat runs this every ENQUIRY_NOTICE_INTERVAL seconds for every untold lead,
    and skips while a run is busy; with tasks inline, each enquiry runs it for its own lead
    after its commit. Each lead is claimed before it is told, so it is told once."""
    if lead_id is not None:
        return _tell([lead_id])
    with job_lock("notify-new-enquiries") as held:
        return _tell(services.enquiries_to_notify()) if held else 0


def _tell(lead_ids: list[int]) -> int:
    # Each lead in its own transaction (its mail and SMS then go through their own tasks):
    # one that fails is left for the next run and holds up none of the others.
    told = 0
    for lead_id in lead_ids:
        try:
            told += services.notify_supplier_of_enquiry(lead_id)
            commit()
        except Exception:
            db.session.rollback()
            log.exception("could not notify the supplier of lead %s; retrying later", lead_id)
    return told


@shared_task(ignore_result=True)
def send_due_webhooks() -> int:
    """Hand every due delivery to `deliver_webhook`; beat runs this, so a delivery whose task
    was lost, or whose retry time has come, is sent."""
    with job_lock("send-due-webhooks") as held:
        return webhooks.dispatch_due() if held else 0


@shared_task(ignore_result=True)
def remind_follow_ups() -> int:
    with job_lock("remind-follow-ups") as held:
        if not held:
            return 0
        sent = services.remind_follow_ups()
        commit()
        return sent
