"""buy requirements: requirements, their matched suppliers, and the BuyLead a supplier unlocked

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 18:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "buy_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=True),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit", sa.String(length=24), nullable=False),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("unlocks", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_buy_requirements_buyer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_buy_requirements_category_id_categories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buy_requirements")),
    )
    with op.batch_alter_table("buy_requirements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_buy_requirements_buyer_created", ["buyer_id", "created_at"], unique=False
        )

    op.create_table(
        "requirement_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["buy_requirements.id"],
            name=op.f("fk_requirement_matches_requirement_id_buy_requirements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier_profiles.id"],
            name=op.f("fk_requirement_matches_supplier_id_supplier_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_matches")),
        sa.UniqueConstraint(
            "requirement_id",
            "supplier_id",
            name=op.f("uq_requirement_matches_requirement_id"),
        ),
    )
    with op.batch_alter_table("requirement_matches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_requirement_matches_supplier", ["supplier_id", "requirement_id"], unique=False
        )

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requirement_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_leads_requirement_id_buy_requirements"),
            "buy_requirements",
            ["requirement_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_leads_supplier_id"), ["supplier_id", "requirement_id"]
        )


def downgrade():
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_leads_supplier_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_leads_requirement_id_buy_requirements"), type_="foreignkey"
        )
        batch_op.drop_column("requirement_id")
    with op.batch_alter_table("requirement_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_requirement_matches_supplier")
    op.drop_table("requirement_matches")
    with op.batch_alter_table("buy_requirements", schema=None) as batch_op:
        batch_op.drop_index("ix_buy_requirements_buyer_created")
    op.drop_table("buy_requirements")
