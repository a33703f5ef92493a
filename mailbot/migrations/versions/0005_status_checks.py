"""status checks: the journal's and the outbox's statuses backed by CHECK constraints

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 07:00:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INBOUND = "status IN ('journaled', 'processed', 'duplicate', 'quarantined')"
_OUTBOX = "status IN ('pending', 'sending', 'sent', 'failed', 'held')"


def upgrade() -> None:
    with op.batch_alter_table("inboundmessage", schema=None) as batch:
        batch.create_check_constraint("ck_inboundmessage_status", _INBOUND)
    with op.batch_alter_table("outboxmessage", schema=None) as batch:
        batch.create_check_constraint("ck_outboxmessage_status", _OUTBOX)


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch:
        batch.drop_constraint("ck_outboxmessage_status", type_="check")
    with op.batch_alter_table("inboundmessage", schema=None) as batch:
        batch.drop_constraint("ck_inboundmessage_status", type_="check")
