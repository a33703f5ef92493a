"""mailbot's own scheduler (mailbot.scheduler.ReportScheduler, what `mailbot run` starts) on a
test clock: a daemon stopped across several scheduled times sends one digest on restart; two
daemons on one PostgreSQL database over a scheduled time send one digest; across the change to
summer time the 8:00 digest is written at 8:00 Paris time; APScheduler's alarm wakes the daemon."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlmodel import Session, col, select

from mailbot.config import load_config
from mailbot.db import make_engine
from mailbot.domain.models import OutboxMessage, ReportRun
from mailbot.pipeline import Pipeline
from mailbot.scheduler import ReportScheduler
from tests.helpers.decisions_data import fill_world, write_config

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def _config(tmp_path: Path, url: str, digest: str = "0 8 * * mon-fri"):
    path = write_config(tmp_path / "config.toml", url)
    path.write_text(path.read_text() + f'\n[schedule]\ndigest = "{digest}"\n'
                    'partner_feedback = ""\nfacilitateur_summary = ""\nreminders = ""\n')
    return load_config(path)


def _daemon(config, url: str) -> ReportScheduler:
    engine = make_engine(url)
    pipeline = Pipeline(config, engine, transport=None)
    return ReportScheduler(engine, pipeline.composer, config)


def _runs(url: str) -> list[ReportRun]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = list(session.exec(select(ReportRun).order_by(col(ReportRun.id))))
    engine.dispose()
    return rows


def _digests(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        count = len(session.exec(select(OutboxMessage.id).where(
            OutboxMessage.role == "referent/digest")).all())
    engine.dispose()
    return count


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_stopped_across_scheduled_times_sends_one_digest_on_restart(tmp_path, db_url) -> None:
    fill_world(db_url)
    config = _config(tmp_path, db_url, digest="0 8 * * *")  # every day, weekend included
    first = _daemon(config, db_url)
    assert first.start(now=paris(2027, 1, 14, 7, 59)) == {}  # Thursday, before 8:00
    try:
        assert first.tick(paris(2027, 1, 14, 8, 0, 5)) == {"digest": "1 written"}
        assert first.tick(paris(2027, 1, 14, 9, 0)) == {}  # the same due time: nothing
    finally:
        first.shutdown()
    # stopped Thursday 10:00 → Monday 9:30: Friday, Saturday, Sunday and Monday 8:00 missed
    second = _daemon(config, db_url)
    try:
        assert second.start(now=paris(2027, 1, 18, 9, 30)) == {"digest": "1 written"}
        assert second.tick(paris(2027, 1, 18, 9, 31)) == {}
    finally:
        second.shutdown()
    runs = _runs(db_url)
    assert [r.period_key for r in runs] == ["2027-01-14", "2027-01-18"]
    assert _utc(runs[1].period_start) == _utc(runs[0].period_end)  # the gap is covered once
    assert _digests(db_url) == 2
    # restarted past the misfire grace (6 h): nothing now, the next digest covers it
    third = _daemon(config, db_url)
    try:
        assert third.start(now=paris(2027, 1, 19, 15, 0)) == {}
    finally:
        third.shutdown()
    assert _digests(db_url) == 2


def test_a_new_database_waits_for_its_first_scheduled_time(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    fill_world(url)
    daemon = _daemon(_config(tmp_path, url), url)
    assert daemon.tick(paris(2027, 1, 14, 9, 0)) == {}  # 8:00 was before it started
    assert daemon.tick(paris(2027, 1, 15, 8, 0, 1)) == {"digest": "1 written"}


def test_two_daemons_on_one_postgresql_database_send_one_digest(tmp_path,
                                                                 postgres_db_url) -> None:
    fill_world(postgres_db_url)
    config = _config(tmp_path, postgres_db_url)
    daemons = [_daemon(config, postgres_db_url), _daemon(config, postgres_db_url)]
    days = [11, 12, 13, 14, 15]  # five scheduled times, both daemons racing at each
    for daemon in daemons:
        daemon.started_at = paris(2027, 1, 10, 23, 0)
    said: list[str] = []
    for day in days:
        gate = threading.Barrier(2)

        def race(daemon: ReportScheduler, day: int = day, gate: threading.Barrier = gate) -> None:
            gate.wait()
            said.append(daemon.tick(paris(2027, 1, day, 8, 0, 1)).get("digest", ""))

        threads = [threading.Thread(target=race, args=(d,)) for d in daemons]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(said) == sorted(["1 written"] * 5 + ["0 written, 1 already sent"] * 5)
    assert [r.period_key for r in _runs(postgres_db_url)] == [f"2027-01-{d}" for d in days]
    assert _digests(postgres_db_url) == 5


def test_the_8_oclock_digest_across_the_change_to_summer_time(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    fill_world(url)
    daemon = _daemon(_config(tmp_path, url), url)
    daemon.start(now=datetime(2027, 3, 26, 6, 0, tzinfo=UTC))
    try:
        assert daemon.tick(datetime(2027, 3, 26, 6, 59, 59, tzinfo=UTC)) == {}
        assert daemon.tick(datetime(2027, 3, 26, 7, 0, 0, tzinfo=UTC)) == {"digest": "1 written"}
        [job] = [j for j in daemon.jobs(datetime(2027, 3, 27, 12, 0, tzinfo=UTC)) if j.name == "digest"]
        assert job.next_run == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)  # Monday, summer time
        assert daemon.tick(datetime(2027, 3, 29, 5, 59, 59, tzinfo=UTC)) == {}
        assert daemon.tick(datetime(2027, 3, 29, 6, 0, 0, tzinfo=UTC)) == {"digest": "1 written"}
    finally:
        daemon.shutdown()
    runs = _runs(url)
    assert [(r.period_key, _utc(r.created_at)) for r in runs] == [
        ("2027-03-26", datetime(2027, 3, 26, 7, 0, tzinfo=UTC)),  # 8:00 CET
        ("2027-03-29", datetime(2027, 3, 29, 6, 0, tzinfo=UTC)),  # 8:00 CEST
    ]
    assert [_utc(r.created_at).astimezone(PARIS).hour for r in runs] == [8, 8]


def test_the_alarm_clock_wakes_the_daemon_which_runs_the_job(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    fill_world(url)
    config = _config(tmp_path, url)
    engine = make_engine(url)
    composer = Pipeline(config, engine, transport=None).composer
    daemon = ReportScheduler(engine, composer, config,
                             triggers={"digest": CronTrigger(second="*", timezone=PARIS)})
    daemon.start()
    try:
        deadline = time.monotonic() + 5
        while not daemon.has_due() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert daemon.has_due()  # APScheduler rang; nothing ran in its thread
        assert _digests(url) == 0
        assert daemon.run_pending() == {"digest": "1 written"}
        assert not daemon.has_due() or daemon.run_pending() != {"digest": "1 written"}
    finally:
        daemon.shutdown()
    assert _digests(url) >= 1


@pytest.fixture(autouse=True)
def _no_leak():
    before = threading.active_count()
    yield
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
