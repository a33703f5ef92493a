"""markets: markets, lots, worksites, the facilitateur's imports, and offers tied to a lot

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString
_TIME = sa.DateTime(timezone=True)
_IMPORT = "status IN ('pending', 'applied', 'refused')"


def upgrade() -> None:
    op.create_table(
        "market",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", _STR(), nullable=True),
        sa.Column("name", _STR(), nullable=True),
        sa.Column("match_key", _STR(), nullable=False),
        sa.Column("buyer", _STR(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("match_key"),
    )
    with op.batch_alter_table("market", schema=None) as batch:
        batch.create_index(batch.f("ix_market_reference"), ["reference"], unique=False)
    op.create_table(
        "lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("market_id", sa.Integer(), nullable=False),
        sa.Column("number", _STR(), nullable=False),
        sa.Column("label", _STR(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("insertion_hours", sa.Float(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["market_id"], ["market.id"]),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("market_id", "number", name="uq_lot_market_number"),
    )
    with op.batch_alter_table("lot", schema=None) as batch:
        batch.create_index(batch.f("ix_lot_company_id"), ["company_id"], unique=False)
    op.create_table(
        "worksite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("match_key", _STR(), nullable=False),
        sa.Column("name", _STR(), nullable=True),
        sa.Column("address", _STR(), nullable=True),
        sa.Column("commune", _STR(), nullable=True),
        sa.Column("postcode", _STR(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lot_id", "match_key", name="uq_worksite_lot_key"),
    )
    op.create_table(
        "marketimport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", _STR(), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("filename", _STR(), nullable=False),
        sa.Column("status", _STR(), nullable=False),
        sa.Column("reason", _STR(), nullable=True),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("unmatched", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("applied_at", _TIME, nullable=True),
        sa.CheckConstraint(_IMPORT, name="ck_marketimport_status"),
        sa.ForeignKeyConstraint(["inbound_id"], ["inboundmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("marketimport", schema=None) as batch:
        batch.create_index(batch.f("ix_marketimport_inbound_id"), ["inbound_id"], unique=False)
        batch.create_index(batch.f("ix_marketimport_status"), ["status"], unique=False)
    with op.batch_alter_table("offer", schema=None) as batch:
        batch.add_column(sa.Column("lot_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_offer_lot_id", "lot", ["lot_id"], ["id"])
        batch.create_index(batch.f("ix_offer_lot_id"), ["lot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("offer", schema=None) as batch:
        batch.drop_index(batch.f("ix_offer_lot_id"))
        batch.drop_constraint("fk_offer_lot_id", type_="foreignkey")
        batch.drop_column("lot_id")
    op.drop_table("marketimport")
    op.drop_table("worksite")
    op.drop_table("lot")
    op.drop_table("market")
