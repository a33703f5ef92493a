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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from mailbot import claims, crashpoints, fingerprints, journal
from mailbot.claims import CLAIMED, DUPLICATE, claim_inbound
from mailbot.config import Config
from mailbot.db import session_scope
from mailbot.domain.models import (
    InboundMessage,
    InboundStatus,
    Offer,
    OfferStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    utcnow,
)
from mailbot.domain.partners import active_partners, sync_partners
from mailbot.handlers import HANDLERS, HandlerContext
from mailbot.logging_setup import safe_error
from mailbot.lookahead import MIN_PENDING, Lookups, ParseAhead
from mailbot.mime import structural_failure
from mailbot.outbox.compose import Composer
from mailbot.outbox.sender import Feed, SendReport, send_pending
from mailbot.outbox.sender_process import SenderProcess
from mailbot.parse import parse_email
from mailbot.reminders import remind_due
from mailbot.resources import use_rules_dir
from mailbot.routing import check_partners, load_routing
from mailbot.senders import check_sender
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
        self._feed: Feed | None = None  # set while a sender runs beside process_pending
        self._ahead: ParseAhead | None = None  # set while workers parse pending messages ahead
        self._lookups = Lookups(engine)
        self._partners: list[Partner] | None = None  # the active partners, during a cycle
        use_rules_dir(config.paths.rules_dir)
        templates = Path(config.paths.templates_dir) if config.paths.templates_dir else None
        self.composer = composer or Composer(
            from_address=config.smtp.from_address,
            from_name=config.smtp.from_name,
            templates_dir=templates,
            signature=_signature(config),
        )
        self._sync_reference_data()
        check_partners(load_routing(), config.partners)  # a bad rules/routing.toml stops here

    def _sync_reference_data(self, attempts: int = 5) -> None:
        """Partners from the config and the templates' anchors; another worker starting at the
        same moment may insert the same rows: then read again and retry."""
        anchors = self.composer.static_hashes()  # rendered once, reused by every queued email
        for attempt in range(attempts):
            try:
                with session_scope(self.engine) as session:
                    sync_partners(session, self.config.partners)
                    fingerprints.seed(session, anchors)
                return
            except IntegrityError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))

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
        batch: list = []
        size = 0
        for fetched in source.fetch_new(current, last_uid):
            batch.append(fetched)
            size += len(fetched.raw)
            if len(batch) >= _JOURNAL_BATCH or size >= _JOURNAL_BATCH_BYTES:
                count += len(journal.journal_batch(self.engine, batch))  # one transaction
                batch, size = [], 0
                if should_stop():
                    return count
        count += len(journal.journal_batch(self.engine, batch))
        return count

    # -- handle --------------------------------------------------------------------------
    def process_pending(self, should_stop: Callable[[], bool] = lambda: False) -> list[Outcome]:
        outcomes = []
        pending = journal.pending_ids(self.engine)
        own_ahead = self._ahead is None
        if own_ahead:
            self._ahead = self._parse_ahead(len(pending))
        with Session(self.engine, expire_on_commit=False) as session:
            self._partners = active_partners(session)  # read once per cycle (synced at start)
        try:
            for index, inbound_id in enumerate(pending):
                if self._ahead is not None:
                    self._ahead.schedule(pending[index:])
                crashpoints.pause("pending_read")
                outcomes.append(self.process_one(inbound_id))
                if self._feed is not None:
                    self._feed.queued()  # the sender beside us may have rows to send
                if should_stop():
                    break
        finally:
            self._partners = None
            if own_ahead and self._ahead is not None:
                self._ahead.close()
                self._ahead = None
        return outcomes

    def _own_addresses(self) -> list[str]:
        return [self.config.smtp.from_address, self.config.people.referent]

    def _parse_ahead(self, pending: int) -> ParseAhead | None:
        return ParseAhead.maybe(self.engine, self.limits, self._own_addresses(), pending)

    def _process_while_sending(self, should_stop: Callable[[], bool]
                               ) -> tuple[list[Outcome], SendReport | None]:
        """`process_pending` while a sender drains the outbox beside it (handling is CPU,
        sending waits on the server): in a thread, or for a backlog (enough pending messages and
        a second core) in a forked process, so that it neither waits for the handlers' GIL nor
        slows them. That sender stops once processing is over and nothing is due. Returns the
        outcomes and what that sender did."""
        pending = len(journal.pending_ids(self.engine))
        if not pending:
            return self.process_pending(should_stop), None
        max_attempts = self.config.smtp.max_attempts
        # Forks come before any thread exists (fork copies only this thread): the sender
        # process first, then the parse workers, then the sender thread.
        process = (SenderProcess(self.engine, self.transport, max_attempts)
                   if pending >= MIN_PENDING and SenderProcess.possible() else None)
        try:
            self._ahead = self._parse_ahead(pending)
        except BaseException:
            if process is not None:
                process.kill()
            raise
        box: dict = {}
        thread = None
        if process is not None:
            feed = process.feed
        else:
            feed = Feed()

            def send() -> None:
                try:
                    box["report"] = send_pending(self.engine, self.transport, feed=feed,
                                                 max_attempts=max_attempts)
                except BaseException as exc:  # re-raised below, in the cycle's thread
                    box["error"] = exc
                finally:
                    feed.finished()

            thread = threading.Thread(target=send, name="mailbot-sender", daemon=True)
            thread.start()
        self._feed = feed
        try:
            outcomes = self.process_pending(should_stop)
        finally:
            feed.close()
            if self._ahead is not None:
                self._ahead.close()
                self._ahead = None
            if thread is not None:
                thread.join()
            else:
                try:
                    box["report"] = process.join()
                except Exception as exc:  # re-raised below, like the thread's
                    box["error"] = exc
            self._feed = None
        if "error" in box:
            raise box["error"]
        return outcomes, box.get("report")

    def _crash_point(self, name: str) -> None:
        """`crashpoints.hit(name)`; when it is armed while a sender runs beside us, the sender
        is first held with every accepted email committed, so that a crash there is that
        point's alone (an email caught between the 250 and its commit is `during_send`'s)."""
        if self._feed is not None and crashpoints.armed(name):
            with self._feed.quiet():
                crashpoints.hit(name)
        else:
            crashpoints.hit(name)

    def process_one(self, inbound_id: int, *, as_company: bool = False) -> Outcome:
        """Claim, parse and handle one journaled message in one unit of work; quarantine on
        failure. A message claimed by another live worker is left to it."""
        claim = claim_inbound(self.engine, inbound_id)
        if claim != CLAIMED:
            if self._ahead is not None:
                self._ahead.discard(inbound_id)
            if claim == DUPLICATE:
                return Outcome(inbound_id, InboundStatus.DUPLICATE, reason="duplicate")
            log.info("message %s: %s, skipped", inbound_id, claim)
            return Outcome(inbound_id, claim)
        try:
            with self.engine.connect() as conn:
                raw, size = conn.execute(
                    select(InboundMessage.raw, InboundMessage.size)
                    .where(InboundMessage.id == inbound_id)
                ).one()
            if size > self.limits.max_message_bytes:
                return self._quarantine(
                    inbound_id,
                    f"message too large ({size} bytes > limits.max_message_bytes "
                    f"{self.limits.max_message_bytes}): not parsed",
                )
            parsed = self._ahead.result(inbound_id, self._lookups) if self._ahead else None
            if parsed is None:  # not parsed ahead, or the database changed since
                parsed = parse_email(raw, self.limits, own_addresses=self._own_addresses(),
                                     **self._lookups.callbacks())
            broken = structural_failure(parsed)  # too many parts, nesting too deep...
            if broken:
                return self._quarantine(inbound_id, broken)
            if parsed.get("internal_error"):
                return self._quarantine(inbound_id, f"parser: {parsed['internal_error']}")
            with session_scope(self.engine) as session:
                entry = session.get(InboundMessage, inbound_id,
                                    options=[defer(InboundMessage.raw)])  # read above
                if entry.status != InboundStatus.JOURNALED or entry.claimed_by != claims.owner():
                    return Outcome(inbound_id, "claimed elsewhere")
                partners = (self._partners if self._partners is not None
                            else active_partners(session))
                sender = check_sender(raw, self.config, partners)
                entry.kind = parsed.get("kind") or "unknown"
                entry.sender, entry.auth = sender.address, sender.auth
                ctx = HandlerContext(
                    session=session,
                    entry=entry,
                    parsed=parsed,
                    config=self.config,
                    composer=self.composer,
                    partners=partners,
                    sender=sender,
                    as_company=as_company,
                )
                refusal = _refusal(ctx)
                if refusal:
                    ctx.flag(refusal)
                else:
                    HANDLERS.get(entry.kind, HANDLERS["unknown"])(ctx)
                entry.status = InboundStatus.PROCESSED
                entry.processed_at = utcnow()
                entry.attempts += 1
                entry.claimed_by = entry.claimed_at = None
                session.add(entry)
                outcome = Outcome(inbound_id, entry.status, entry.kind, entry.reason)
        except Exception as exc:  # one bad message must never stop the others
            log.error("message %s quarantined: %s", inbound_id, type(exc).__name__)
            log.debug("message %s: handler failure", inbound_id, exc_info=True)
            return self._quarantine(inbound_id, f"{type(exc).__name__}: {_short(exc)}")
        self._crash_point("after_handler_commit")
        log.info("message %s: %s (%s)", inbound_id, outcome.kind, outcome.status)
        return outcome

    def _quarantine(self, inbound_id: int, reason: str) -> Outcome:
        with session_scope(self.engine) as session:
            entry = session.get(InboundMessage, inbound_id)
            entry.status, entry.reason, entry.flagged = InboundStatus.QUARANTINED, reason[:2000], True
            entry.attempts += 1
            entry.processed_at = utcnow()
            entry.claimed_by = entry.claimed_at = None
            session.add(entry)
        return Outcome(inbound_id, InboundStatus.QUARANTINED, reason=reason)

    def reprocess(self, inbound_id: int, *, as_company: bool = False) -> Outcome:
        """Replay a quarantined (or flagged, never handled) message: only its journal status is
        reset. `as_company`: the référent says a partner's form is a company's need (a SIAE or a
        GEIQ also hires), so it is acknowledged and broadcast."""
        with session_scope(self.engine) as session:
            entry = session.get(InboundMessage, inbound_id)
            if entry is None:
                raise LookupError(f"no journaled message {inbound_id}")
            replayable = entry.status == InboundStatus.QUARANTINED or (
                as_company and entry.status == InboundStatus.PROCESSED
                and entry.kind == "liaison_form" and _held_as_partner_form(session, entry)
            )
            if entry.status == InboundStatus.PROCESSED and not replayable:
                raise ValueError(f"message {inbound_id} was handled already; not replayed twice")
            if entry.status == InboundStatus.DUPLICATE:
                raise ValueError(f"message {inbound_id} is a duplicate of an earlier message")
            entry.status, entry.reason, entry.flagged = InboundStatus.JOURNALED, None, False
            session.add(entry)
        return self.process_one(inbound_id, as_company=as_company)

    def release_offer(self, ref: str) -> dict:
        """Release an offer held by a flood limit: its held emails (the company's
        acknowledgement) become pending, and it is settled like a new one: incomplete, else
        broadcast now (`auto`) or received (`review`). Returns {"ref", "released"}."""
        from mailbot.domain.lifecycle import settle_offer
        from mailbot.domain.services import Actor
        from mailbot.domain.states import ActorKind, Channel

        with session_scope(self.engine) as session:
            offer = session.exec(select(Offer).where(Offer.ref == ref.strip().upper())).first()
            if offer is None:
                raise LookupError(f"no offer {ref}")
            if offer.status != OfferStatus.HELD:
                raise ValueError(f"offer {offer.ref} is {offer.status}, not held")
            offer.status = OfferStatus.INCOMPLETE
            actor = Actor(ActorKind.REFERENT, Channel.CLI, self.config.people.referent)
            rows = session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.status == OutboxStatus.HELD,
                    (OutboxMessage.offer_id == offer.id)
                    | ((OutboxMessage.inbound_id == offer.inbound_id)
                       & OutboxMessage.offer_id.is_(None)),
                )
            ).all()
            for row in rows:
                row.status, row.next_attempt_at = OutboxStatus.PENDING, utcnow()
                session.add(row)
            queued = settle_offer(session, self.composer, self.config, offer,
                                  active_partners(session), actor=actor)
            broadcasts = session.exec(select(OutboxMessage.id).where(
                OutboxMessage.offer_id == offer.id, OutboxMessage.role == "partner/broadcast",
                OutboxMessage.status == OutboxStatus.PENDING)).all() if queued == "open" else []
            return {"ref": offer.ref, "released": len(rows) + len(broadcasts), "status": queued}

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
        groups: dict[tuple[int, str], dict[int, int]] = {}  # (uidvalidity, folder) → uid → id
        for inbound_id, uidvalidity, uid, status in rows:
            folder = quarantine if status == InboundStatus.QUARANTINED else processed
            groups.setdefault((uidvalidity, folder), {})[uid] = inbound_id
        moved = 0
        for (uidvalidity, folder), by_uid in groups.items():
            uids = sorted(by_uid)
            for start in range(0, len(uids), _FILE_BATCH):
                batch = uids[start : start + _FILE_BATCH]
                done = set(_move_many(source, uidvalidity, batch, folder))
                outcome = {folder: [by_uid[u] for u in batch if u in done],
                           "(gone)": [by_uid[u] for u in batch if u not in done]}
                with session_scope(self.engine) as session:  # one commit per UID MOVE
                    for moved_to, ids in outcome.items():
                        if ids:
                            session.execute(update(InboundMessage)
                                            .where(InboundMessage.id.in_(ids))
                                            .values(moved_to=moved_to))
                moved += len(done)
                for _ in batch:
                    crashpoints.hit("after_move")
        return moved

    def run_once(self, source: Source | None,
                 should_stop: Callable[[], bool] = lambda: False) -> CycleReport:
        """Fetch, process, send, file: one full cycle."""
        report = CycleReport()
        clock = [time.perf_counter()]
        if source is not None:
            report.journaled = self.journal_new(source, should_stop)
        clock.append(time.perf_counter())
        report.outcomes, early = self._process_while_sending(should_stop)
        clock.append(time.perf_counter())
        remind_due(self.engine, self.composer, self.config)  # blank forms not returned (logs errors)
        report.sent = _merged(early, self.send())  # what is still due: every email goes out
        clock.append(time.perf_counter())
        if source is not None:
            report.moved = self.file_on_server(source)
        clock.append(time.perf_counter())
        if report.journaled or report.outcomes or report.sent.sent or report.moved:
            phases = [b - a for a, b in zip(clock, clock[1:], strict=False)]
            log.info("cycle: journal %.2f s, handle (sending meanwhile) %.2f s, send the rest "
                     "%.2f s, file %.2f s", *phases)
        return report


_FILE_BATCH = 500  # messages filed per UID MOVE and per commit
_JOURNAL_BATCH = 25  # fetched messages journaled (with the UID mark) per transaction
_JOURNAL_BATCH_BYTES = 25 * 1024 * 1024


def _merged(first: SendReport | None, second: SendReport) -> SendReport:
    """Two send reports as one."""
    if first is None:
        return second
    return SendReport(
        sent=first.sent + second.sent,
        failed=first.failed + second.failed,
        deferred=first.deferred + second.deferred,
        reconnections=first.reconnections + second.reconnections,
        errors=first.errors + second.errors,
    )


def _move_many(source: Source, uidvalidity: int, uids: list[int], folder: str) -> list[int]:
    """Move `uids` in one command when the source can (IMAP `UID MOVE 1,5,7:9`), else one by
    one; return the UIDs moved."""
    move_many = getattr(source, "move_many", None)
    if move_many is not None:
        return list(move_many(uidvalidity, uids, folder))
    return [uid for uid in uids if source.move(uidvalidity, uid, folder)]


_STATE_CHANGING = ("liaison_form", "partner_referral")


def _refusal(ctx: HandlerContext) -> str | None:
    """Why this message must change nothing and get no answer (flagged with it), if so."""
    if ctx.parsed.get("auto"):
        return None  # automated mail changes nothing and is never answered anyway
    sender = ctx.sender
    if sender.problem:
        return f"sender: {sender.problem}"
    if ctx.entry.kind == "market_list":
        return None  # its handler applies it for the authenticated facilitateur, else keeps it pending
    kind = ctx.entry.kind
    if kind == "referent_command":
        return None  # its handler obeys only the authenticated référent and tells her why not
    if not sender.trusted and (kind in _STATE_CHANGING or sender.role != "other"):
        return f"sender not trusted: {sender.distrust_reason}"
    if kind == "liaison_form" and sender.role == "partner" and not ctx.as_company:
        return ("liaison form from a partner's address: neither acknowledged nor broadcast "
                f"(if it is a company's need: mailbot reprocess {ctx.entry.id} --as-company)")
    return None


def _held_as_partner_form(session: Session, entry: InboundMessage) -> bool:
    """A partner's form that was only flagged (no offer was made from it)."""
    made = session.exec(select(Offer.id).where(Offer.inbound_id == entry.id)).first()
    return made is None and "--as-company" in (entry.reason or "")


def _short(exc: BaseException) -> str:
    """An exception's message without what a database error adds (SQL, parameters)."""
    return safe_error(exc).partition(": ")[2] or type(exc).__name__


def _signature(config: Config) -> dict:
    people = config.people
    return {
        "name": people.referent_name or config.smtp.from_name,
        "title": people.referent_title,
        "organisation": people.organisation,
        "phone": people.referent_phone,
        "email": config.smtp.from_address,
    }
