"""business photos: a supplier's storefront shows photos of the business (at most 8)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 21:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # No ON DELETE CASCADE: the photos and their files go through the erasure workflow.
    op.create_table(
        "business_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("caption", sa.String(length=120), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["supplier_profiles.id"],
            name=op.f("fk_business_photos_supplier_id_supplier_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_photos")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_business_photos_stored_name")),
    )
    with op.batch_alter_table("business_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_photos_supplier_id"), ["supplier_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("business_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_photos_supplier_id"))
    op.drop_table("business_photos")
