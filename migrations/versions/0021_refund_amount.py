"""refund amount: a refund returns what the order's unspent credits are worth

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 10:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("credit_orders") as batch_op:
        batch_op.add_column(sa.Column("refund_amount", sa.Numeric(12, 2), nullable=True))
    # Refunds so far returned the whole price.
    op.execute("UPDATE credit_orders SET refund_amount = total WHERE refunded_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("credit_orders") as batch_op:
        batch_op.drop_column("refund_amount")
