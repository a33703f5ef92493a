"""Two workers journaling one UID: the loser sees "already journaled"; the mark never goes back."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from mailbot import journal
from mailbot.db import make_engine, migrate
from mailbot.domain.models import InboundMessage, UidMark
from mailbot.journal import journal_fetched
from mailbot.sources.base import FetchedMessage


@pytest.fixture
def engine(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(e)
    return e


def _last_uid(engine) -> int:
    with Session(engine) as session:
        return session.get(UidMark, "m").last_uid


def test_losing_the_unique_constraint_race_means_already_journaled(engine, monkeypatch):
    message = FetchedMessage("m", 1, 7, b"Subject: a\r\n\r\nb")
    assert journal_fetched(engine, message) is not None
    # the second worker checked before the first one committed: it reaches the INSERT
    calls: list[bool] = []
    real = journal._uid_taken

    def stale_first_check(e, m) -> bool:
        calls.append(True)
        return False if len(calls) == 1 else real(e, m)

    monkeypatch.setattr(journal, "_uid_taken", stale_first_check)
    assert journal_fetched(engine, message) is None
    assert len(calls) == 2  # the INSERT failed on the unique constraint, then it looked again
    with Session(engine) as session:
        assert len(session.exec(select(InboundMessage)).all()) == 1
    assert _last_uid(engine) == 7


def test_the_mark_is_never_lowered(engine):
    journal_fetched(engine, FetchedMessage("m", 1, 10, b"Subject: a\r\n\r\n"))
    journal_fetched(engine, FetchedMessage("m", 1, 4, b"Subject: b\r\n\r\n"))
    assert _last_uid(engine) == 10


def test_threads_journaling_the_same_uids_store_each_once(engine):
    messages = [FetchedMessage("m", 1, uid, b"Subject: %d\r\n\r\n" % uid) for uid in range(1, 31)]
    results: list[int | None] = []
    errors: list[BaseException] = []

    def worker(order):
        try:
            for message in order:
                results.append(journal_fetched(engine, message))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(messages,)),
               threading.Thread(target=worker, args=(list(reversed(messages)),)),
               threading.Thread(target=worker, args=(messages[::2] + messages[1::2],))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r for r in results if r is not None) == list(range(1, 31))
    assert _last_uid(engine) == 30
