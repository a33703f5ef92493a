"""Send the due outbox rows through a transport: the only code that talks SMTP.

Exactly once, whatever runs beside us: a row is claimed with a compare-and-set UPDATE (`pending ->
sending`, `claimed_by` = this process, see `mailbot.claims`) before it is sent; only the sender
whose UPDATE matched the row sends it (PostgreSQL also skips rows another sender has locked). A row
left `sending` by a dead process is taken back. `held` rows are never sent.

Every row ends `sent` or `failed`; temporary trouble (4xx, connection refused or lost, timeout)
puts it back `pending` with exponential backoff (1 min, 2, 4, ... capped at 1 h) until
`max_attempts`, then `failed`. One run drains every due row, `batch_size` claimed at a time, over
one connection (reconnecting once a connection that delivered something is lost). Each row's new
status is committed right after its own send; the crash point `during_send` sits between the
server's 250 and that commit, so a crash there can only cause a resend of the same bytes (same
Message-ID), never a loss. Refusals, deferrals and reconnections are logged at WARNING with the
Message-ID and the server's answer, addresses reduced to their domain.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update

from mailbot import claims, crashpoints
from mailbot.domain.models import OutboxMessage, OutboxStatus, utcnow
from mailbot.errors import PermanentSendError, TemporarySendError

if TYPE_CHECKING:
    from mailbot.outbox.transports import Transport

__all__ = [
    "BACKOFF_CAP",
    "BACKOFF_FIRST",
    "Feed",
    "SendReport",
    "SmtpSettings",
    "backoff",
    "redact",
    "release_stale_claims",
    "send_pending",
    "send_pending_async",
]

log = logging.getLogger(__name__)

_IDLE_CLOSE = 10.0  # seconds without anything to send before a following sender disconnects

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)

_T = OutboxMessage.__table__  # Core statements: claims are single compare-and-set UPDATEs
_EMAIL = re.compile(r"[^\s<>@\"',;:()\[\]]+@([A-Za-z0-9.-]+)")


@dataclass
class SmtpSettings:
    """How to reach the SMTP server. security: "ssl" (implicit TLS), "starttls" or "none"."""

    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a repr
    timeout: float = 30.0
    tls_verify: bool = True
    ca_file: str | None = None

    @classmethod
    def from_config(cls, smtp: Any) -> SmtpSettings:
        """From `mailbot.config.SmtpConfig` (password resolved from password_env if set)."""
        return cls(
            host=smtp.host,
            port=smtp.port,
            security=smtp.security,
            username=smtp.username,
            password=smtp.resolved_password(),
            timeout=smtp.timeout,
            tls_verify=smtp.tls_verify,
            ca_file=smtp.ca_file,
        )


@dataclass
class SendReport:
    """What one run did. `errors` are one-line English messages for the log and the CLI
    (addresses reduced to their domain)."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    reconnections: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Claimed:
    """The fields of a claimed row the send needs (read once per batch)."""

    id: int
    message_id: str
    envelope_from: str
    recipients: list[str]
    raw: bytes
    attempts: int


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed tries: 1 min, 2, 4, ... at most 1 h."""
    exponent = max(attempts - 1, 0)
    if exponent > 20:
        return BACKOFF_CAP
    return min(BACKOFF_FIRST * (2**exponent), BACKOFF_CAP)


def redact(text: str) -> str:
    """`text` with every email address reduced to its domain (`*@domain`), for logs."""
    return _EMAIL.sub(r"*@\1", text)


def _aware_utc(moment: datetime | None) -> datetime:
    """`now` as the models store it: aware UTC (a naive value is taken as UTC)."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def release_stale_claims(engine: Any) -> int:
    """Put back to `pending` the rows left `sending` by a sender that is gone; return how many."""
    now = utcnow()
    released = 0
    with engine.connect() as conn:
        stale = conn.execute(
            select(_T.c.id, _T.c.claimed_by, _T.c.claimed_at).where(
                _T.c.status == OutboxStatus.SENDING)
        ).all()
    for row_id, claimed_by, claimed_at in stale:
        if not claims.owner_is_gone(claimed_by, claimed_at, now):
            continue
        with engine.begin() as conn:
            result = conn.execute(
                update(_T)
                .where(_T.c.id == row_id, _T.c.status == OutboxStatus.SENDING,
                       _T.c.claimed_by == claimed_by)
                .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None)
            )
        if result.rowcount == 1:
            released += 1
            log.warning("outbox row %s: its sender (%s) is gone; sending it again", row_id,
                        claimed_by)
    return released


def _claim(engine: Any, now: datetime, batch_size: int) -> list[_Claimed]:
    """Claim up to `batch_size` due pending rows for this process, oldest first.

    In one transaction: the due ids (PostgreSQL locks them, skipping rows another sender has
    locked), then UPDATE ... SET status='sending' WHERE id IN (those) AND status='pending'
    RETURNING id: a row another sender claimed meanwhile no longer matches and is not returned,
    on both backends. (Not one UPDATE with a LIMIT ... SKIP LOCKED subquery: PostgreSQL may run
    that subquery once per row and claim far more than `batch_size`.)
    """
    due = (
        select(_T.c.id)
        .where(_T.c.status == OutboxStatus.PENDING, _T.c.next_attempt_at <= now)
        .order_by(_T.c.next_attempt_at, _T.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    ids: list[int] = []
    while not ids:  # all taken by another sender meanwhile: look again
        with engine.begin() as conn:
            candidates = conn.execute(due).scalars().all()
            if not candidates:
                return []
            ids = list(conn.execute(
                update(_T)
                .where(_T.c.id.in_(candidates), _T.c.status == OutboxStatus.PENDING)
                .values(status=OutboxStatus.SENDING, claimed_by=claims.owner(),
                        claimed_at=utcnow())
                .returning(_T.c.id)
            ).scalars())
    with engine.connect() as conn:
        rows = conn.execute(
            select(_T.c.id, _T.c.message_id, _T.c.envelope_from, _T.c.recipients, _T.c.raw,
                   _T.c.attempts)
            .where(_T.c.id.in_(ids))
            .order_by(_T.c.next_attempt_at, _T.c.id)
        ).all()
    return [_Claimed(*row) for row in rows]


_FINISH: dict[tuple[str, ...], Any] = {}  # columns set → its UPDATE, built once


def _finish_statement(columns: tuple[str, ...]) -> Any:
    """The compare-and-set UPDATE that records an outcome, with bound parameters: built once
    per set of columns, as the sender runs it once per email."""
    statement = _FINISH.get(columns)
    if statement is None:
        statement = _FINISH[columns] = (
            update(_T)
            .where(_T.c.id == bindparam("row_id"), _T.c.status == OutboxStatus.SENDING,
                   _T.c.claimed_by == bindparam("owner"))
            .values(claimed_by=None, claimed_at=None,
                    **{name: bindparam(f"new_{name}") for name in columns})
        )
    return statement


def _finish(engine: Any, row: _Claimed, **values: Any) -> None:
    """Record the outcome of one claimed row and release the claim (one commit)."""
    statement = _finish_statement(tuple(sorted(values)))
    with engine.begin() as conn:
        result = conn.execute(statement, {"row_id": row.id, "owner": claims.owner(),
                                          **{f"new_{k}": v for k, v in values.items()}})
    if result.rowcount != 1:
        log.warning("outbox %s: its claim was taken over before its outcome was recorded",
                    row.message_id)


def _defer(engine: Any, row: _Claimed, error: str, now: datetime, max_attempts: int,
           report: SendReport) -> None:
    """Count a failed try: back to pending with backoff, or failed after `max_attempts`."""
    attempts = row.attempts + 1
    if attempts >= max_attempts:
        _finish(engine, row, status=OutboxStatus.FAILED, attempts=attempts,
                last_error=f"gave up after {attempts} attempts; last error: {error}")
        report.failed += 1
        log.warning("email %s given up after %d attempts: %s", row.message_id, attempts,
                    redact(error))
        return
    _finish(engine, row, status=OutboxStatus.PENDING, attempts=attempts, last_error=error,
            next_attempt_at=now + backoff(attempts))
    report.deferred += 1


class _Recorder:
    """Commits each sent row's outcome in one background thread, so the next email's SMTP
    exchange overlaps that commit. `settle()` waits for it: it runs before the next outcome is
    recorded (and before the crash point), so at most one accepted email is ever uncommitted."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mailbot-outbox")
        self._pending: asyncio.Future | None = None

    async def settle(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    def later(self, row: _Claimed, **values: Any) -> None:
        call = functools.partial(_finish, self.engine, row, **values)
        self._pending = asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def close(self) -> None:
        try:
            await self.settle()
        finally:
            self._executor.shutdown(wait=True)


class Feed:
    """Links a sender running beside the handlers (`send_pending(..., feed=)` in a thread, or in
    a forked process: `Feed(multiprocessing.get_context("fork"))`) to them: `queued()` after each
    commit that may have queued emails, `close()` when no more will come; `quiet()` holds the
    sender with no email between the server's 250 and its commit (a named crash point of the
    handlers' thread then stops the process at one known place)."""

    _OPEN, _QUEUED, _QUIET_WANTED, _PARKED, _SENDER_DONE = range(5)

    def __init__(self, context: Any = None) -> None:
        if context is None:
            self._cond: Any = threading.Condition()
            self._state: Any = [1, 0, 0, 0, 0]
        else:  # shared with a forked sender process
            self._cond = context.Condition()
            self._state = context.Array("i", [1, 0, 0, 0, 0], lock=False)

    def queued(self) -> None:
        with self._cond:
            self._state[self._QUEUED] = 1
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._state[self._OPEN] = 0
            self._cond.notify_all()

    def wait(self, timeout: float) -> bool:
        """(Sender) Wait until rows were queued or the feed closed; False once it is closed and
        nothing new was queued. Parks on the way if the handlers want quiet."""
        state = self._state
        with self._cond:
            deadline = time.monotonic() + timeout
            while (not state[self._QUEUED] and state[self._OPEN]
                   and time.monotonic() < deadline):
                self._park_locked()
                self._cond.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            queued, state[self._QUEUED] = state[self._QUEUED], 0
            return bool(queued or state[self._OPEN])

    def checkpoint(self) -> None:
        """(Sender, nothing in flight) Park here while the handlers' thread wants quiet."""
        with self._cond:
            self._park_locked()

    def _park_locked(self) -> None:
        while self._state[self._QUIET_WANTED]:
            self._state[self._PARKED] = 1
            self._cond.notify_all()
            self._cond.wait(0.05)
        self._state[self._PARKED] = 0

    def finished(self) -> None:
        """(Sender) No more sending from this feed's sender."""
        with self._cond:
            self._state[self._SENDER_DONE] = 1
            self._cond.notify_all()

    def wants_quiet(self) -> bool:
        return bool(self._state[self._QUIET_WANTED])

    @contextlib.contextmanager
    def quiet(self):
        """(Handlers) Hold the sender with every accepted email committed, for the block."""
        state = self._state
        with self._cond:
            state[self._QUIET_WANTED] += 1
            self._cond.notify_all()
            while not (state[self._PARKED] or state[self._SENDER_DONE]):
                self._cond.wait(0.05)
        try:
            yield
        finally:
            with self._cond:
                state[self._QUIET_WANTED] -= 1
                self._cond.notify_all()


async def _send_one(engine: Any, transport: Transport, row: _Claimed, now: datetime,
                    max_attempts: int, report: SendReport, recorder: _Recorder) -> None:
    """Send one claimed row and record its outcome; ConnectionLost propagates (row untouched)."""
    from mailbot.outbox.transports import ConnectionLost

    try:
        note = await transport.send(row.envelope_from, list(row.recipients), row.raw)
    except ConnectionLost:
        await recorder.settle()
        raise
    except Exception as exc:
        await recorder.settle()  # outcomes are committed in order
        _record_failure(engine, row, exc, now, max_attempts, report)
    else:
        await recorder.settle()  # the previous email is committed before this one counts
        crashpoints.hit("during_send")
        recorder.later(row, status=OutboxStatus.SENT, attempts=row.attempts + 1,
                       sent_at=utcnow(), last_error=note)
        report.sent += 1
        if note:
            report.errors.append(f"{row.message_id} sent, but {redact(note)}")
            log.warning("email %s sent, but the SMTP server %s", row.message_id, redact(note))


def _record_failure(engine: Any, row: _Claimed, exc: Exception, now: datetime,
                    max_attempts: int, report: SendReport) -> None:
    """Record a refusal (failed), a deferral or an unexpected error (pending with backoff)."""
    answer = redact(str(exc))
    if isinstance(exc, PermanentSendError):
        _finish(engine, row, status=OutboxStatus.FAILED, attempts=row.attempts + 1,
                last_error=str(exc))
        report.failed += 1
        report.errors.append(f"{row.message_id} refused: {answer}")
        log.warning("email %s refused by the SMTP server: %s", row.message_id, answer)
    elif isinstance(exc, TemporarySendError):
        _defer(engine, row, str(exc), now, max_attempts, report)
        report.errors.append(f"{row.message_id} deferred: {answer}")
        log.warning("email %s deferred by the SMTP server: %s", row.message_id, answer)
    else:  # a bug or an unexpected library error: retry later
        log.error("unexpected error sending %s: %s", row.message_id, type(exc).__name__,
                  exc_info=exc)
        error = f"unexpected error: {type(exc).__name__}: {exc}"
        _defer(engine, row, error, now, max_attempts, report)
        report.errors.append(f"{row.message_id} deferred: {redact(error)}")


async def send_pending_async(
    engine: Any,
    transport: Transport,
    *,
    batch_size: int = 200,
    max_attempts: int = 20,
    now: datetime | None = None,
    feed: Feed | None = None,
) -> SendReport:
    """Send every due pending row, claiming `batch_size` at a time, over one connection.

    With a `feed` (handlers queueing emails meanwhile), keep going until the feed is closed and
    nothing is due: rows are claimed as they become due (`now` is then the current time), and
    the connection is closed while nothing comes for `_IDLE_CLOSE` seconds."""
    from mailbot.outbox.transports import ConnectionLost

    following = feed is not None and now is None
    now = _aware_utc(now)
    report = SendReport()
    release_stale_claims(engine)
    claimed = _claim(engine, now, batch_size)
    recorder = _Recorder(engine)
    connected = False
    answered_on_connection = 0
    try:
        while claimed or (following and feed is not None):
            if not claimed:  # following: wait for the handlers' next commit or the end
                idle_since = time.monotonic()
                while not claimed:
                    more = feed.wait(_IDLE_CLOSE)
                    now = utcnow()
                    claimed = _claim(engine, now, batch_size)
                    if not claimed and not more:
                        break
                    if not claimed and connected and time.monotonic() - idle_since > _IDLE_CLOSE:
                        await _close(transport, None)
                        connected = False
                if not claimed:
                    break
            if feed is not None and feed.wants_quiet():
                await recorder.settle()  # every accepted email committed
                feed.checkpoint()
            if not connected:
                await transport.__aenter__()
                connected, answered_on_connection = True, 0
            row = claimed[0]
            try:
                before = report.sent + report.failed + report.deferred
                await _send_one(engine, transport, row, now, max_attempts, report, recorder)
                answered_on_connection += report.sent + report.failed + report.deferred > before
            except ConnectionLost as exc:
                await _close(transport, exc)
                connected = False
                if answered_on_connection == 0:
                    raise  # a fresh connection failed at once: everyone waits
                # The connection worked and was lost (421, reset, idle timeout): this row waits,
                # the others go over a new connection.
                _defer(engine, row, str(exc), now, max_attempts, report)
                report.errors.append(f"{row.message_id} deferred: {redact(str(exc))}")
                report.reconnections += 1
                log.warning("SMTP connection lost while sending %s (%s); reconnecting",
                            row.message_id, redact(str(exc)))
            claimed.pop(0)
            if not claimed:
                await recorder.settle()
                if following:
                    now = utcnow()
                claimed = _claim(engine, now, batch_size)
    except ConnectionLost as exc:
        report.errors.append(f"SMTP connection failed, {len(claimed)} email(s) kept: "
                             f"{redact(str(exc))}")
        log.warning("SMTP connection failed, %d email(s) kept for a later try: %s",
                    len(claimed), redact(str(exc)))
        for row in claimed:
            _defer(engine, row, str(exc), now, max_attempts, report)
    except BaseException:
        with contextlib.suppress(Exception):
            await recorder.settle()
        _release(engine, claimed)
        raise
    finally:
        await recorder.close()
        if connected:
            await _close(transport, None)
        if feed is not None:
            feed.finished()
    return report


async def _close(transport: Transport, exc: BaseException | None) -> None:
    try:
        await transport.__aexit__(type(exc) if exc else None, exc, None)
    except Exception:  # closing a broken connection must not hide what happened
        log.debug("closing the SMTP connection failed", exc_info=True)


def _release(engine: Any, claimed: list[_Claimed]) -> None:
    """Give back claims not sent (cancelled or a bug): pending again, attempts unchanged."""
    if not claimed:
        return
    try:
        with engine.begin() as conn:
            conn.execute(
                update(_T)
                .where(_T.c.id.in_([row.id for row in claimed]),
                       _T.c.status == OutboxStatus.SENDING, _T.c.claimed_by == claims.owner())
                .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None)
            )
    except Exception:  # the claims then expire with this process
        log.warning("could not release %d outbox claim(s)", len(claimed), exc_info=True)


def send_pending(
    engine: Any,
    transport: Transport,
    *,
    batch_size: int = 200,
    max_attempts: int = 20,
    now: datetime | None = None,
    feed: Feed | None = None,
) -> SendReport:
    """Synchronous wrapper of `send_pending_async` (runs in a thread if a loop is running)."""

    def run() -> SendReport:
        return asyncio.run(
            send_pending_async(
                engine, transport, batch_size=batch_size, max_attempts=max_attempts, now=now,
                feed=feed,
            )
        )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    result: list[SendReport] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(run())
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="mailbot-sender")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]
