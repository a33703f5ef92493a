"""Send the pending outbox rows through a transport: the only code that talks SMTP.

Every row ends `sent` or `failed`; temporary trouble (4xx, connection refused or lost, timeout)
leaves it `pending` with exponential backoff (1 min, 2, 4, ... capped at 1 h) until
`max_attempts`, then `failed`. Each row's new status is committed right after its own send; the
crash point `during_send` sits between the server's 250 and that commit, so a crash there can
only cause a resend of the same bytes (same Message-ID), never a loss.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from mailbot import crashpoints
from mailbot.domain.models import OutboxMessage, OutboxStatus, utcnow
from mailbot.errors import PermanentSendError, TemporarySendError

if TYPE_CHECKING:
    from mailbot.outbox.transports import Transport

__all__ = [
    "BACKOFF_CAP",
    "BACKOFF_FIRST",
    "SendReport",
    "SmtpSettings",
    "backoff",
    "send_pending",
    "send_pending_async",
]

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)


@dataclass
class SmtpSettings:
    """How to reach the SMTP server. security: "ssl" (implicit TLS), "starttls" or "none"."""

    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
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
    """What one run did. `errors` are one-line English messages for the log and the CLI."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed tries: 1 min, 2, 4, ... at most 1 h."""
    exponent = max(attempts - 1, 0)
    if exponent > 20:
        return BACKOFF_CAP
    return min(BACKOFF_FIRST * (2**exponent), BACKOFF_CAP)


def _aware_utc(moment: datetime | None) -> datetime:
    """`now` as the models store it: aware UTC (a naive value is taken as UTC)."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _defer(row: OutboxMessage, error: str, now: datetime, max_attempts: int) -> bool:
    """Count a failed try; True if the row stays pending, False if it is given up (failed)."""
    row.attempts += 1
    if row.attempts >= max_attempts:
        row.status = OutboxStatus.FAILED
        row.last_error = f"gave up after {row.attempts} attempts; last error: {error}"
        return False
    row.last_error = error
    row.next_attempt_at = now + backoff(row.attempts)
    return True


def _due_ids(engine: Any, now: datetime, batch_size: int) -> list[int]:
    with Session(engine) as session:
        query = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .where(OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch_size)
        )
        return [row_id for row_id in session.exec(query) if row_id is not None]


def _defer_all(
    engine: Any, ids: list[int], error: str, now: datetime, max_attempts: int, report: SendReport
) -> None:
    """The connection is gone: every row not yet tried waits (attempts+1), none is lost."""
    with Session(engine) as session:
        for row_id in ids:
            row = session.get(OutboxMessage, row_id)
            if row is None or row.status != OutboxStatus.PENDING:
                continue
            if _defer(row, error, now, max_attempts):
                report.deferred += 1
            else:
                report.failed += 1
            session.add(row)
        session.commit()


async def send_pending_async(
    engine: Any,
    transport: Transport,
    *,
    batch_size: int = 200,
    max_attempts: int = 20,
    now: datetime | None = None,
) -> SendReport:
    """Send up to `batch_size` due pending rows over one connection of `transport`."""
    from mailbot.outbox.transports import ConnectionLost

    now = _aware_utc(now)
    report = SendReport()
    ids = _due_ids(engine, now, batch_size)
    if not ids:
        return report
    remaining = list(ids)
    try:
        async with transport:
            while remaining:
                row_id = remaining[0]
                with Session(engine) as session:
                    # Locked until this row's commit (PostgreSQL): a second sender running at the
                    # same time skips it instead of sending it twice. SQLite ignores the lock.
                    row = session.get(OutboxMessage, row_id, with_for_update={"skip_locked": True})
                    if row is None or row.status != OutboxStatus.PENDING:
                        remaining.pop(0)
                        continue
                    try:
                        note = await transport.send(
                            row.envelope_from, list(row.recipients), row.raw
                        )
                    except ConnectionLost:
                        raise  # handled below, with every row still to send
                    except PermanentSendError as exc:
                        row.attempts += 1
                        row.status = OutboxStatus.FAILED
                        row.last_error = str(exc)
                        report.failed += 1
                        report.errors.append(f"{row.message_id} refused: {exc}")
                    except TemporarySendError as exc:
                        kept = _defer(row, str(exc), now, max_attempts)
                        report.deferred += kept
                        report.failed += not kept
                        report.errors.append(f"{row.message_id} deferred: {exc}")
                    except Exception as exc:  # a bug or an unexpected library error: retry later
                        log.exception("unexpected error sending %s", row.message_id)
                        error = f"unexpected error: {type(exc).__name__}: {exc}"
                        kept = _defer(row, error, now, max_attempts)
                        report.deferred += kept
                        report.failed += not kept
                        report.errors.append(f"{row.message_id} deferred: {error}")
                    else:
                        crashpoints.hit("during_send")
                        row.attempts += 1
                        row.status = OutboxStatus.SENT
                        row.sent_at = utcnow()
                        row.last_error = note
                        report.sent += 1
                        if note:
                            report.errors.append(f"{row.message_id} sent, but {note}")
                    session.add(row)
                    session.commit()
                remaining.pop(0)
    except ConnectionLost as exc:
        report.errors.append(f"SMTP connection failed, {len(remaining)} email(s) kept: {exc}")
        _defer_all(engine, remaining, str(exc), now, max_attempts, report)
    return report


def send_pending(
    engine: Any,
    transport: Transport,
    *,
    batch_size: int = 200,
    max_attempts: int = 20,
    now: datetime | None = None,
) -> SendReport:
    """Synchronous wrapper of `send_pending_async` (runs in a thread if a loop is running)."""

    def run() -> SendReport:
        return asyncio.run(
            send_pending_async(
                engine, transport, batch_size=batch_size, max_attempts=max_attempts, now=now
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
