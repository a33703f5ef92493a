"""Offer references CS-YYYY-NNNN: year of creation, counter per year, unique, never reused."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from mailbot.domain.models import RefCounter

__all__ = ["allocate_ref", "format_ref"]


def format_ref(year: int, number: int) -> str:
    return f"CS-{year}-{number:04d}"


def allocate_ref(session: Session, year: int) -> str:
    """Take the next reference of `year` inside the caller's transaction.

    The counter row is created if missing (insert-or-ignore) and bumped with one UPDATE … RETURNING,
    which row-locks it on PostgreSQL: two daemons can never take the same number, and a rolled-back
    transaction gives its number back only because nothing ever saw it.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.exec(insert(RefCounter).values(year=year, last=0).on_conflict_do_nothing())
    number = session.exec(
        update(RefCounter)
        .where(RefCounter.year == year)
        .values(last=RefCounter.last + 1)
        .returning(RefCounter.last)
    ).scalar_one()
    return format_ref(year, number)
