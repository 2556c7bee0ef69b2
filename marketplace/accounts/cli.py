"""`flask accounts ...`: operators' commands, calling the same services as the pages."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from marketplace.accounts import gst_receipts, gst_rechecks, gst_verification, staff, suspension
from marketplace.accounts.gst_models import CheckRequester
from marketplace.accounts.models import (
    STAFF_ROLES,
    GstVerification,
    Role,
    SupplierProfile,
    User,
)
from marketplace.accounts.queries import find_user_by_email
from marketplace.db import commit
from marketplace.errors import ServiceError
from marketplace.extensions import db

group = click.Group("accounts", help="Users, staff accounts and supplier verification.")


def _fail(error: ServiceError) -> None:
    lines = [error.detail] + [
        f"  {field}: {message}" for field, messages in error.errors.items() for message in messages
    ]
    raise click.ClickException("\n".join(lines))


@group.command("create-user")
@click.option("--role", required=True, type=click.Choice([str(r) for r in STAFF_ROLES]))
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", help="Prompted for (hidden) when omitted.")
@with_appcontext
def create_user(role: str, email: str, name: str, password: str | None) -> None:
    """Create a grievance officer or an admin."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = staff.create_staff_user(email=email, name=name, password=password, role=role)
    except ServiceError as error:
        _fail(error)
    commit()
    click.echo(f"Created {role} {user.email} (id {user.id}).")


@group.command("grant-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([str(r) for r in Role]))
@with_appcontext
def grant_role(email: str, role: str) -> None:
    """Give an account a role."""
    _change_role(email, role, grant=True)


@group.command("revoke-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([str(r) for r in Role]))
@with_appcontext
def revoke_role(email: str, role: str) -> None:
    """Take a role away from an account."""
    _change_role(email, role, grant=False)


def _change_role(email: str, role: str, *, grant: bool) -> None:
    try:
        user = staff.change_role(email, role, grant=grant)
    except ServiceError as error:
        _fail(error)
    commit()
    click.echo(f"{user.email} now has the roles: {', '.join(user.roles)}.")


@group.command("suspend")
@click.option("--email", required=True, help="The account to suspend.")
@click.option("--reason", required=True, help="Why; kept in the audit log.")
@click.option("--by", "admin_email", required=True, help="The admin who decided it.")
@with_appcontext
def suspend(email: str, reason: str, admin_email: str) -> None:
    """Suspend an account: no sign-in, no key, listings out of search, until lifted."""
    _suspension(suspension.suspend, email, reason, admin_email, "is suspended")


@group.command("lift-suspension")
@click.option("--email", required=True, help="The suspended account.")
@click.option("--reason", required=True, help="Why; kept in the audit log.")
@click.option("--by", "admin_email", required=True, help="The admin who decided it.")
@with_appcontext
def lift_suspension(email: str, reason: str, admin_email: str) -> None:
    """Lift an account's suspension: it signs in and its keys work again."""
    _suspension(suspension.lift, email, reason, admin_email, "is open again")


def _suspension(
    act: Callable[[User, int, str], User], email: str, reason: str, admin_email: str, done: str
) -> None:
    admin, user = find_user_by_email(admin_email), find_user_by_email(email)
    if admin is None or user is None:
        raise click.ClickException(
            f"No account has the email {email if user is None else admin_email}."
        )
    try:
        act(admin, user.id, reason)
    except ServiceError as error:
        _fail(error)
    commit()
    click.echo(f"{user.email} {done}.")


def _supplier_with(gstin: str) -> SupplierProfile:
    supplier = db.session.scalar(
        select(SupplierProfile).where(SupplierProfile.gstin == gstin.strip().upper())
    )
    if supplier is None:
        raise click.ClickException(f"No supplier has the GSTIN {gstin}.")
    return supplier


@group.command("check-gst")
@click.argument("gstin")
@with_appcontext
def check_gst(gstin: str) -> None:
    """Check a supplier's GSTIN with the GST registry (GST_REGISTRY) and keep the receipt."""
    supplier = _supplier_with(gstin)
    check = gst_verification.check_gstin(supplier.id, requested_by=CheckRequester.ADMIN)
    commit()
    click.echo(
        f"{supplier.company_name}: {gst_receipts.OUTCOME_LABELS[check.outcome]}. "
        f"{gst_receipts.outcome_text(check)} GST verification: {check.status_after}."
    )


@group.command("recheck-gst")
@with_appcontext
def recheck_gst() -> None:
    """Run the monthly re-check now: every verified GSTIN whose last answer is due."""
    click.echo(f"Checked {gst_rechecks.recheck_due()} GSTINs with the GST registry.")


@group.command("set-gst-verification")
@click.argument("gstin")
@click.argument("status", type=click.Choice([str(s) for s in GstVerification]))
@with_appcontext
def set_gst_verification(gstin: str, status: str) -> None:
    """Set the status by hand, without a receipt (when the registry cannot be asked)."""
    supplier = _supplier_with(gstin)
    gst_verification.set_gst_verification(supplier.id, status)
    commit()
    click.echo(f"{supplier.company_name}: GST verification {status}.")
