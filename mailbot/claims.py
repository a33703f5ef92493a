"""Who is working on a row right now: claims for journaled messages and outbox emails.

A worker (daemon, `ingest`, `reprocess`, a sender) claims a row with a compare-and-set UPDATE
before touching it, so two workers on one database never handle the same row twice, on
PostgreSQL and SQLite alike. A claim names its owner (`host:pid:token`); it can be taken over when
its owner is a dead process on this host, or when it is older than the lease.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

__all__ = ["CLAIMED", "DUPLICATE", "LEASE", "claim_inbound", "owner", "owner_is_gone"]

CLAIMED = "claimed"
DUPLICATE = "duplicate"
ELSEWHERE = "claimed elsewhere"
GONE = "not pending"

LEASE = timedelta(minutes=30)

_TOKEN = uuid.uuid4().hex[:8]


def owner() -> str:
    """This process's claim name: host, pid and a random token (a reused pid is not us)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_TOKEN}"


def owner_is_gone(claimed_by: str | None, claimed_at: datetime | None, now: datetime) -> bool:
    """True when a claim can be taken over: none, expired, or held by a dead local process."""
    if not claimed_by:
        return True
    if claimed_by == owner():
        return False
    if claimed_at is not None and now - _aware(claimed_at, now) > LEASE:
        return True
    host, _, rest = claimed_by.partition(":")
    pid_text, _, token = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return token != _TOKEN  # our pid, another token: a previous process that had our pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _aware(moment: datetime, now: datetime) -> datetime:
    if moment.tzinfo is None and now.tzinfo is not None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment


def _lock(conn, inbound_id: int, dedupe_key: str | None) -> bool:
    """Serialise claims: PostgreSQL, per Message-ID (advisory lock until commit); SQLite, the
    database write lock, taken by a no-op write before anything is read. False when the row is
    gone (SQLite only tells)."""
    from sqlalchemy import text

    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b((dedupe_key or "").encode(), digest_size=8).digest(),
                             "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        return True
    result = conn.execute(text("UPDATE inboundmessage SET attempts = attempts WHERE id = :i"),
                          {"i": inbound_id})
    return result.rowcount != 0


_STATEMENTS: dict[str, Any] = {}


def _statements() -> dict[str, Any]:
    """The claim's statements with bound parameters, built once (a claim runs per message)."""
    if not _STATEMENTS:
        from sqlalchemy import bindparam, select, update

        from mailbot.domain.models import InboundMessage, InboundStatus

        table = InboundMessage.__table__
        c = table.c
        row = c.id == bindparam("row_id")
        _STATEMENTS.update(
            key=select(c.dedupe_key).where(row),
            entry=select(c.status, c.claimed_by, c.claimed_at, c.dedupe_key).where(row),
            siblings=select(c.id, c.status, c.claimed_by, c.claimed_at).where(
                c.dedupe_key == bindparam("key"), c.id != bindparam("row_id")),
            duplicate=update(table).where(row).values(
                status=InboundStatus.DUPLICATE, processed_at=bindparam("now"), claimed_by=None,
                claimed_at=None, reason="same Message-ID as another message: not handled again"),
            claim=update(table).where(row).values(claimed_by=bindparam("owner"),
                                                  claimed_at=bindparam("now")),
        )
    return _STATEMENTS


def claim_inbound(engine, inbound_id: int) -> str:
    """Claim a journaled message for this process (compare-and-set, one transaction).

    Returns CLAIMED; DUPLICATE (another copy with the same Message-ID was handled, is being
    handled, or came first: this one is marked duplicate); ELSEWHERE (a live worker has it); or
    GONE (no longer pending). Core statements, never the raw bytes: this runs once per message.
    """
    from mailbot.domain.models import InboundStatus, utcnow

    sql = _statements()
    ids = {"row_id": inbound_id}
    with engine.connect() as conn:
        key = None
        if conn.dialect.name == "postgresql":  # the lock is per Message-ID: read it first
            key = conn.execute(sql["key"], ids).scalar()
            conn.rollback()  # end the read: the lock below must come first in its transaction
            if key is None:
                return GONE
        if not _lock(conn, inbound_id, key):
            conn.rollback()
            return GONE
        entry = conn.execute(sql["entry"], ids).first()
        now = utcnow()
        if entry is None or entry.status != InboundStatus.JOURNALED:
            conn.rollback()
            return GONE
        if entry.claimed_by and entry.claimed_by != owner() and not owner_is_gone(
                entry.claimed_by, entry.claimed_at, now):
            conn.rollback()
            return ELSEWHERE
        siblings = conn.execute(sql["siblings"], {**ids, "key": entry.dedupe_key}).all()
        for sibling_id, status, claimed_by, claimed_at in siblings:
            busy = (status == InboundStatus.JOURNALED and claimed_by
                    and not owner_is_gone(claimed_by, claimed_at, now))
            first = sibling_id < inbound_id and status != InboundStatus.DUPLICATE
            if status == InboundStatus.PROCESSED or busy or first:
                conn.execute(sql["duplicate"], {**ids, "now": now})
                conn.commit()
                return DUPLICATE
        conn.execute(sql["claim"], {**ids, "owner": owner(), "now": now})
        conn.commit()
        return CLAIMED
