"""The models and the migrations describe the same schema, on SQLite and PostgreSQL; the
migration from the previous schema keeps referrals and renames their statuses."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import mailbot.domain.models  # noqa: F401  (registers the tables)
from mailbot.db import make_engine, migrate


def _checks(metadata_table) -> set[str]:
    from sqlalchemy import CheckConstraint

    return {c.name for c in metadata_table.constraints if isinstance(c, CheckConstraint)}


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)
    assert diffs == []
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        in_db = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert _checks(table) <= in_db, table.name
        indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes(table.name)}
        indexed |= {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table.name)}
        indexed.add(tuple(inspector.get_pk_constraint(table.name)["constrained_columns"]))
        for fk in table.foreign_keys:
            column = fk.parent.name
            assert any(cols[0] == column for cols in indexed), f"{table.name}.{column} not indexed"


def test_upgrade_from_0002_renames_statuses_and_enforces_them(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO candidate (first_name, created_at) VALUES ('A', :t)"),
                     {"t": "2026-01-01 00:00:00+00:00"})
        cid = conn.execute(text("SELECT id FROM candidate")).scalar_one()
        for status in ("received", "retained", "not_retained", "presented"):
            conn.execute(text("INSERT INTO referral (candidate_id, status, flagged, created_at) "
                              "VALUES (:c, :s, false, :t)"),
                         {"c": cid, "s": status, "t": "2026-01-01 00:00:00+00:00"})
    migrate(engine)
    with engine.connect() as conn:
        statuses = sorted(conn.execute(text("SELECT status FROM referral")).scalars())
    assert statuses == ["hired", "new", "not_hired", "presented"]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE referral SET status = 'retained'"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE offer SET status = 'bogus'"))
        conn.execute(text("INSERT INTO offer (ref, status, missing, problems, created_at) "
                          "VALUES ('CS-2026-0001', 'bogus', '[]', '[]', :t)"),
                     {"t": "2026-01-01 00:00:00+00:00"})
