"""`flask accounts ...`: scriptable for operators, with the same rules as the pages."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import Role, SupplierProfile, User
from marketplace.extensions import db
from tests import factories


def test_create_officer(app, ctx):
    result = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "grievance_officer",
            "--email",
            "Meera@TradeSetu.example",
            "--name",
            "Meera Iyer",
            "--password",
            factories.PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "meera@tradesetu.example"))
    assert user.roles == [Role.GRIEVANCE_OFFICER]


def test_password_is_prompted_for_when_omitted(app, ctx):
    result = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "admin",
            "--email",
            "ops@tradesetu.example",
            "--name",
            "Ops Admin",
        ],
        input=f"{factories.PASSWORD}\n{factories.PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ops@tradesetu.example" in result.output


def test_refusals_are_explained(app, ctx):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "admin",
            "--email",
            "a@tradesetu.example",
            "--name",
            "A B",
            "--password",
            "password",
        ]
    )
    assert weak.exit_code == 1 and "password: at least 10 characters" in weak.output.replace(
        "must be ", ""
    )
    bad_role = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "buyer",
            "--email",
            "a@tradesetu.example",
            "--name",
            "A B",
            "--password",
            "x",
        ]
    )
    assert bad_role.exit_code == 2
    factories.staff(email="taken@tradesetu.example")
    taken = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "--role",
            "admin",
            "--email",
            "taken@tradesetu.example",
            "--name",
            "A B",
            "--password",
            factories.PASSWORD,
        ]
    )
    assert taken.exit_code == 1 and "already registered" in taken.output


def test_gst_verification_is_recorded(app, ctx):
    supplier = factories.supplier()
    result = app.test_cli_runner().invoke(
        args=["accounts", "set-gst-verification", supplier.gstin.lower(), "verified"]
    )
    assert result.exit_code == 0, result.output
    profile = db.session.scalar(select(SupplierProfile))
    db.session.refresh(profile)
    assert profile.gst_verified and profile.gst_verified_at is not None
    missing = app.test_cli_runner().invoke(
        args=["accounts", "set-gst-verification", "27AAPFU0939F1ZV", "verified"]
    )
    assert missing.exit_code == 1 and "No supplier" in missing.output
