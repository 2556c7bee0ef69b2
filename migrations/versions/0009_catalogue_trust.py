"""catalogue trust: trade details on products, a business profile on suppliers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 18:32:12

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hsn_code", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("gst_rate", sa.Numeric(precision=5, scale=2), nullable=True))
        batch_op.add_column(
            sa.Column("price_includes_gst", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        # Existing listings have no slabs: the default fills them, then the model writes its own.
        batch_op.add_column(
            sa.Column("price_slabs", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.add_column(sa.Column("brand", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("delivery_time", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("payment_terms", sa.String(length=200), nullable=True))

    with op.batch_alter_table("supplier_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("business_type", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("year_established", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("employees", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("turnover_band", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("about", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("supplier_profiles", schema=None) as batch_op:
        for column in ("about", "turnover_band", "employees", "year_established", "business_type"):
            batch_op.drop_column(column)

    with op.batch_alter_table("products", schema=None) as batch_op:
        for column in (
            "payment_terms",
            "delivery_time",
            "brand",
            "price_slabs",
            "price_includes_gst",
            "gst_rate",
            "hsn_code",
        ):
            batch_op.drop_column(column)
