"""Ways to deliver a stored email: SMTP (production) or files in a folder (demo, tests).

A transport is an async context manager (the connection, one per batch) with
`async send(envelope_from, recipients, raw) -> str | None`: it returns None, or a note naming
recipients the server refused while accepting the others; it raises TemporarySendError (try
later; ConnectionLost when the connection itself is gone) or PermanentSendError (5xx).
"""

from __future__ import annotations

import asyncio
import re
import ssl
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

import aiosmtplib

from mailbot.errors import PermanentSendError, TemporarySendError

if TYPE_CHECKING:
    from mailbot.outbox.sender import SmtpSettings

__all__ = ["ConnectionLost", "FileTransport", "SmtpTransport", "Transport"]


class ConnectionLost(TemporarySendError):
    """The SMTP connection failed or dropped: every email still to send in this batch must wait."""


class Transport(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def send(self, envelope_from: str, recipients: list[str], raw: bytes) -> str | None: ...


def _answer(code: int, message: str) -> str:
    return f"{code} {' '.join(str(message).split())}".strip()


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext | None:
    if settings.security == "none":
        return None
    context = ssl.create_default_context(cafile=settings.ca_file)
    if not settings.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class SmtpTransport:
    """One authenticated SMTP connection (aiosmtplib) for a batch of emails."""

    def __init__(self, settings: SmtpSettings) -> None:
        if settings.security not in ("ssl", "starttls", "none"):
            raise ValueError(f"unknown SMTP security {settings.security!r}")
        self.settings = settings
        self._smtp: aiosmtplib.SMTP | None = None

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    async def __aenter__(self) -> Self:
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.security == "ssl",
            start_tls=s.security == "starttls",
            tls_context=_tls_context(s),
            timeout=s.timeout,
        )
        try:
            await smtp.connect()
            if s.username:
                await smtp.login(s.username, s.password or "")
        except aiosmtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise ConnectionLost(
                f"SMTP login refused by {self._where}: {_answer(exc.code, exc.message)}"
            ) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ssl.SSLError) as exc:
            smtp.close()
            raise ConnectionLost(f"cannot connect to SMTP server {self._where}: {exc}") from None
        self._smtp = smtp
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if smtp.is_connected:
                await asyncio.wait_for(smtp.quit(), timeout=self.settings.timeout)
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            pass
        finally:
            smtp.close()

    async def send(self, envelope_from: str, recipients: list[str], raw: bytes) -> str | None:
        """Send the stored bytes as they are; map the server's answer to our errors."""
        if self._smtp is None:
            raise ConnectionLost("SMTP transport used outside `async with`")
        try:
            refused, _ = await self._smtp.sendmail(envelope_from, list(recipients), raw)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            answers = "; ".join(
                f"{r.recipient}: {_answer(r.code, r.message)}" for r in exc.recipients
            )
            if exc.recipients and all(r.code >= 500 for r in exc.recipients):
                raise PermanentSendError(f"all recipients refused: {answers}") from None
            raise TemporarySendError(f"recipients refused for now: {answers}") from None
        except aiosmtplib.SMTPResponseException as exc:
            answer = _answer(exc.code, exc.message)
            if exc.code == 421 or exc.code < 400:  # 421: the server is closing the connection
                raise ConnectionLost(f"SMTP server {self._where} answered {answer}") from None
            if exc.code >= 500:
                raise PermanentSendError(answer) from None
            raise TemporarySendError(answer) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # disconnected, timeouts, connection reset, SMTPNotSupported...
            raise ConnectionLost(f"SMTP connection to {self._where} failed: {exc}") from None
        if not refused:
            return None
        return "refused: " + "; ".join(
            f"{address}: {_answer(resp.code, resp.message)}" for address, resp in refused.items()
        )


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


class FileTransport:
    """Writes each email as `NNNN-<role>-<to>.eml` into `directory` (for `mailbot demo`)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.written: list[Path] = []

    async def __aenter__(self) -> Self:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def _next_number(self) -> int:
        numbers = [
            int(path.name[:4]) for path in self.directory.glob("*.eml") if path.name[:4].isdigit()
        ]
        return max(numbers, default=0) + 1

    async def send(self, envelope_from: str, recipients: list[str], raw: bytes) -> str | None:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(raw)
        role = _UNSAFE.sub("-", str(headers.get("X-Mailbot-Role") or "email")).strip("-")
        to = _UNSAFE.sub("_", recipients[0] if recipients else "nobody")[:60]
        path = self.directory / f"{self._next_number():04d}-{role}-{to}.eml"
        try:
            path.write_bytes(raw)
        except OSError as exc:
            raise ConnectionLost(f"cannot write {path}: {exc}") from None
        self.written.append(path)
        return None
