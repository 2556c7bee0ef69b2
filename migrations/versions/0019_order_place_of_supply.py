"""order place of supply: an order keeps the registration and state it was priced for

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 10:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("credit_orders") as batch_op:
        batch_op.add_column(sa.Column("recipient_gstin", sa.String(15), nullable=True))
        batch_op.add_column(sa.Column("place_of_supply_code", sa.String(2), nullable=True))
    # Orders so far were priced for the registration their supplier holds now.
    op.execute(
        "UPDATE credit_orders SET recipient_gstin = (SELECT gstin FROM supplier_profiles"
        " WHERE supplier_profiles.id = credit_orders.supplier_id)"
    )
    op.execute("UPDATE credit_orders SET place_of_supply_code = substr(recipient_gstin, 1, 2)")
    with op.batch_alter_table("credit_orders") as batch_op:
        batch_op.alter_column("place_of_supply_code", existing_type=sa.String(2), nullable=False)


def downgrade():
    with op.batch_alter_table("credit_orders") as batch_op:
        batch_op.drop_column("place_of_supply_code")
        batch_op.drop_column("recipient_gstin")
