"""outbox covering indexes: the senders' due rows, the answers a flood limit counts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:30:00
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch:
        batch.create_index("ix_outboxmessage_due", ["status", "next_attempt_at"], unique=False)
        batch.create_index("ix_outboxmessage_answers", ["to_key", "role", "status", "created_at"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch:
        batch.drop_index("ix_outboxmessage_answers")
        batch.drop_index("ix_outboxmessage_due")
