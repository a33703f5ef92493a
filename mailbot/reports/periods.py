"""Periods of the scheduled reports and their record (`ReportRun`).

A report is written for one period (a day for the digest, an ISO week for the weekly feedback)
and one recipient. The record is inserted in the same transaction as the report's outbox row;
its unique key (kind, recipient, period_key) makes a second insert for the same period fail, so
the same report is never sent twice, even by several daemons on one database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from mailbot.domain.models import ReportRun

__all__ = [
    "LastRun",
    "ReportResult",
    "day_key",
    "last_runs",
    "period_start",
    "record_run",
    "recorded",
    "week_key",
    "write_once",
]

log = logging.getLogger("mailbot.reports")


def day_key(due: datetime, tz: tzinfo) -> str:
    """The local day a report is due: '2027-01-15'."""
    return due.astimezone(tz).date().isoformat()


def week_key(due: datetime, tz: tzinfo) -> str:
    """The local ISO week a report is due: '2027-W02'."""
    year, week, _day = due.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def recorded(session: Session, kind: str, recipient: str, period_key: str) -> bool:
    """Was this report already written for this period?"""
    found = session.exec(select(ReportRun.id).where(
        ReportRun.kind == kind, ReportRun.recipient == recipient,
        ReportRun.period_key == period_key)).first()
    return found is not None


def period_start(session: Session, kind: str, recipient: str, end: datetime,
                 default: timedelta) -> datetime:
    """Where the next period starts: the end of the last report of this kind to this recipient,
    else `default` before `end`."""
    last = session.exec(select(func.max(ReportRun.period_end)).where(
        ReportRun.kind == kind, ReportRun.recipient == recipient,
        ReportRun.period_end <= end)).one()
    return _aware(last) if last is not None else end - default


def record_run(session: Session, *, kind: str, recipient: str, period_key: str,
               start: datetime, end: datetime, outbox_id: int | None,
               now: datetime) -> ReportRun:
    """Add and flush the record: IntegrityError here means the period is already covered (the
    caller rolls back its whole transaction, outbox row included)."""
    row = ReportRun(kind=kind, recipient=recipient, period_key=period_key, period_start=start,
                    period_end=end, outbox_id=outbox_id, created_at=now)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ReportResult:
    """What one attempt at a report did: `written` (outbox_id None: nothing to say, skipped)
    or `already` (the period was covered, by this daemon or another)."""

    kind: str
    recipient: str
    period_key: str
    status: str  # written | already
    outbox_id: int | None = None


def write_once(engine: Engine, *, kind: str, recipient: str, period_key: str, now: datetime,
               default_span: timedelta,
               build: Callable[[Session, datetime, datetime], int | None]) -> ReportResult:
    """Run `build(session, start, end)` (queues the report, returns its outbox id or None) and
    record the period, in one transaction; when the period is already recorded (before or at the
    insert: another daemon), nothing is written."""
    now = now.astimezone(UTC)
    with Session(engine) as session:
        if recorded(session, kind, recipient, period_key):
            return ReportResult(kind, recipient, period_key, "already")
        start = period_start(session, kind, recipient, now, default_span)
        outbox_id = build(session, start, now)
        try:
            record_run(session, kind=kind, recipient=recipient, period_key=period_key,
                       start=start, end=now, outbox_id=outbox_id, now=now)
            session.commit()
        except IntegrityError:
            session.rollback()
            log.info("%s %s: already written by another process", kind, period_key)
            return ReportResult(kind, recipient, period_key, "already")
    return ReportResult(kind, recipient, period_key, "written", outbox_id)


@dataclass(frozen=True)
class LastRun:
    """The latest record of one kind of report."""

    kind: str
    at: datetime
    period_key: str
    count: int  # records of this kind written at that time's period (one per recipient)


def last_runs(session: Session) -> dict[str, LastRun]:
    """The latest period of each kind of report, when it was written and for how many
    recipients (one GROUP BY query)."""
    rows = session.exec(select(ReportRun.kind, ReportRun.period_key,
                               func.max(ReportRun.created_at), func.count(ReportRun.id))
                        .group_by(ReportRun.kind, ReportRun.period_key)).all()
    out: dict[str, LastRun] = {}
    for kind, key, at, count in rows:
        when = _aware(at)
        if kind not in out or when > out[kind].at:
            out[kind] = LastRun(kind, when, key, int(count))
    return out


def _aware(value: datetime) -> datetime:
    """Stored datetimes come back naive on SQLite: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
