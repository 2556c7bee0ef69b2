"""Lead tasks: new-enquiry notices, webhook deliveries, follow-up reminders and the matching of
requirements posted while search was down. Each takes ids,
never objects."""

from __future__ import annotations

import logging
import time

from celery import shared_task

from marketplace.db import commit
from marketplace.extensions import db
from marketplace.leads import (
    enquiry_notices,
    matching,
    pipeline,
    webhook_delivery,
    webhook_outbox,
)
from workers.locks import job_lock

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """One attempt at one delivery (the row says whether it is still due)."""
    webhook_delivery.attempt_delivery(delivery_id)


NOTICE_RUN_SECONDS = 30  # a run then ends; beat's next one goes on where it is needed


@shared_task(ignore_result=True)
def notify_new_enquiries(lead_id: int | None = None) -> int:
    """Tell suppliers of their new enquiries: the leads not yet told are the queue, written in
    each enquiry's own transaction, so a broker or a worker that is down delays a notice and
    never loses it. Beat runs this every ENQUIRY_NOTICE_INTERVAL seconds: a run tells each lead
    whose notice is due, oldest first, each in its own transaction, for at most
    NOTICE_RUN_SECONDS, and runs that overlap (a backlog outlasts the interval) share the leads
    on several workers. A lead that fails is put off, longer after each failure, so it neither
    holds up the others nor floods the log. With tasks inline, each enquiry runs this for its
    own lead after its commit. Each lead is claimed first: it is told once."""
    if lead_id is not None:
        return _tell(lead_id)
    told = after = 0
    deadline = time.monotonic() + NOTICE_RUN_SECONDS
    while time.monotonic() < deadline:
        next_id = enquiry_notices.next_enquiry_to_notify(after)
        if next_id is None:
            break
        told += _tell(next_id)
        after = next_id
    db.session.rollback()  # the last look, which found nothing, holds no lock worth keeping
    return told


def _tell(lead_id: int) -> int:
    try:
        told = enquiry_notices.notify_supplier_of_enquiry(lead_id)
        commit()  # its mail and SMS then go through their own tasks
        return int(told)
    except Exception:
        db.session.rollback()
        log.exception("could not notify the supplier of lead %s", lead_id)
    try:
        retry_at = enquiry_notices.put_off_notice(lead_id)
        commit()
    except Exception:  # the database itself fails: the lead stays due for the next run
        db.session.rollback()
        log.exception("could not put off the notice of lead %s", lead_id)
    else:
        if retry_at is not None:  # None: told or put in spam meanwhile
            log.warning("lead %s: the supplier's notice is tried again at %s", lead_id, retry_at)
    return 0


@shared_task(ignore_result=True)
def send_due_webhooks() -> int:
    """Hand every due delivery to `deliver_webhook`; beat runs this, so a delivery whose task
    was lost, or whose retry time has come, is sent."""
    with job_lock("send-due-webhooks") as held:
        return webhook_outbox.dispatch_due() if held else 0


@shared_task(ignore_result=True)
def remind_follow_ups() -> int:
    with job_lock("remind-follow-ups") as held:
        if not held:
            return 0
        sent = pipeline.remind_follow_ups()
        commit()
        return sent


@shared_task(ignore_result=True)
def match_waiting_requirements() -> int:
    """Match the requirements posted while search was down, once it answers again."""
    with job_lock("match-waiting-requirements") as held:
        return matching.match_waiting_requirements() if held else 0
