"""Parse the next pending messages in worker processes while the current one is handled.

Parsing is CPU work and pure given what it asks the database (`Lookups`: offers named by
Message-IDs, fingerprints of mailbot's own text, our Message-IDs, senders of earlier offers). A
worker process (forked, its own engine) reads a journaled message and parses it, recording every
question and answer. Before the message is handled, in its turn and after its claim, the cycle
asks the same questions again: if an answer changed meanwhile (an earlier message's handler
committed an offer, say), the message is parsed again there, so the result is exactly what
parsing in turn would give. Nothing is written by a worker; claims, handling and crash points
stay in the cycle's process. Workers die with their parent (PR_SET_PDEATHSIG, and a watchdog).
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mailbot import fingerprints
from mailbot.domain.models import InboundMessage, Offer, OutboxMessage

__all__ = ["Lookups", "ParseAhead", "frozen_heap"]

log = logging.getLogger("mailbot.lookahead")

MIN_PENDING = 8  # fewer pending messages are parsed in turn (no worker is started)


class Lookups:
    """What `parse_email` asks the database (its callbacks), on one engine."""

    NAMES = ("find_offer_by_message_id", "known_fingerprints", "is_our_message_id",
             "is_known_sender")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def callbacks(self) -> dict[str, Callable]:
        return {name: getattr(self, name) for name in self.NAMES}

    def find_offer_by_message_id(self, ids: list[str]) -> str | None:
        """The offer reference of the broadcast one of these Message-IDs names, if any."""
        ids = [m.strip() for m in ids if m and m.strip()]
        if not ids:
            return None
        with Session(self.engine) as session:
            return session.exec(
                select(Offer.ref)
                .join(OutboxMessage, OutboxMessage.offer_id == Offer.id)
                .where(OutboxMessage.message_id.in_(ids),
                       OutboxMessage.role == "partner/broadcast")
            ).first()

    def known_fingerprints(self, hashes: set[int]) -> dict[int, bool]:
        with Session(self.engine) as session:
            return fingerprints.lookup_known(session)(hashes)

    def is_our_message_id(self, ids: list[str]) -> bool:
        ids = [i.strip() for i in ids if i and i.strip()][:50]
        if not ids:
            return False
        with Session(self.engine) as session:
            found = session.exec(
                select(OutboxMessage.id).where(OutboxMessage.message_id.in_(ids)).limit(1)
            ).first()
        return found is not None

    def is_known_sender(self, address: str) -> bool:
        """An offer was made from a message this address sent."""
        address = (address or "").strip().lower()
        if not address:
            return False
        with Session(self.engine) as session:
            found = session.exec(
                select(Offer.id)
                .join(InboundMessage, Offer.inbound_id == InboundMessage.id)
                .where(InboundMessage.sender == address)
                .limit(1)
            ).first()
        return found is not None


Calls = list[tuple[str, Any, Any]]  # (question, argument, answer)


def _recording(lookups: Lookups, calls: Calls) -> dict[str, Callable]:
    def wrap(name: str) -> Callable:
        ask = getattr(lookups, name)

        def call(argument):
            kept = copy.copy(argument)  # the caller may change its list or set afterwards
            answer = ask(argument)
            calls.append((name, kept, copy.copy(answer)))
            return answer

        return call

    return {name: wrap(name) for name in Lookups.NAMES}


# -- worker process ----------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _worker_init(url: str, limits: Any, own_addresses: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.enable()  # forked inside frozen_heap(): collect what this worker makes
    _die_with_parent()
    from mailbot.db import make_engine

    _WORKER.update(engine=make_engine(url), limits=limits, own=own_addresses)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Fork inside this block: the parent's objects are moved out of the garbage collector's
    sight first (gc.freeze), so a child's collections never write to those shared pages and
    the memory stays shared (copy-on-write) instead of being copied into every child. The
    collector is off during the fork: a child turns it on again (`gc.enable()`) first."""
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _die_with_parent() -> None:
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the watchdog alone
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="mailbot-parent-watch", daemon=True).start()


def _parse_in_worker(inbound_id: int) -> tuple[dict | None, Calls]:
    """(parsed, questions asked) for a journaled message; (None, []) when it is not to be
    parsed here (gone, or over the size limit: the cycle says why)."""
    from mailbot.parse import parse_email

    engine, limits = _WORKER["engine"], _WORKER["limits"]
    with Session(engine) as session:
        row = session.exec(
            select(InboundMessage.raw, InboundMessage.size).where(InboundMessage.id == inbound_id)
        ).first()
    if row is None or row[1] > limits.max_message_bytes:
        return None, []
    calls: Calls = []
    parsed = parse_email(row[0], limits, own_addresses=_WORKER["own"],
                         **_recording(Lookups(engine), calls))
    return parsed, calls


# -- the cycle's side --------------------------------------------------------------------
class ParseAhead:
    """Keeps `window` pending messages parsing in worker processes ahead of the handler."""

    def __init__(self, engine: Engine, limits: Any, own_addresses: list[str], workers: int,
                 window: int) -> None:
        url = engine.url.render_as_string(hide_password=False)
        self.window = window
        self._futures: dict[int, Future] = {}
        self._broken = False
        self.reused = self.reparsed = 0
        self.waited = 0.0  # seconds the cycle waited for a worker's parse
        # fork: no re-import; done before the cycle starts any thread (see Pipeline)
        self._executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_init, initargs=(url, limits, list(own_addresses)))
        with frozen_heap():
            self._executor.submit(int, 0).result()  # start (fork) the workers now

    @classmethod
    def maybe(cls, engine: Engine, limits: Any, own_addresses: list[str],
              pending: int) -> ParseAhead | None:
        """A ParseAhead when it pays: enough pending messages and a spare core."""
        cores = os.cpu_count() or 1
        if pending < MIN_PENDING or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        workers = max(1, min(cores - 1, 4))
        try:
            return cls(engine, limits, own_addresses, workers, window=2 * workers + 2)
        except Exception as exc:  # no workers: parse in turn, as always
            log.warning("parsing ahead unavailable (%s); parsing in turn", type(exc).__name__)
            return None

    def schedule(self, upcoming: list[int]) -> None:
        """Have the first `window` of these ids (the next to be handled) parsing."""
        if self._broken:
            return
        for inbound_id in upcoming[: self.window]:
            if inbound_id not in self._futures:
                try:
                    self._futures[inbound_id] = self._executor.submit(_parse_in_worker,
                                                                      inbound_id)
                except Exception:  # a broken pool: parse in turn from now on
                    self._broken = True
                    return

    def result(self, inbound_id: int, lookups: Lookups) -> dict | None:
        """The parse done ahead if every answer the worker got is still the answer now; None
        when there is none or an answer changed (parse in turn)."""
        future = self._futures.pop(inbound_id, None)
        if future is None:
            return None
        started = time.perf_counter()
        try:
            parsed, calls = future.result()
        except Exception as exc:  # a worker died (memory?): parse in turn from now on
            log.warning("message %s: parsing ahead failed (%s); parsing in turn", inbound_id,
                        type(exc).__name__)
            self._broken = True
            return None
        finally:
            self.waited += time.perf_counter() - started
        if parsed is None:
            return None
        for name, argument, answer in calls:
            if getattr(lookups, name)(copy.copy(argument)) != answer:
                self.reparsed += 1
                log.debug("message %s: the database changed since it was parsed ahead; "
                          "parsing again", inbound_id)
                return None
        self.reused += 1
        return parsed

    def discard(self, inbound_id: int) -> None:
        """Drop a parse that will not be used (the message was claimed elsewhere...)."""
        future = self._futures.pop(inbound_id, None)
        if future is not None:
            future.cancel()

    def close(self) -> None:
        """Stop the workers; a parse still running (nobody will use it) is not waited for."""
        running = [f for f in self._futures.values() if not f.cancel() and not f.done()]
        self._futures.clear()
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=not running, cancel_futures=True)
        if running:
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=5)
        log.info("parsed ahead: %d used, %d parsed again, %.1f s waited for them", self.reused,
                 self.reparsed, self.waited)
