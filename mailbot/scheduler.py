"""The scheduled jobs of `mailbot run`: the référent's digest, the partners' weekly feedback,
the facilitateur's summary and the blank-form reminders, at the `[schedule]` cron times
(`[schedule] timezone`, Europe/Paris: summer and winter time both right).

APScheduler 3 (a BackgroundScheduler, memory job store, coalescing, misfire grace) is only the
alarm clock: when a job's time comes it marks the job due and the daemon's own thread runs it
between two cycles (the pipeline forks worker processes, which must not inherit a thread busy
writing to the database). What runs is decided by `tick(now)`, from the cron times and the
`ReportRun` records, never from APScheduler's job store (which is per process):

- a job runs for its last due time at or before `now`, when that time is at most
  `[schedule] misfire_grace_seconds` old (coalescing: a daemon stopped across several due
  times sends one report on restart, for the last one);
- a report is written once per period (`mailbot.reports.periods.write_once`: the record's
  unique key decides, so several daemons on one database send one report);
- a due time before this daemon started is caught up only if the report was ever sent before
  (a new database waits for its first scheduled time).

`now` is injectable everywhere (`clock`), so tests drive the same code on a test clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from mailbot.domain.models import FormRequest, ReportRun, utcnow
from mailbot.logging_setup import safe_error

__all__ = ["JOBS", "JobInfo", "ReportScheduler", "cron_trigger", "last_due"]

log = logging.getLogger("mailbot.scheduler")

#: job name (= its `[schedule]` key) → the ReportRun kind that records it (None: no record).
JOBS: dict[str, str | None] = {
    "digest": "digest",
    "partner_feedback": "partner_feedback",
    "facilitateur_summary": "facilitateur_summary",
    "reminders": None,
}


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A crontab line ("0 8 * * mon-fri") in `timezone`; ValueError when it is not one."""
    return CronTrigger.from_crontab(expression, timezone=ZoneInfo(timezone))


def last_due(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The trigger's last fire time at or before `now` (None within the last year: never)."""
    for span in (timedelta(days=2), timedelta(days=9), timedelta(days=32), timedelta(days=367)):
        found = None
        moment = trigger.get_next_fire_time(None, now - span)
        while moment is not None and moment <= now:
            found = moment
            moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
        if found is not None:
            return found.astimezone(UTC)
    return None


@dataclass(frozen=True)
class JobInfo:
    """One line of `mailbot jobs`."""

    name: str
    cron: str | None
    last_run: datetime | None
    last_period: str | None
    next_run: datetime | None


class ReportScheduler:
    """The jobs of `[schedule]` for one daemon (see the module docstring)."""

    def __init__(self, engine: Engine, composer: Any, config: Any, *,
                 clock: Callable[[], datetime] = utcnow,
                 triggers: dict[str, CronTrigger] | None = None) -> None:
        self.engine = engine
        self.composer = composer
        self.config = config
        self.clock = clock
        schedule = config.schedule
        self.timezone = ZoneInfo(schedule.timezone)
        self.grace = timedelta(seconds=schedule.misfire_grace_seconds)
        self.crons: dict[str, str | None] = {name: getattr(schedule, name) for name in JOBS}
        self.triggers: dict[str, CronTrigger] = triggers if triggers is not None else {
            name: cron_trigger(cron, schedule.timezone)
            for name, cron in self.crons.items() if cron}
        self.started_at: datetime | None = None
        self._done: dict[str, datetime] = {}  # job → last due time handled by this process
        self._due: set[str] = set()
        self._lock = threading.Lock()
        self._alarm: BackgroundScheduler | None = None

    # -- what runs -------------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> dict[str, str]:
        """Run every job due at `now` (see the module docstring); returns what each did."""
        now = (now or self.clock()).astimezone(UTC)
        if self.started_at is None:
            self.started_at = now
        try:
            ran_before = self._kinds_recorded()
        except Exception as exc:  # database unreachable: the alarm stays on, tried next cycle
            log.warning("scheduled jobs not run: %s", safe_error(exc))
            return {}
        with self._lock:
            self._due.clear()
        out: dict[str, str] = {}
        for name, trigger in self.triggers.items():
            due = last_due(trigger, now)
            if due is None or now - due > self.grace or self._done.get(name) == due:
                continue
            kind = JOBS.get(name)
            if due < self.started_at and kind is not None and kind not in ran_before:
                continue  # missed before this daemon started, and never sent: wait
            out[name] = self.run_job(name, due=due, now=now)
            if not out[name].startswith("failed"):  # a failure is tried again at the next tick
                self._done[name] = due
        return out

    def run_job(self, name: str, *, due: datetime, now: datetime) -> str:
        """Run job `name` for its time `due`; never raises (an error is logged and returned)."""
        try:
            result = self._dispatch(name, due, now)
        except Exception as exc:  # a report must never stop the daemon
            log.warning("job %s failed: %s", name, safe_error(exc))
            return f"failed: {safe_error(exc)}"
        log.info("job %s (%s): %s", name, due.astimezone(self.timezone).isoformat(), result)
        return result

    def _dispatch(self, name: str, due: datetime, now: datetime) -> str:
        if name == "digest":
            from mailbot.reports.digest import write_digest

            return _said([write_digest(self.engine, self.composer, self.config, due=due,
                                       now=now)])
        if name == "partner_feedback":
            from mailbot.reports.partner_weekly import write_weekly

            return _said(write_weekly(self.engine, self.composer, self.config, due=due, now=now))
        if name == "facilitateur_summary":
            return self._summary(now)
        if name == "reminders":
            from mailbot.reminders import remind_due

            return f"{remind_due(self.engine, self.composer, self.config, clock=lambda: now)} queued"
        raise ValueError(f"unknown job {name!r}")

    def _summary(self, now: datetime) -> str:
        """The facilitateur's weekly summary (mailbot.reports.summary), once per week."""
        from mailbot.reports.summary import queue_summary

        if not self.config.people.facilitateur:
            return "no [people] facilitateur: nothing sent"
        with Session(self.engine) as session:
            try:
                row = queue_summary(session, self.composer, self.config, now=now)
                session.commit()
            except IntegrityError:  # another daemon wrote this week's summary first
                session.rollback()
                row = None
        return "1 written" if row is not None else "0 written, 1 already sent"

    def _kinds_recorded(self) -> set[str]:
        with Session(self.engine) as session:
            return set(session.exec(select(ReportRun.kind).distinct()).all())

    # -- the alarm clock (APScheduler) and the daemon -------------------------------------------
    def start(self, now: datetime | None = None) -> dict[str, str]:
        """Catch up what is due (see the module docstring), then start the alarm clock."""
        done = self.tick(now)
        self._alarm = BackgroundScheduler(
            timezone=self.timezone,
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": int(self.grace.total_seconds())})
        for name, trigger in self.triggers.items():
            self._alarm.add_job(self._ring, trigger, args=[name], id=name, name=name)
        self._alarm.start()
        return done

    def run_reminders(self) -> str | None:
        """The blank-form reminders due now (`run --once`), unless `[schedule] reminders` is off."""
        if "reminders" not in self.triggers:
            return None
        now = self.clock().astimezone(UTC)
        return self.run_job("reminders", due=now, now=now)

    def _ring(self, name: str) -> None:
        with self._lock:
            self._due.add(name)

    def has_due(self) -> bool:
        """Did the alarm clock ring since the last tick? (The daemon wakes up for it.)"""
        with self._lock:
            return bool(self._due)

    def run_pending(self, now: datetime | None = None) -> dict[str, str]:
        """`tick` when the alarm clock rang; nothing (no query) otherwise."""
        return self.tick(now) if self.has_due() else {}

    def shutdown(self) -> None:
        if self._alarm is not None and self._alarm.running:
            self._alarm.shutdown(wait=False)
        self._alarm = None

    # -- `mailbot jobs` ----------------------------------------------------------------------------
    def jobs(self, now: datetime | None = None) -> list[JobInfo]:
        """Each job, its cron, its last run (from the records) and its next run."""
        from mailbot.reports.periods import last_runs

        now = (now or self.clock()).astimezone(UTC)
        with Session(self.engine) as session:
            runs = last_runs(session)
            reminded = session.exec(select(func.max(FormRequest.reminded_at))).one()
        out = []
        for name, kind in JOBS.items():
            trigger = self.triggers.get(name)
            upcoming = trigger.get_next_fire_time(None, now) if trigger else None
            last = runs.get(kind) if kind else None
            last_at = last.at if last else (_aware(reminded) if name == "reminders" and reminded
                                            else None)
            out.append(JobInfo(name, self.crons.get(name), last_at,
                               last.period_key if last else None,
                               upcoming.astimezone(UTC) if upcoming else None))
        return out


def _said(results: list) -> str:
    """A short account of ReportResults: '1 written, 2 already sent, 1 nothing to say'."""
    written = sum(1 for r in results if r.status == "written" and r.outbox_id is not None)
    empty = sum(1 for r in results if r.status == "written" and r.outbox_id is None)
    already = sum(1 for r in results if r.status == "already")
    parts = [f"{written} written"]
    if empty:
        parts.append(f"{empty} with nothing to say")
    if already:
        parts.append(f"{already} already sent")
    return ", ".join(parts)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
