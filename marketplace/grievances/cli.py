"""`flask grievances ...`: the desk's jobs from the command line (the same rules as beat)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.db import commit
from marketplace.grievances import compliance_report, desk_items
from marketplace.grievances.inputs import ReportPeriod
from marketplace.validation import validated

group = click.Group("grievances", help="The grievance officer's desk.")


@group.command("warn-deadlines")
@with_appcontext
def warn_deadlines() -> None:
    """Mail the officers about deadlines that are near or passed (each once)."""
    sent = desk_items.warn_deadlines()
    commit()
    click.echo(f"{sent} deadline warning{'s' if sent != 1 else ''} sent.")


@group.command("report")
@click.option("--from", "start", required=True, help="first day, YYYY-MM-DD (India)")
@click.option("--to", "end", required=True, help="last day, YYYY-MM-DD (India)")
@with_appcontext
def report(start: str, end: str) -> None:
    """Print the compliance report for a period as CSV."""
    first, last = validated(ReportPeriod, {"from": start, "to": end}).bounds()
    figures = compliance_report.report(first, last)
    click.echo(compliance_report.report_csv(figures), nl=False)
