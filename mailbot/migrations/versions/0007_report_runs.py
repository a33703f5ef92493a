"""report runs: each scheduled report recorded with the period it covers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "reportrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _STR(), nullable=False),
        sa.Column("recipient", _STR(), nullable=False),
        sa.Column("period_key", _STR(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outboxmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "recipient", "period_key", name="uq_reportrun_period"),
    )
    with op.batch_alter_table("reportrun", schema=None) as batch:
        batch.create_index(batch.f("ix_reportrun_kind"), ["kind"], unique=False)
        batch.create_index(batch.f("ix_reportrun_outbox_id"), ["outbox_id"], unique=False)


def downgrade() -> None:
    op.drop_table("reportrun")
