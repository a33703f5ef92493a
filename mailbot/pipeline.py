"""The story of a message, one way: source → journal → classify/parse → handler → outbox → sender.

Each step owns its table or side effect and commits on its own, so a crash anywhere loses nothing:
- `journal_new`: raw bytes + UID mark in one transaction, before any parsing;
- `process_pending`: per message, parse outside any transaction, then ONE unit of work writes the
  domain rows, the outbox rows and the journal status (or, on failure, a quarantine with its reason);
- `send`: drains the outbox over SMTP (or into files for the demo);
- `file_on_server`: moves each handled message to the processed or quarantine folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mailbot import crashpoints, journal
from mailbot.config import Config
from mailbot.db import session_scope
from mailbot.domain.models import InboundMessage, InboundStatus, Offer, OutboxMessage, utcnow
from mailbot.domain.partners import active_partners, sync_partners
from mailbot.handlers import HANDLERS, HandlerContext
from mailbot.mime import structural_failure
from mailbot.outbox.compose import Composer
from mailbot.outbox.sender import SendReport, send_pending
from mailbot.parse import parse_email
from mailbot.resources import use_rules_dir
from mailbot.sources.base import Source

__all__ = ["CycleReport", "Outcome", "Pipeline"]

log = logging.getLogger("mailbot.pipeline")


@dataclass
class Outcome:
    """What became of one journaled message."""

    inbound_id: int
    status: str
    kind: str | None = None
    reason: str | None = None


@dataclass
class CycleReport:
    journaled: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    moved: int = 0
    sent: SendReport | None = None


class Pipeline:
    """Wires config, database, composer and transport; each method is one step of the story."""

    def __init__(self, config: Config, engine: Engine, transport, composer: Composer | None = None):
        self.config = config
        self.engine = engine
        self.transport = transport
        self.limits = config.limits.to_limits()
        use_rules_dir(config.paths.rules_dir)
        templates = Path(config.paths.templates_dir) if config.paths.templates_dir else None
        self.composer = composer or Composer(
            from_address=config.smtp.from_address,
            from_name=config.smtp.from_name,
            templates_dir=templates,
            signature=_signature(config),
        )
        with session_scope(engine) as session:
            sync_partners(session, config.partners)

    # -- journal -------------------------------------------------------------------------
    def journal_new(self, source: Source, should_stop: Callable[[], bool] = lambda: False) -> int:
        """Journal every new message of `source`; return how many were new."""
        with Session(self.engine) as session:
            mark = journal.mark_for(session, source.mailbox)
            known_validity, last_uid = (mark.uidvalidity, mark.last_uid) if mark else (None, 0)
        current = source.uidvalidity()
        if known_validity is not None and known_validity != current:
            log.warning("%s: UIDVALIDITY changed (%s → %s): rescanning", source.mailbox,
                        known_validity, current)
            last_uid = 0
        count = 0
        for fetched in source.fetch_new(current, last_uid):
            if journal.journal_fetched(self.engine, fetched) is not None:
                count += 1
            if should_stop():
                break
        return count

    # -- handle --------------------------------------------------------------------------
    def process_pending(self, should_stop: Callable[[], bool] = lambda: False) -> list[Outcome]:
        outcomes = []
        for inbound_id in journal.pending_ids(self.engine):
            outcomes.append(self.process_one(inbound_id))
            if should_stop():
                break
        return outcomes

    def process_one(self, inbound_id: int) -> Outcome:
        """Parse and handle one journaled message in one unit of work; quarantine on failure."""
        try:
            with Session(self.engine) as session:
                entry = session.get(InboundMessage, inbound_id)
                if entry is None or entry.status != InboundStatus.JOURNALED:
                    return Outcome(inbound_id, entry.status if entry else "missing")
                if self._is_duplicate(session, entry):
                    return self._finish_duplicate(inbound_id)
                if entry.size > self.limits.max_message_bytes:
                    return self._quarantine(
                        inbound_id,
                        f"message too large ({entry.size} bytes > limits.max_message_bytes "
                        f"{self.limits.max_message_bytes}): not parsed",
                    )
                parsed = parse_email(
                    entry.raw,
                    self.limits,
                    find_offer_by_message_id=lambda ids: _offer_for_message_ids(session, ids),
                    own_addresses=[self.config.smtp.from_address, self.config.people.referent],
                )
            broken = structural_failure(parsed)  # too many parts, nesting too deep...
            if broken:
                return self._quarantine(inbound_id, broken)
            if parsed.get("internal_error"):
                return self._quarantine(inbound_id, f"parser: {parsed['internal_error']}")
            with session_scope(self.engine) as session:
                entry = session.get(InboundMessage, inbound_id)
                entry.kind = parsed.get("kind") or "unknown"
                handler = HANDLERS.get(entry.kind, HANDLERS["unknown"])
                ctx = HandlerContext(
                    session=session,
                    entry=entry,
                    parsed=parsed,
                    config=self.config,
                    composer=self.composer,
                    partners=active_partners(session),
                )
                handler(ctx)
                entry.status = InboundStatus.PROCESSED
                entry.processed_at = utcnow()
                entry.attempts += 1
                session.add(entry)
                outcome = Outcome(inbound_id, entry.status, entry.kind, entry.reason)
        except Exception as exc:  # one bad message must never stop the others
            log.exception("message %s quarantined", inbound_id)
            return self._quarantine(inbound_id, f"{type(exc).__name__}: {exc}")
        crashpoints.hit("after_handler_commit")
        log.info("message %s: %s (%s)", inbound_id, outcome.kind, outcome.status)
        return outcome

    def _is_duplicate(self, session: Session, entry: InboundMessage) -> bool:
        earlier = session.exec(
            select(InboundMessage.id).where(
                InboundMessage.dedupe_key == entry.dedupe_key,
                InboundMessage.id < entry.id,
                InboundMessage.status != InboundStatus.DUPLICATE,
            )
        ).first()
        return earlier is not None

    def _finish_duplicate(self, inbound_id: int) -> Outcome:
        with session_scope(self.engine) as session:
            entry = session.get(InboundMessage, inbound_id)
            entry.status, entry.processed_at = InboundStatus.DUPLICATE, utcnow()
            entry.reason = "same Message-ID as an earlier message: not handled again"
            session.add(entry)
        return Outcome(inbound_id, InboundStatus.DUPLICATE, reason="duplicate")

    def _quarantine(self, inbound_id: int, reason: str) -> Outcome:
        with session_scope(self.engine) as session:
            entry = session.get(InboundMessage, inbound_id)
            entry.status, entry.reason, entry.flagged = InboundStatus.QUARANTINED, reason[:2000], True
            entry.attempts += 1
            entry.processed_at = utcnow()
            session.add(entry)
        return Outcome(inbound_id, InboundStatus.QUARANTINED, reason=reason)

    def reprocess(self, inbound_id: int) -> Outcome:
        """Replay a quarantined (or any) message: only its journal status is reset."""
        with session_scope(self.engine) as session:
            entry = session.get(InboundMessage, inbound_id)
            if entry is None:
                raise LookupError(f"no journaled message {inbound_id}")
            if entry.status == InboundStatus.PROCESSED:
                raise ValueError(f"message {inbound_id} was handled already; not replayed twice")
            entry.status, entry.reason, entry.flagged = InboundStatus.JOURNALED, None, False
            session.add(entry)
        return self.process_one(inbound_id)

    # -- side effects --------------------------------------------------------------------
    def send(self) -> SendReport:
        return send_pending(self.engine, self.transport, max_attempts=self.config.smtp.max_attempts)

    def file_on_server(self, source: Source) -> int:
        """Move every handled message of this source to its folder; return how many moved."""
        imap = self.config.imap
        processed = imap.processed_folder if imap else "Traites"
        quarantine = imap.quarantine_folder if imap else "Quarantaine"
        with Session(self.engine) as session:
            rows = session.exec(
                select(InboundMessage.id, InboundMessage.uidvalidity, InboundMessage.uid,
                       InboundMessage.status)
                .where(
                    InboundMessage.mailbox == source.mailbox,
                    InboundMessage.moved_to.is_(None),
                    InboundMessage.status != InboundStatus.JOURNALED,
                    InboundMessage.uid.is_not(None),
                )
                .order_by(InboundMessage.id)
            ).all()
        moved = 0
        for inbound_id, uidvalidity, uid, status in rows:
            folder = quarantine if status == InboundStatus.QUARANTINED else processed
            done = source.move(uidvalidity, uid, folder)
            with session_scope(self.engine) as session:
                entry = session.get(InboundMessage, inbound_id)
                entry.moved_to = folder if done else "(gone)"
                session.add(entry)
            moved += int(done)
            crashpoints.hit("after_move")
        return moved

    def run_once(self, source: Source | None,
                 should_stop: Callable[[], bool] = lambda: False) -> CycleReport:
        """Fetch, process, send, file: one full cycle."""
        report = CycleReport()
        if source is not None:
            report.journaled = self.journal_new(source, should_stop)
        report.outcomes = self.process_pending(should_stop)
        report.sent = self.send()
        if source is not None:
            report.moved = self.file_on_server(source)
        return report


def _offer_for_message_ids(session: Session, message_ids: list[str]) -> str | None:
    """The offer reference of the broadcast one of these Message-IDs names, if any."""
    ids = [m.strip() for m in message_ids if m and m.strip()]
    if not ids:
        return None
    row = session.exec(
        select(Offer.ref)
        .join(OutboxMessage, OutboxMessage.offer_id == Offer.id)
        .where(OutboxMessage.message_id.in_(ids), OutboxMessage.role == "partner/broadcast")
    ).first()
    return row


def _signature(config: Config) -> dict:
    people = config.people
    return {
        "name": people.referent_name or config.smtp.from_name,
        "title": "Référent clauses sociales",
        "organisation": people.organisation,
        "phone": people.referent_phone,
        "email": config.smtp.from_address,
    }
