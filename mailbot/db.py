"""Database engine, sessions, and schema migration (alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, inspect, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from mailbot.logging_setup import redact_database_errors
from mailbot.textclean import clean_json

__all__ = ["make_engine", "migrate", "session_scope"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


_COLUMN_KEYS: dict[type, tuple[str, ...]] = {}  # mapped class → its column attributes


def _column_keys(obj: object) -> tuple[str, ...]:
    keys = _COLUMN_KEYS.get(type(obj))
    if keys is None:
        try:
            keys = tuple(attr.key for attr in inspect(obj).mapper.column_attrs)
        except Exception:  # not a mapped object
            keys = ()
        _COLUMN_KEYS[type(obj)] = keys
    return keys


@event.listens_for(OrmSession, "before_flush")
def _clean_text_columns(session, _context, _instances) -> None:
    """Every str (and every str inside a JSON list/dict) of a new or changed row is stored
    without NUL, control characters or lone surrogates, on every backend; bytes stay exact."""
    for obj in (*session.new, *session.dirty):
        values = obj.__dict__
        for key in _column_keys(obj):
            value = values.get(key)
            if isinstance(value, str | list | dict):
                cleaned = clean_json(value)
                if cleaned is not value:
                    setattr(obj, key, cleaned)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL (synchronous=NORMAL), foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        connect_args: dict = {"timeout": 30}
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            connect_args["factory"] = _writer_turns(f"{Path(database).resolve()}-writer")
        engine = create_engine(url, connect_args=connect_args, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: no fsync per commit; a power cut may roll back the last commits,
            # never corrupt (a rolled-back journal row is still in INBOX: filing comes after).
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        redact_database_errors(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    redact_database_errors(engine)  # no row values (PostgreSQL's DETAIL lines) in any error
    return engine


_WRITE = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.I)
_TURN_WAIT = 30.0  # seconds a write waits for its turn before going on (SQLite still locks)


class _TurnCursor(sqlite3.Cursor):
    """Takes its connection's writer turn before the write that opens a transaction."""

    def execute(self, sql, parameters=(), /):  # type: ignore[override]
        connection = self.connection
        if not connection.in_transaction and _WRITE.match(sql):
            connection.take_turn()
            try:
                return super().execute(sql, parameters)
            finally:
                if not connection.in_transaction:  # failed, or nothing left open
                    connection.end_turn()
        return super().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):  # type: ignore[override]
        connection = self.connection
        if not connection.in_transaction and _WRITE.match(sql):
            connection.take_turn()
            try:
                return super().executemany(sql, seq_of_parameters)
            finally:
                if not connection.in_transaction:
                    connection.end_turn()
        return super().executemany(sql, seq_of_parameters)


def _writer_turns(lock_path: str) -> type[sqlite3.Connection]:
    """A sqlite3.Connection class whose write transactions take turns through a flock on
    `lock_path`, from their first write to their commit or rollback.

    SQLite's own lock stays what guarantees one writer; but a writer that finds it taken
    sleeps 1, 2, 5, 10... 100 ms between tries (its busy handler), so a process writing
    short transactions (the outbox sender's one commit per email) beside one writing long ones
    (the handlers) misses most of the moments the lock is free, and that one in turn waits a
    whole millisecond or more for a commit of a tenth of it. Here a writer waits for the turn
    instead, polling it every 0.1 to 1 ms: it gets the database within a fraction of a
    millisecond of the other's commit. Waiting for the turn is bounded (then SQLite decides)."""

    class TurnConnection(sqlite3.Connection):
        _turn_fd: int | None = None

        def cursor(self, factory=_TurnCursor):  # type: ignore[override]
            return super().cursor(factory)

        def take_turn(self) -> None:
            if self._turn_fd is not None:
                return
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                return  # no turns (read-only directory): SQLite's lock alone
            deadline = None
            delay = 0.0001
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    now = time.monotonic()
                    deadline = deadline or now + _TURN_WAIT
                    if now > deadline:
                        os.close(fd)
                        return
                    time.sleep(delay)
                    delay = min(delay * 1.5, 0.001)
                except OSError:
                    os.close(fd)
                    return
            self._turn_fd = fd

        def end_turn(self) -> None:
            fd, self._turn_fd = self._turn_fd, None
            if fd is not None:
                os.close(fd)  # releases the flock

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                if not self.in_transaction:
                    self.end_turn()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                if not self.in_transaction:
                    self.end_turn()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self.end_turn()

    return TurnConnection


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision` with alembic."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
