"""team: a supplier's staff with roles, integration keys' makers, leads assigned to people

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 10:30:00

"""

import sqlalchemy as sa
from alembic import op

from marketplace.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "supplier_id", sa.Integer(), sa.ForeignKey("supplier_profiles.id"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("away", sa.Boolean(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=True),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_team_members_supplier_id", "team_members", ["supplier_id"])
    op.create_table(
        "lead_assignment_cursors",
        sa.Column(
            "supplier_id", sa.Integer(), sa.ForeignKey("supplier_profiles.id"), primary_key=True
        ),
        sa.Column("last_user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "lead_assignment_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "supplier_id", sa.Integer(), sa.ForeignKey("supplier_profiles.id"), nullable=False
        ),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("categories.id"), nullable=True),
        sa.Column("state", sa.String(64), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_lead_assignment_rules_supplier_id", "lead_assignment_rules", ["supplier_id"]
    )
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key("fk_leads_assignee_id_users", "users", ["assignee_id"], ["id"])
        batch_op.create_index("ix_leads_supplier_assignee", ["supplier_id", "assignee_id"])
    # Every lead so far was its owner's, the only person a business had.
    op.execute(
        "UPDATE leads SET assignee_id = (SELECT user_id FROM supplier_profiles"
        " WHERE supplier_profiles.id = leads.supplier_id), assigned_at = created_at"
    )
    with op.batch_alter_table("api_credentials") as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_api_credentials_created_by_id_users", "users", ["created_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("api_credentials") as batch_op:
        batch_op.drop_constraint("fk_api_credentials_created_by_id_users", type_="foreignkey")
        batch_op.drop_column("created_by_id")
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_supplier_assignee")
        batch_op.drop_constraint("fk_leads_assignee_id_users", type_="foreignkey")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assignee_id")
    op.drop_table("lead_assignment_rules")
    op.drop_table("lead_assignment_cursors")
    op.drop_table("team_members")
