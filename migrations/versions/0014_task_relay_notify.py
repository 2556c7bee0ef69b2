"""task relay: each commit that queues a task wakes the relay (PostgreSQL NOTIFY)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 23:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no notifications: the relay polls
    # Once per statement, delivered at commit, folded with the others of its transaction.
    op.execute(
        """CREATE FUNCTION notify_queued_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('queued_tasks', ''); RETURN NULL; END $$"""
    )
    op.execute(
        """CREATE TRIGGER queued_tasks_notify AFTER INSERT ON queued_tasks
        FOR EACH STATEMENT EXECUTE FUNCTION notify_queued_tasks()"""
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER queued_tasks_notify ON queued_tasks")
    op.execute("DROP FUNCTION notify_queued_tasks()")
