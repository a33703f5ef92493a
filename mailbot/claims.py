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


def _lock(session, inbound_id: int, dedupe_key: str | None) -> None:
    """Serialise claims: PostgreSQL, per Message-ID (advisory lock until commit); SQLite, the
    database write lock, taken by a no-op write before anything is read."""
    from sqlalchemy import text

    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b((dedupe_key or "").encode(), digest_size=8).digest(),
                             "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    else:
        session.execute(text("UPDATE inboundmessage SET attempts = attempts WHERE id = :i"),
                        {"i": inbound_id})


def claim_inbound(engine, inbound_id: int) -> str:
    """Claim a journaled message for this process (compare-and-set, one transaction).

    Returns CLAIMED; DUPLICATE (another copy with the same Message-ID was handled, is being
    handled, or came first: this one is marked duplicate); ELSEWHERE (a live worker has it); or
    GONE (no longer pending).
    """
    from sqlmodel import Session, select

    from mailbot.domain.models import InboundMessage, InboundStatus, utcnow

    with Session(engine) as session:
        key = session.exec(
            select(InboundMessage.dedupe_key).where(InboundMessage.id == inbound_id)
        ).first()
        session.rollback()  # end the read: the lock below must come first in its transaction
        if key is None:
            return GONE
        _lock(session, inbound_id, key)
        entry = session.get(InboundMessage, inbound_id, populate_existing=True)
        now = utcnow()
        if entry is None or entry.status != InboundStatus.JOURNALED:
            session.rollback()
            return GONE
        if entry.claimed_by and entry.claimed_by != owner() and not owner_is_gone(
                entry.claimed_by, entry.claimed_at, now):
            session.rollback()
            return ELSEWHERE
        siblings = session.exec(
            select(InboundMessage.id, InboundMessage.status, InboundMessage.claimed_by,
                   InboundMessage.claimed_at)
            .where(InboundMessage.dedupe_key == entry.dedupe_key, InboundMessage.id != entry.id)
        ).all()
        for sibling_id, status, claimed_by, claimed_at in siblings:
            busy = (status == InboundStatus.JOURNALED and claimed_by
                    and not owner_is_gone(claimed_by, claimed_at, now))
            first = sibling_id < entry.id and status != InboundStatus.DUPLICATE
            if status == InboundStatus.PROCESSED or busy or first:
                entry.status, entry.processed_at = InboundStatus.DUPLICATE, now
                entry.reason = "same Message-ID as another message: not handled again"
                entry.claimed_by = entry.claimed_at = None
                session.add(entry)
                session.commit()
                return DUPLICATE
        entry.claimed_by, entry.claimed_at = owner(), now
        session.add(entry)
        session.commit()
        return CLAIMED
