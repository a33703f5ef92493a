"""before the offer: offer lifecycle (received, incomplete), revisions, routing, blank-form
requests, eligibility, label sightings

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 07:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString
_OFFER_NEW = "status IN ('received', 'incomplete', 'open', 'held', 'filled', 'closed')"
_OFFER_OLD = "status IN ('open', 'held', 'filled', 'closed')"


def upgrade() -> None:
    with op.batch_alter_table("offer", schema=None) as batch:
        batch.drop_constraint("ck_offer_status", type_="check")
        batch.create_check_constraint("ck_offer_status", _OFFER_NEW)
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
    op.execute("UPDATE offer SET published_at = created_at WHERE status IN "
               "('open', 'filled', 'closed')")
    with op.batch_alter_table("referral", schema=None) as batch:
        batch.add_column(sa.Column("eligibility", sa.JSON(), nullable=False,
                                   server_default="[]"))
    op.create_table(
        "offerrevision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", _STR(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"]),
        sa.ForeignKeyConstraint(["inbound_id"], ["inboundmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_id", "version", name="uq_offerrevision_version"),
    )
    op.create_table(
        "offerrouting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("reason", _STR(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"]),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_id", "partner_id", name="uq_offerrouting_pair"),
    )
    op.create_table(
        "formrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("address", _STR(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "lot_id", name="uq_formrequest_company_lot"),
    )
    op.create_table(
        "labelsighting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wording", _STR(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["inbound_id"], ["inboundmessage.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for table, columns in (("offerrevision", ("offer_id", "inbound_id")),
                           ("offerrouting", ("offer_id", "partner_id")),
                           ("formrequest", ("company_id", "lot_id", "offer_id")),
                           ("labelsighting", ("wording", "inbound_id", "offer_id"))):
        with op.batch_alter_table(table, schema=None) as batch:
            for column in columns:
                batch.create_index(batch.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    for table in ("labelsighting", "formrequest", "offerrouting", "offerrevision"):
        op.drop_table(table)
    with op.batch_alter_table("referral", schema=None) as batch:
        batch.drop_column("eligibility")
    op.execute("UPDATE offer SET status = 'open' WHERE status IN ('received', 'incomplete')")
    with op.batch_alter_table("offer", schema=None) as batch:
        batch.drop_column("version")
        batch.drop_column("published_at")
        batch.drop_constraint("ck_offer_status", type_="check")
        batch.create_check_constraint("ck_offer_status", _OFFER_OLD)
