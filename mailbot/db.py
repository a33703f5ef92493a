"""Database engine, sessions, and schema migration (alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, inspect
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
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

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
