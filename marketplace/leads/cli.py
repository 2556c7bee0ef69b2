"""`flask leads ...`: the scheduled lead jobs, runnable by hand (the embedded default has no
beat, so a cron line can call these)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.db import commit
from marketplace.leads import enquiry_notices, matching, pipeline, webhook_outbox
from marketplace.leads.tasks import notify_new_enquiries

group = click.Group(
    "leads",
    help="Leads: new-enquiry notices, follow-up reminders, webhook deliveries and the matching "
    "of requirements posted while search was down.",
)


@group.command("notify-enquiries")
@with_appcontext
def notify_enquiries() -> None:
    """Tell suppliers of the enquiries not yet told, those put off after a failure too (run it
    once the fault is mended)."""
    enquiry_notices.retry_notices_now()
    commit()
    told = notify_new_enquiries()
    untold = len(enquiry_notices.enquiries_to_notify())
    click.echo(f"{told} supplier notice(s) sent; {untold} untold.")


@group.command("match-requirements")
@with_appcontext
def match_requirements() -> None:
    """Match the buy requirements posted while search was down (beat does it every
    SEARCH_DRAIN_INTERVAL seconds), and tell their suppliers."""
    matched = matching.match_waiting_requirements()
    waiting = len(matching.waiting_requirements())
    click.echo(f"{matched} requirement(s) matched; {waiting} still waiting for search.")


@group.command("remind-follow-ups")
@with_appcontext
def remind_follow_ups() -> None:
    """Email suppliers about follow-ups due today (each lead and date once)."""
    sent = pipeline.remind_follow_ups()
    commit()
    click.echo(f"{sent} reminder(s) sent.")


@group.command("send-webhooks")
@with_appcontext
def send_webhooks() -> None:
    """Attempt every webhook delivery that is due (new, or a retry whose time has come)."""
    click.echo(f"{webhook_outbox.dispatch_due()} delivery(ies) handed over.")
