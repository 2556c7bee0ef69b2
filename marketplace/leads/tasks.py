"""Lead tasks: new-enquiry notices, webhook deliveries and follow-up reminders. Each takes ids,
never objects."""

from __future__ import annotations

from celery import shared_task

from marketplace.db import commit
from marketplace.leads import services, webhooks
from workers.locks import job_lock


@shared_task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """One attempt at one delivery (the row says whether it is still due)."""
    webhooks.attempt_delivery(delivery_id)


@shared_task(ignore_result=True)
def notify_supplier(lead_id: int) -> None:
    """Tell a supplier about a new enquiry (the mail and SMS then go through their own tasks)."""
    services.notify_supplier_of_enquiry(lead_id)
    commit()


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
