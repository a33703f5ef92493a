"""The sender in a forked process beside the handlers (a backlog): the feed is shared through the
fork, rows queued while it runs are sent once, `quiet()` holds it with nothing in flight, and
closing the feed ends it with its report."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from sqlmodel import SQLModel, create_engine

from mailbot.domain.models import OutboxStatus
from mailbot.outbox.sender_process import SenderProcess
from tests.unit.test_sender_claims import queue_rows, statuses

__all__: list[str] = []


class FileCountingTransport:
    """Appends each Message-ID it sends to a file (the parent reads what the child sent)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def __aenter__(self) -> FileCountingTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def send(self, envelope_from: str, recipients: list[str], raw: bytes) -> str | None:
        message_id = raw.split(b"\r\n", 1)[0].decode().removeprefix("Message-ID: ")
        with self.path.open("a", encoding="ascii") as handle:
            handle.write(message_id + "\n")
        return None


def _sent(path: Path) -> Counter:
    return Counter(path.read_text(encoding="ascii").split()) if path.exists() else Counter()


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_sender_process_sends_rows_queued_while_it_runs_once(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    log = tmp_path / "sent.txt"
    first = queue_rows(engine, 5, prefix="a")
    sender = SenderProcess(engine, FileCountingTransport(log), max_attempts=3)
    _wait_for(lambda: sum(_sent(log).values()) == 5)

    with sender.feed.quiet():  # held: nothing sent while the handlers' thread is quiet
        later = queue_rows(engine, 7, prefix="b")
        sender.feed.queued()
        time.sleep(0.5)
        assert sum(_sent(log).values()) == 5
    sender.feed.queued()
    _wait_for(lambda: sum(_sent(log).values()) == 12)
    sender.feed.close()
    report = sender.join()

    assert report.sent == 12 and report.failed == report.deferred == 0
    sent = _sent(log)
    assert set(sent) == set(first + later) and set(sent.values()) == {1}
    rows = statuses(engine).values()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.claimed_by is None for row in rows)


def test_sender_process_error_is_raised_by_join(tmp_path: Path):
    class Broken(FileCountingTransport):
        async def __aenter__(self) -> Broken:
            raise ValueError("no connection object")

    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    queue_rows(engine, 2)
    sender = SenderProcess(engine, Broken(tmp_path / "sent.txt"), max_attempts=3)
    threading.Timer(0.5, sender.feed.close).start()
    try:
        sender.join()
    except ValueError as exc:
        assert "no connection object" in str(exc)
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("the child's error should be raised by join()")
    rows = statuses(engine).values()
    assert {row.status for row in rows} == {OutboxStatus.PENDING}  # claims given back
