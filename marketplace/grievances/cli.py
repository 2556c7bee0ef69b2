"""`flask grievances ...`: the desk's jobs from the command line (the same services as beat)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from marketplace.db import commit
from marketplace.grievances import services

group = click.Group("grievances", help="The grievance officer's desk.")


@group.command("warn-deadlines")
@with_appcontext
def warn_deadlines() -> None:
    """Mail the officers about deadlines that are near or passed (each once)."""
    sent = services.warn_deadlines()
    commit()
    click.echo(f"{sent} deadline warning{'s' if sent != 1 else ''} sent.")


@group.command("report")
@click.option("--from", "start", required=True, help="first day, YYYY-MM-DD (India)")
@click.option("--to", "end", required=True, help="last day, YYYY-MM-DD (India)")
@with_appcontext
def report(start: str, end: str) -> None:
    """Print the compliance report for a period as CSV."""
    first, last = services.read_period({"from": start, "to": end}, today=date.today())
    click.echo(services.report_csv(services.report(first, last)), nl=False)
