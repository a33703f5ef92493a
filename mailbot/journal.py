"""The journal: raw messages stored, with the UID mark advanced, before anything is parsed."""

from __future__ import annotations

import hashlib
import re
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mailbot import crashpoints
from mailbot.db import session_scope
from mailbot.domain.models import InboundMessage, InboundStatus, UidMark
from mailbot.sources.base import FetchedMessage

__all__ = ["dedupe_key", "journal_fetched", "journal_raw", "mark_for", "pending_ids"]

_MSGID = re.compile(r"<[^<>\s]+>")


def _headers(raw: bytes):
    return BytesHeaderParser(policy=default_policy).parsebytes(raw[:256 * 1024])


def dedupe_key(raw: bytes) -> str:
    """The Message-ID (angle brackets kept), else 'sha256:<hex>' of the raw bytes."""
    try:
        value = _headers(raw).get("Message-ID")
    except Exception:  # a mangled header is not a reason to lose the message
        value = None
    match = _MSGID.search(str(value or ""))
    if match:
        return match.group(0)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _summary(raw: bytes) -> tuple[str | None, str | None]:
    try:
        headers = _headers(raw)
        sender = str(headers.get("From") or "")[:300] or None
        subject = str(headers.get("Subject") or "")[:300] or None
    except Exception:
        return None, None
    return sender, subject


def _new_row(mailbox: str, uidvalidity: int | None, uid: int | None, raw: bytes) -> InboundMessage:
    sender, subject = _summary(raw)
    return InboundMessage(
        mailbox=mailbox,
        uidvalidity=uidvalidity,
        uid=uid,
        dedupe_key=dedupe_key(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        size=len(raw),
        from_address=sender,
        subject=subject,
    )


def mark_for(session: Session, mailbox: str) -> UidMark | None:
    """The UID mark of a source folder, if any."""
    return session.get(UidMark, mailbox)


def journal_fetched(engine: Engine, message: FetchedMessage) -> int | None:
    """Store one fetched message and advance its folder's UID mark in ONE transaction.

    Returns the new journal id, or None when (mailbox, UIDVALIDITY, UID) is already journaled.
    """
    with session_scope(engine) as session:
        mark = session.get(UidMark, message.mailbox)
        if mark is None:
            mark = UidMark(mailbox=message.mailbox, uidvalidity=message.uidvalidity, last_uid=0)
        if mark.uidvalidity != message.uidvalidity:
            mark.uidvalidity, mark.last_uid = message.uidvalidity, 0
        mark.last_uid = max(mark.last_uid, message.uid)
        session.add(mark)
        existing = session.exec(
            select(InboundMessage.id).where(
                InboundMessage.mailbox == message.mailbox,
                InboundMessage.uidvalidity == message.uidvalidity,
                InboundMessage.uid == message.uid,
            )
        ).first()
        if existing is not None:
            return None
        row = _new_row(message.mailbox, message.uidvalidity, message.uid, message.raw)
        session.add(row)
        session.flush()
        new_id = row.id
    crashpoints.hit("after_journal")
    return new_id


def journal_raw(engine: Engine, mailbox: str, raw: bytes) -> int | None:
    """Store a message that has no UID (file given to `mailbot ingest`); None if already there.

    Files are deduplicated on their exact bytes (sha256) within `mailbox`.
    """
    digest = hashlib.sha256(raw).hexdigest()
    with session_scope(engine) as session:
        seen = session.exec(
            select(InboundMessage.id).where(
                InboundMessage.mailbox == mailbox, InboundMessage.sha256 == digest
            )
        ).first()
        if seen is not None:
            return None
        row = _new_row(mailbox, None, None, raw)
        session.add(row)
        session.flush()
        new_id = row.id
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
