"""buylead reports and lead preferences: a supplier reports a bad BuyLead it unlocked (the
grievance officer decides), and says which requirements it wants

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

REASONS = ("not_reachable", "not_a_buyer", "already_bought", "false_details")
STATUSES = ("pending", "upheld", "rejected")


def upgrade():
    op.create_table(
        "buylead_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(*REASONS, name="reportreason", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="reportstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["requirement_id"], ["buy_requirements.id"]),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier_profiles.id"]),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lead_id", name="uq_buylead_reports_lead"),
    )
    op.create_index(
        "ix_buylead_reports_requirement_status", "buylead_reports", ["requirement_id", "status"]
    )
    op.create_index(
        "ix_buylead_reports_status_created", "buylead_reports", ["status", "created_at"]
    )
    op.create_index("ix_buylead_reports_supplier_id", "buylead_reports", ["supplier_id"])
    op.create_table(
        "lead_preferences",
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        *(
            sa.Column(f"{name}_{way}", sa.JSON(), nullable=False)
            for name in ("categories", "states", "cities")
            for way in ("included", "excluded")
        ),
        sa.Column("min_order_value", sa.Numeric(14, 2), nullable=True),
        sa.Column("include_without_budget", sa.Boolean(), nullable=False),
        sa.Column("buyer_kind", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier_profiles.id"]),
        sa.PrimaryKeyConstraint("supplier_id"),
    )


def downgrade():
    op.drop_table("lead_preferences")
    op.drop_table("buylead_reports")
