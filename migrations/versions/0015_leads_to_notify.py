"""leads to notify: an enquiry's supplier is told by a periodic task, from an index of the untold

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 02:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UNTOLD = "supplier_notified_at IS NULL"


def upgrade():
    # Nobody is told of a BuyLead, of a lead in the spam folder, or of one the supplier has
    # already worked (moved on from "new"): settled, so never picked up.
    op.execute(
        "UPDATE leads SET supplier_notified_at = created_at "
        f"WHERE {UNTOLD} AND (type <> 'enquiry' OR status <> 'new')"
    )
    # The task a new enquiry used to queue is gone: its queued rows would reach workers that no
    # longer know it (each such lead is untold, so beat tells it).
    op.execute("DELETE FROM queued_tasks WHERE task = 'marketplace.leads.tasks.notify_supplier'")
    op.create_index(
        "ix_leads_to_notify",
        "leads",
        ["id"],
        postgresql_where=sa.text(UNTOLD),
        sqlite_where=sa.text(UNTOLD),
    )


def downgrade():
    op.drop_index("ix_leads_to_notify", table_name="leads")
