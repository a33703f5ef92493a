"""Exactly once for the outbox: senders claim rows (compare-and-set) before sending them.

Two senders (threads, then processes) drain the same rows of one SQLite file through a counting
fake transport: every row is sent once. The same check on PostgreSQL is in
tests/integration/test_sender.py (`test_two_senders_send_each_row_once`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, update
from sqlmodel import Session, SQLModel, create_engine, select

from mailbot import claims
from mailbot.domain.models import OutboxMessage, OutboxStatus, utcnow
from mailbot.outbox.sender import send_pending

__all__ = ["CountingTransport", "drain_with_two_senders", "queue_rows"]

FROM = "clauses@agence.example.fr"


class CountingTransport:
    """A fake SMTP connection: records the Message-ID of every email it is given."""

    def __init__(self, sent: Counter, lock: threading.Lock, delay: float = 0.002) -> None:
        self.sent, self.lock, self.delay = sent, lock, delay
        self.connections = 0
        self.mine: list[str] = []

    async def __aenter__(self) -> CountingTransport:
        self.connections += 1
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    async def send(self, envelope_from: str, recipients: list[str], raw: bytes) -> str | None:
        await asyncio.sleep(self.delay)  # the other sender gets its turn meanwhile
        message_id = raw.split(b"\r\n", 1)[0].decode().removeprefix("Message-ID: ")
        with self.lock:
            self.sent[message_id] += 1
        self.mine.append(message_id)
        return None


def queue_rows(engine: Engine, count: int, status: str = OutboxStatus.PENDING,
               prefix: str = "m") -> list[str]:
    """`count` outbox rows due now; returns their Message-IDs."""
    ids = [f"<{prefix}{i}.{status}@agence.example.fr>" for i in range(count)]
    with Session(engine) as session:
        for message_id in ids:
            session.add(OutboxMessage(
                message_id=message_id, role="company/ack", envelope_from=FROM,
                recipients=["patron@entreprise.example.com"], subject="Accusé de réception",
                raw=f"Message-ID: {message_id}\r\nSubject: test\r\n\r\nBonjour\r\n".encode(),
                status=status, next_attempt_at=utcnow() - timedelta(seconds=1),
                to_key="patron@entreprise.example.com",
            ))
        session.commit()
    return ids


def statuses(engine: Engine) -> dict[str, OutboxMessage]:
    with Session(engine) as session:
        rows = {row.message_id: row for row in session.exec(select(OutboxMessage))}
        session.expunge_all()
    return rows


def drain_with_two_senders(url: str, count: int = 100) -> tuple[Counter, list[list[str]]]:
    """Queue `count` rows at `url`, drain them with two threaded senders; (sent, per sender)."""
    setup = create_engine(url)
    SQLModel.metadata.create_all(setup)
    queue_rows(setup, count)
    setup.dispose()
    sent: Counter = Counter()
    lock = threading.Lock()
    transports = [CountingTransport(sent, lock) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(transport: CountingTransport) -> None:
        engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
        try:
            barrier.wait()
            send_pending(engine, transport, batch_size=7)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(t,)) for t in transports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return sent, [t.mine for t in transports]


def test_two_threaded_senders_on_one_sqlite_file_send_each_row_once(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    sent, per_sender = drain_with_two_senders(url, 100)
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert all(per_sender), "both senders should have sent some rows"
    rows = statuses(create_engine(url)).values()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.claimed_by is None and row.attempts == 1 for row in rows)


def _process_sender(url: str, out: multiprocessing.Queue) -> None:
    sent: Counter = Counter()
    transport = CountingTransport(sent, threading.Lock())
    engine = create_engine(url, connect_args={"timeout": 30})
    report = send_pending(engine, transport, batch_size=5)
    out.put((report.sent, transport.mine))


def test_two_sender_processes_on_one_sqlite_file_send_each_row_once(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    queue_rows(engine, 100)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_process_sender, args=(url, out)) for _ in range(2)]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    sent = Counter(mid for _, mine in results for mid in mine)
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert sum(count for count, _ in results) == 100
    assert {row.status for row in statuses(engine).values()} == {OutboxStatus.SENT}


def _claim(engine: Engine, message_id: str, owner: str, minutes_ago: float = 0) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(OutboxMessage.__table__)
            .where(OutboxMessage.__table__.c.message_id == message_id)
            .values(status=OutboxStatus.SENDING, claimed_by=owner,
                    claimed_at=utcnow() - timedelta(minutes=minutes_ago))
        )


def test_claims_of_dead_or_expired_senders_are_taken_back_live_ones_kept(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    SQLModel.metadata.create_all(engine)
    dead_row, live_row, expired_row, free_row = queue_rows(engine, 4)
    (held_row,) = queue_rows(engine, 1, status=OutboxStatus.HELD)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    host = claims.owner().split(":")[0]
    _claim(engine, dead_row, f"{host}:{int(gone.stdout)}:deadbeef")
    _claim(engine, live_row, f"{host}:1:cafe0001")  # pid 1 is alive
    _claim(engine, expired_row, "elsewhere.example:42:cafe0002",
           minutes_ago=claims.LEASE / timedelta(minutes=1) + 1)
    sent: Counter = Counter()
    report = send_pending(engine, CountingTransport(sent, threading.Lock(), delay=0))
    assert report.sent == 3
    assert sorted(sent) == sorted([dead_row, expired_row, free_row])
    rows = statuses(engine)
    assert rows[live_row].status == OutboxStatus.SENDING  # its sender may still be sending it
    assert rows[held_row].status == OutboxStatus.HELD  # waits for `mailbot offers release`
    assert rows[dead_row].status == OutboxStatus.SENT and rows[dead_row].claimed_by is None


def test_a_row_claimed_by_another_sender_is_not_sent(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    SQLModel.metadata.create_all(engine)
    first, second = queue_rows(engine, 2)
    _claim(engine, first, claims.owner())  # this process, another sender thread
    sent: Counter = Counter()
    transport = CountingTransport(sent, threading.Lock(), delay=0)
    assert send_pending(engine, transport).sent == 1
    assert list(sent) == [second]
    assert statuses(engine)[first].status == OutboxStatus.SENDING


def test_nothing_due_opens_no_connection(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    SQLModel.metadata.create_all(engine)
    queue_rows(engine, 2, status=OutboxStatus.HELD)
    transport = CountingTransport(Counter(), threading.Lock())
    assert send_pending(engine, transport).sent == 0
    assert transport.connections == 0
