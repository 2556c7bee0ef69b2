"""breach notice contents (DPDP Rules r.7(1): when, where, extent) and a consent ledger whose
address and browser the purge may empty (DPDP Rules r.8(3))

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 11:00:00

"""

import sqlalchemy as sa
from alembic import op

from marketplace.privacy.models import CONSENT_GUARD_POSTGRESQL, CONSENT_GUARD_SQLITE

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# The guards as migration 0011 made them: every UPDATE refused.
_STRICT_SQLITE = (
    "DROP TRIGGER IF EXISTS consent_records_no_update",
    "CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records "
    "BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END",
)
_STRICT_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION consent_records_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the consent ledger is append-only'; END; $$ LANGUAGE plpgsql",
)


def _guard(postgresql: tuple[str, ...], sqlite: tuple[str, ...]) -> None:
    for statement in postgresql if op.get_bind().dialect.name == "postgresql" else sqlite:
        op.execute(statement)


def upgrade():
    with op.batch_alter_table("breaches") as batch_op:
        batch_op.add_column(sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("occurred_where", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("extent", sa.Text(), nullable=False, server_default=""))
    _guard(CONSENT_GUARD_POSTGRESQL, CONSENT_GUARD_SQLITE)


def downgrade():
    _guard(_STRICT_POSTGRESQL, _STRICT_SQLITE)
    with op.batch_alter_table("breaches") as batch_op:
        batch_op.drop_column("extent")
        batch_op.drop_column("occurred_where")
        batch_op.drop_column("occurred_at")
