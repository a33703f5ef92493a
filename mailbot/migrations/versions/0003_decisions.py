"""decisions: referral states and contract, candidates as persons, CVs, audit, company revisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 05:40:00

Referral statuses become the codes of mailbot.domain.states (received → new, retained → hired,
not_retained → not_hired), backed by CHECK constraints like the offer status; every foreign key
gets an index.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString
_REFERRAL = "status IN ('new', 'under_review', 'presented', 'hired', 'not_hired', 'on_hold')"
_REASON = ("refusal_reason IS NULL OR refusal_reason IN ('absent_interview', 'hired_elsewhere', "
           "'insufficient_skills', 'not_interested', 'position_filled', 'not_mobile', 'other')")
_OFFER = "status IN ('open', 'held', 'filled', 'closed')"
_ACTOR = "actor IN ('referent', 'company', 'partner', 'system')"
_CHANNEL = "channel IN ('cli', 'email', 'system')"
_RENAMES = (("received", "new"), ("retained", "hired"), ("not_retained", "not_hired"))


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", _STR(), nullable=False),
        sa.Column("filename", _STR(), nullable=False),
        sa.Column("content_type", _STR(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    for old, new in _RENAMES:
        op.execute(sa.text("UPDATE referral SET status = :new WHERE status = :old")
                   .bindparams(old=old, new=new))
    op.execute(sa.text("UPDATE referral SET status = 'new' WHERE status NOT IN "
                       "('new', 'under_review', 'presented', 'hired', 'not_hired', 'on_hold')"))
    with op.batch_alter_table("referral", schema=None) as batch:
        batch.add_column(sa.Column("cv_document_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("refusal_reason", _STR(), nullable=True))
        batch.add_column(sa.Column("comment", _STR(), nullable=True))
        batch.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("contract_type", _STR(), nullable=True))
        batch.add_column(sa.Column("contract_start", sa.Date(), nullable=True))
        batch.add_column(sa.Column("contract_end", sa.Date(), nullable=True))
        batch.add_column(sa.Column("contract_duration", _STR(), nullable=True))
        batch.add_column(sa.Column("weekly_hours", sa.Float(), nullable=True))
        batch.create_foreign_key("fk_referral_cv_document_id", "document", ["cv_document_id"], ["id"])
        batch.create_foreign_key("fk_referral_duplicate_of", "referral", ["duplicate_of"], ["id"])
        batch.create_unique_constraint("uq_referral_offer_candidate", ["offer_id", "candidate_id"])
        batch.create_check_constraint("ck_referral_status", _REFERRAL)
        batch.create_check_constraint("ck_referral_refusal_reason", _REASON)
        batch.create_index(batch.f("ix_referral_candidate_id"), ["candidate_id"], unique=False)
        batch.create_index(batch.f("ix_referral_inbound_id"), ["inbound_id"], unique=False)
        batch.create_index(batch.f("ix_referral_cv_document_id"), ["cv_document_id"], unique=False)
        batch.create_index(batch.f("ix_referral_duplicate_of"), ["duplicate_of"], unique=False)
    with op.batch_alter_table("candidate", schema=None) as batch:
        batch.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch.create_index(batch.f("ix_candidate_email"), ["email"], unique=False)
        batch.create_index(batch.f("ix_candidate_phone"), ["phone"], unique=False)
    with op.batch_alter_table("offer", schema=None) as batch:
        batch.add_column(sa.Column("contact_address", _STR(), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint("ck_offer_status", _OFFER)
        batch.create_index(batch.f("ix_offer_company_id"), ["company_id"], unique=False)
        batch.create_index(batch.f("ix_offer_inbound_id"), ["inbound_id"], unique=False)
    with op.batch_alter_table("outboxmessage", schema=None) as batch:
        batch.create_index(batch.f("ix_outboxmessage_partner_id"), ["partner_id"], unique=False)
        batch.create_index(batch.f("ix_outboxmessage_inbound_id"), ["inbound_id"], unique=False)
    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", _STR(), nullable=False),
        sa.Column("actor_address", _STR(), nullable=True),
        sa.Column("channel", _STR(), nullable=False),
        sa.Column("action", _STR(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("from_state", _STR(), nullable=True),
        sa.Column("to_state", _STR(), nullable=True),
        sa.Column("reason", _STR(), nullable=True),
        sa.Column("comment", _STR(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.CheckConstraint(_ACTOR, name="ck_auditevent_actor"),
        sa.CheckConstraint(_CHANNEL, name="ck_auditevent_channel"),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"]),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.ForeignKeyConstraint(["inbound_id"], ["inboundmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditevent", schema=None) as batch:
        for column in ("at", "action", "offer_id", "referral_id", "candidate_id", "company_id",
                       "inbound_id"):
            batch.create_index(batch.f(f"ix_auditevent_{column}"), [column], unique=False)
    op.create_table(
        "companyrevision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.ForeignKeyConstraint(["inbound_id"], ["inboundmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("companyrevision", schema=None) as batch:
        batch.create_index(batch.f("ix_companyrevision_company_id"), ["company_id"], unique=False)
        batch.create_index(batch.f("ix_companyrevision_inbound_id"), ["inbound_id"], unique=False)


def downgrade() -> None:
    op.drop_table("companyrevision")
    op.drop_table("auditevent")
    with op.batch_alter_table("outboxmessage", schema=None) as batch:
        batch.drop_index(batch.f("ix_outboxmessage_inbound_id"))
        batch.drop_index(batch.f("ix_outboxmessage_partner_id"))
    with op.batch_alter_table("offer", schema=None) as batch:
        batch.drop_index(batch.f("ix_offer_inbound_id"))
        batch.drop_index(batch.f("ix_offer_company_id"))
        batch.drop_constraint("ck_offer_status", type_="check")
        batch.drop_column("closed_at")
        batch.drop_column("contact_address")
    with op.batch_alter_table("candidate", schema=None) as batch:
        batch.drop_index(batch.f("ix_candidate_phone"))
        batch.drop_index(batch.f("ix_candidate_email"))
        batch.drop_column("birth_date")
    with op.batch_alter_table("referral", schema=None) as batch:
        for name in ("duplicate_of", "cv_document_id", "inbound_id", "candidate_id"):
            batch.drop_index(batch.f(f"ix_referral_{name}"))
        batch.drop_constraint("ck_referral_refusal_reason", type_="check")
        batch.drop_constraint("ck_referral_status", type_="check")
        batch.drop_constraint("uq_referral_offer_candidate", type_="unique")
        batch.drop_constraint("fk_referral_duplicate_of", type_="foreignkey")
        batch.drop_constraint("fk_referral_cv_document_id", type_="foreignkey")
        for name in ("weekly_hours", "contract_duration", "contract_end", "contract_start",
                     "contract_type", "decided_at", "comment", "refusal_reason", "duplicate_of",
                     "cv_document_id"):
            batch.drop_column(name)
    for old, new in _RENAMES:
        op.execute(sa.text("UPDATE referral SET status = :old WHERE status = :new")
                   .bindparams(old=old, new=new))
    op.execute(sa.text("UPDATE referral SET status = 'received' WHERE status IN "
                       "('under_review', 'on_hold')"))
    op.drop_table("document")
