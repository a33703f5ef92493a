"""Who is working on a row right now: claims for journaled messages and outbox emails.

A worker (daemon, `ingest`, `reprocess`, a sender) claims a row with a compare-and-set UPDATE
before touching it, so two workers on one database never handle the same row twice, on
PostgreSQL and SQLite alike. A claim names its owner (`host:pid:token`); it can be taken over when
its owner is a dead process on this host, or when it is older than the lease.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

__all__ = ["LEASE", "owner", "owner_is_gone"]

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
