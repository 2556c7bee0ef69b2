"""gst checks: the receipt of each check of a supplier's GSTIN with the GST registry

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

VERIFICATION = ("pending", "verified", "rejected")


def _enum(name, values, length):
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def upgrade():
    op.create_table(
        "gst_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("gstin", sa.String(length=15), nullable=False),
        sa.Column(
            "outcome",
            _enum(
                "gstoutcome",
                ("verified", "mismatch", "not_active", "not_found", "could_not_check"),
                24,
            ),
            nullable=False,
        ),
        sa.Column("mismatches", sa.JSON(), nullable=False),
        sa.Column("name_matched", sa.String(length=8), nullable=True),
        sa.Column("problem", sa.String(length=32), nullable=True),
        sa.Column(
            "registry_status",
            _enum("registrystatus", ("active", "suspended", "cancelled", "other"), 16),
            nullable=True,
        ),
        sa.Column("registry_status_text", sa.String(length=64), nullable=True),
        sa.Column("legal_name", sa.String(length=200), nullable=True),
        sa.Column("trade_name", sa.String(length=200), nullable=True),
        sa.Column("taxpayer_type", sa.String(length=64), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("principal_address", sa.Text(), nullable=True),
        sa.Column("registry_state", sa.String(length=64), nullable=True),
        sa.Column("registry_pincode", sa.String(length=6), nullable=True),
        sa.Column("compared_name", sa.String(length=200), nullable=False),
        sa.Column("compared_state", sa.String(length=64), nullable=False),
        sa.Column("compared_pincode", sa.String(length=6), nullable=False),
        sa.Column("status_before", _enum("gstverification", VERIFICATION, 16), nullable=False),
        sa.Column("status_after", _enum("gstverification", VERIFICATION, 16), nullable=False),
        sa.Column(
            "requested_by", _enum("checkrequester", ("admin", "beat", "demo"), 16), nullable=False
        ),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needs_officer", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("officer_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier_profiles.id"]),
        sa.ForeignKeyConstraint(["requested_by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_gst_checks_supplier_checked", "gst_checks", ["supplier_id", "checked_at"])


def downgrade():
    op.drop_index("ix_gst_checks_supplier_checked", table_name="gst_checks")
    op.drop_table("gst_checks")
