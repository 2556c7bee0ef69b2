"""`flask credits ...`: goodwill credits, plans and the weekly allocation, by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from marketplace.credits import ledger, operators, tasks
from marketplace.credits.inputs import GoodwillIn
from marketplace.db import commit
from marketplace.errors import ServiceError
from marketplace.validation import validated

group = click.Group("credits", help="Credits: goodwill grants, plans, the weekly allocation.")


def _fail(error: ServiceError) -> None:
    lines = [error.detail] + [
        f"  {field}: {message}" for field, messages in error.errors.items() for message in messages
    ]
    raise click.ClickException("\n".join(lines))


@group.command("grant")
@click.option("--email", required=True, help="The supplier's account email.")
@click.option("--credits", "amount", required=True, help="How many credits (1 to 10000).")
@click.option("--reason", required=True, help="Why: shown in the supplier's ledger, audited.")
@with_appcontext
def grant(email: str, amount: str, reason: str) -> None:
    """Give a supplier goodwill credits (they never expire). Audited."""
    try:
        grant = validated(GoodwillIn, {"credits": amount, "reason": reason})
        entry = operators.grant_goodwill(email, grant)
    except ServiceError as error:
        _fail(error)
    commit()
    click.echo(
        f"Granted {entry.delta} credit(s) to {email}: {entry.reason}. "
        f"Balance now {ledger.balance(entry.supplier_id)}."
    )


@group.command("set-plan")
@click.option("--email", required=True, help="The supplier's account email.")
@click.option("--plan", "plan_id", required=True, help="A plan id from CREDIT_PLANS, e.g. silver.")
@with_appcontext
def set_plan(email: str, plan_id: str) -> None:
    """Move a supplier to a plan (audited); its weekly credits start with the next run."""
    try:
        plan = operators.set_plan(email, plan_id)
    except ServiceError as error:
        _fail(error)
    commit()
    click.echo(f"{email} is on the {plan.name} plan ({plan.weekly_credits} credits a week).")


@group.command("allocate")
@with_appcontext
def allocate() -> None:
    """Grant this week's plan credits (once per supplier and week) and record expiries."""
    granted, expired = tasks.run_weekly_allocation()
    click.echo(f"{granted} supplier(s) got this week's credits; {expired} expiry(ies) recorded.")
