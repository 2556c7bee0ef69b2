"""suspension restores the prior state: how the account stood when it was suspended

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 17:00:00

"""

import sqlalchemy as sa
from alembic import op

from marketplace.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_from", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("deactivated_before_suspension", UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("deactivated_before_suspension")
        batch_op.drop_column("suspended_from")
