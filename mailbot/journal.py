"""The journal: raw messages stored, with the UID mark advanced, before anything is parsed.

A message that cannot be stored whole (a value the database refuses) is stored as raw bytes
with the reason and quarantined; the UID mark advances in the same transaction either way, so
one bad message never blocks the folder. Two workers journaling the same UID at once are
fine: the loser of the unique constraint sees "already journaled".
"""

from __future__ import annotations

import hashlib
import logging
import re
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, select

from mailbot import crashpoints
from mailbot.db import session_scope
from mailbot.domain.models import InboundMessage, InboundStatus, UidMark, utcnow
from mailbot.mime import header_text
from mailbot.sources.base import FetchedMessage
from mailbot.textclean import clean_text

__all__ = ["dedupe_key", "journal_batch", "journal_fetched", "journal_raw", "mark_for",
           "pending_ids"]

log = logging.getLogger("mailbot.journal")

_MSGID = re.compile(r"<[^<>\s]+>")


def _headers(raw: bytes) -> Message:
    try:
        return BytesHeaderParser(policy=compat32).parsebytes(raw[:256 * 1024])
    except Exception:  # a mangled header is not a reason to lose the message
        return Message()


def dedupe_key(raw: bytes, headers: Message | None = None) -> str:
    """The Message-ID (angle brackets kept, controls removed), else 'sha256:<hex>' of the raw
    bytes. `headers`: `raw`'s, when already parsed."""
    match = _MSGID.search(header_text(_headers(raw) if headers is None else headers,
                                      "Message-ID"))
    if match:
        return match.group(0)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _summary(headers: Message) -> tuple[str | None, str | None]:
    sender = header_text(headers, "From")[:300] or None
    subject = header_text(headers, "Subject")[:300] or None
    return sender, subject


def _new_row(mailbox: str, uidvalidity: int | None, uid: int | None, raw: bytes) -> InboundMessage:
    headers = _headers(raw)  # parsed once for the key and the summary
    sender, subject = _summary(headers)
    return InboundMessage(
        mailbox=mailbox,
        uidvalidity=uidvalidity,
        uid=uid,
        dedupe_key=dedupe_key(raw, headers),
        sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        size=len(raw),
        from_address=sender,
        subject=subject,
    )


def _raw_only_row(mailbox: str, uidvalidity: int | None, uid: int | None, raw: bytes,
                  exc: BaseException) -> dict:
    """The values of a row holding only the raw bytes, quarantined with why."""
    digest = hashlib.sha256(raw).hexdigest()
    now = utcnow()
    return {
        "mailbox": mailbox,
        "uidvalidity": uidvalidity,
        "uid": uid,
        "dedupe_key": "sha256:" + digest,
        "sha256": digest,
        "raw": raw,
        "size": len(raw),
        "received_at": now,
        "processed_at": now,
        "status": InboundStatus.QUARANTINED,
        "flagged": True,
        "attempts": 0,
        "reason": clean_text(f"could not be journaled whole ({_why(exc)}): stored as raw "
                             "bytes only"),
    }


def _why(exc: BaseException) -> str:
    """A short cause without any row value (no SQL parameters, no DETAIL line)."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [""])[0]
    first = first.split("[SQL:")[0].strip()[:160]
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


def _reraise_if_transient(exc: BaseException) -> None:
    """A lost connection or a lock timeout says nothing about the message: the cycle fails
    and the message is journaled whole on the next try."""
    if isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        raise exc


def mark_for(session: Session, mailbox: str) -> UidMark | None:
    """The UID mark of a source folder, if any."""
    return session.get(UidMark, mailbox)


def _advance_mark(session: Session, mailbox: str, uidvalidity: int, uid: int) -> None:
    """Raise the folder's mark to `uid` atomically: created if missing (a concurrent creation
    is fine), reset on a new UIDVALIDITY, never lowered (last_uid = max(last_uid, uid))."""
    connection = session.connection()
    values = {"mailbox": mailbox, "uidvalidity": uidvalidity, "last_uid": 0,
              "updated_at": utcnow()}
    dialect = connection.dialect.name
    if dialect in ("postgresql", "sqlite"):
        maker = pg_insert if dialect == "postgresql" else sqlite_insert
        connection.execute(maker(UidMark).values(**values).on_conflict_do_nothing(
            index_elements=["mailbox"]))
    elif session.get(UidMark, mailbox) is None:  # pragma: no cover - other backends
        connection.execute(insert(UidMark).values(**values))
    now = utcnow()
    connection.execute(
        update(UidMark)
        .where(UidMark.mailbox == mailbox, UidMark.uidvalidity != uidvalidity)
        .values(uidvalidity=uidvalidity, last_uid=uid, updated_at=now)
    )
    connection.execute(
        update(UidMark)
        .where(UidMark.mailbox == mailbox, UidMark.uidvalidity == uidvalidity,
               UidMark.last_uid < uid)
        .values(last_uid=uid, updated_at=now)
    )


def _uid_taken(engine: Engine, message: FetchedMessage) -> bool:
    with Session(engine) as session:
        return session.exec(
            select(InboundMessage.id).where(
                InboundMessage.mailbox == message.mailbox,
                InboundMessage.uidvalidity == message.uidvalidity,
                InboundMessage.uid == message.uid,
            )
        ).first() is not None


def journal_fetched(engine: Engine, message: FetchedMessage) -> int | None:
    """Store one fetched message and advance its folder's UID mark in ONE transaction.

    Returns the new journal id, or None when (mailbox, UIDVALIDITY, UID) is already journaled
    (by us earlier, or by another worker right now). A message the database refuses whole is
    stored as raw bytes and quarantined with the reason.
    """
    if _uid_taken(engine, message):
        with session_scope(engine) as session:
            _advance_mark(session, message.mailbox, message.uidvalidity, message.uid)
        return None
    try:
        with session_scope(engine) as session:
            _advance_mark(session, message.mailbox, message.uidvalidity, message.uid)
            row = _new_row(message.mailbox, message.uidvalidity, message.uid, message.raw)
            session.add(row)
            session.flush()
            new_id = row.id
    except Exception as exc:  # the transaction was rolled back by session_scope
        _reraise_if_transient(exc)
        if _uid_taken(engine, message):
            return None  # another worker journaled this UID at the same moment
        new_id = _journal_raw_only(engine, message.mailbox, message.uidvalidity, message.uid,
                                   message.raw, exc)
        if new_id is None:
            return None
    crashpoints.hit("after_journal")
    return new_id


def journal_batch(engine: Engine, messages: list[FetchedMessage]) -> list[int]:
    """Store fetched messages of one folder and advance its UID mark past them in ONE
    transaction; return the new journal ids (UIDs already journaled are skipped).

    When that transaction fails (a value the database refuses, another worker journaling the same
    UIDs at this moment) it is rolled back and each message goes through `journal_fetched`, which
    stores a refused message as raw bytes, quarantined.
    """
    if not messages:
        return []
    if len({(m.mailbox, m.uidvalidity) for m in messages}) > 1:
        return [i for i in (journal_fetched(engine, m) for m in messages) if i is not None]
    first = messages[0]
    with Session(engine) as session:
        taken = set(session.exec(
            select(InboundMessage.uid).where(
                InboundMessage.mailbox == first.mailbox,
                InboundMessage.uidvalidity == first.uidvalidity,
                InboundMessage.uid.in_([m.uid for m in messages]),
            )
        ))
    try:
        with session_scope(engine) as session:
            _advance_mark(session, first.mailbox, first.uidvalidity, max(m.uid for m in messages))
            rows = [_new_row(m.mailbox, m.uidvalidity, m.uid, m.raw)
                    for m in messages if m.uid not in taken]
            session.add_all(rows)
            session.flush()
            new_ids = [row.id for row in rows]
    except Exception as exc:  # rolled back: one by one, as a single message would be
        _reraise_if_transient(exc)
        return [i for i in (journal_fetched(engine, m) for m in messages) if i is not None]
    for _ in new_ids:
        crashpoints.hit("after_journal")
    return new_ids


def _journal_raw_only(engine: Engine, mailbox: str, uidvalidity: int | None, uid: int | None,
                      raw: bytes, exc: BaseException) -> int | None:
    """Store the raw bytes alone, quarantined, advancing the mark in the same transaction."""
    log.warning("message could not be journaled whole (%s): stored as raw bytes, quarantined",
                _why(exc))
    try:
        with session_scope(engine) as session:
            if uid is not None and uidvalidity is not None:
                _advance_mark(session, mailbox, uidvalidity, uid)
            result = session.connection().execute(
                insert(InboundMessage).values(**_raw_only_row(mailbox, uidvalidity, uid, raw, exc))
            )
            return int(result.inserted_primary_key[0])
    except IntegrityError:
        return None  # journaled by another worker meanwhile


def journal_raw(engine: Engine, mailbox: str, raw: bytes) -> int | None:
    """Store a message that has no UID (file given to `mailbot ingest`); None if already there.

    Files are deduplicated on their exact bytes (sha256) within `mailbox`.
    """
    digest = hashlib.sha256(raw).hexdigest()
    with Session(engine) as session:
        seen = session.exec(
            select(InboundMessage.id).where(
                InboundMessage.mailbox == mailbox, InboundMessage.sha256 == digest
            )
        ).first()
    if seen is not None:
        return None
    try:
        with session_scope(engine) as session:
            row = _new_row(mailbox, None, None, raw)
            session.add(row)
            session.flush()
            new_id = row.id
    except Exception as exc:
        _reraise_if_transient(exc)
        new_id = _journal_raw_only(engine, mailbox, None, None, raw, exc)
    crashpoints.hit("after_journal")
    return new_id


def pending_ids(engine: Engine) -> list[int]:
    """Journal ids still waiting to be handled, oldest first."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(InboundMessage.id)
                .where(InboundMessage.status == InboundStatus.JOURNALED)
                .order_by(InboundMessage.id)
            )
        )
