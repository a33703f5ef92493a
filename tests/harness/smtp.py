"""A recording SMTP server (aiosmtpd) on 127.0.0.1 with knobs to refuse the next commands.

    server = SmtpServer().start()                   # plain, no AUTH
    server.fail_next("RCPT", 451)                   # next RCPT TO answers 451 (temporary)
    server.fail_next("DATA", 550, count=2)          # next two DATA answer 550 (permanent)
    ... send ...
    server.messages[0].message["Subject"]; server.stop()

Options: `auth={"user": "password"}` offers AUTH LOGIN/PLAIN (allowed without TLS on loopback,
required when `auth_required=True`); `tls="starttls"` offers STARTTLS, `tls="ssl"` is implicit
TLS, both with the harness's self-signed certificate (clients trust `cert.cert_file`).
"""

from __future__ import annotations

import email
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.harness.certs import SelfSignedCert
from tests.harness.net import free_port

__all__ = ["RecordedMessage", "SmtpServer"]

_DEFAULT_TEXT = {
    4: "4.3.0 Temporary failure, try again later",
    5: "5.7.1 Permanently refused",
}


@dataclass(frozen=True)
class RecordedMessage:
    """One accepted message: envelope, raw bytes as received, parsed EmailMessage."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage
    auth_login: str | None = None


@dataclass
class _Failure:
    code: int
    text: str
    count: int


@dataclass
class _Handler:
    server: SmtpServer
    failures: dict[str, list[_Failure]] = field(default_factory=dict)

    def _take_failure(self, stage: str) -> str | None:
        with self.server._lock:
            queue = self.failures.get(stage) or []
            if not queue:
                return None
            failure = queue[0]
            failure.count -= 1
            if failure.count <= 0:
                queue.pop(0)
            self.server.refused.append((stage, failure.code))
            return f"{failure.code} {failure.text}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        refusal = self._take_failure("MAIL")
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self._take_failure("RCPT")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        refusal = self._take_failure("DATA")
        if refusal:
            return refusal
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        record = RecordedMessage(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            message=email.message_from_bytes(raw, policy=default_policy),
            auth_login=login.decode("utf-8", "replace") if isinstance(login, bytes) else login,
        )
        with self.server._lock:
            self.server._messages.append(record)
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd in a thread: `.messages`, `.clear()`, `.fail_next()`, `.host`, `.port`."""

    host = "127.0.0.1"

    def __init__(self, *, auth: dict[str, str] | None = None, auth_required: bool = False,
                 tls: str | None = None, cert: SelfSignedCert | None = None):
        if tls not in (None, "starttls", "ssl"):
            raise ValueError("tls must be None, 'starttls' or 'ssl'")
        if tls and cert is None:
            raise ValueError("tls needs a cert")
        self.auth = dict(auth or {})
        self.auth_required = auth_required
        self.tls = tls
        self.cert = cert
        self.ca_file = str(cert.cert_file) if cert else None
        self.port = 0
        self.refused: list[tuple[str, int]] = []  # (stage, code) of every refusal served
        self.auth_attempts: list[tuple[str, bool]] = []  # (login, accepted)
        self._messages: list[RecordedMessage] = []
        self._lock = threading.Lock()
        self._handler = _Handler(self)
        self._controller: Controller | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> SmtpServer:
        kwargs: dict = {}
        if self.auth or self.auth_required:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False,
                          auth_required=self.auth_required)
        if self.tls == "starttls":
            kwargs.update(tls_context=self.cert.server_context(), require_starttls=False)
        self.port = free_port()
        self._controller = Controller(
            self._handler, hostname=self.host, port=self.port,
            ssl_context=self.cert.server_context() if self.tls == "ssl" else None,
            server_hostname="127.0.0.1", ready_timeout=10, **kwargs,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- knobs and records ---------------------------------------------------------------
    def fail_next(self, stage: str, code: int, count: int = 1, text: str | None = None) -> None:
        """Make the next `count` MAIL/RCPT/DATA commands answer `code` (e.g. 451 or 550).

        RCPT counts per recipient. Queued refusals are served in order.
        """
        stage = stage.upper()
        if stage not in ("MAIL", "RCPT", "DATA"):
            raise ValueError("stage must be MAIL, RCPT or DATA")
        if not 400 <= code <= 599:
            raise ValueError("code must be a 4xx or 5xx reply")
        with self._lock:
            self._handler.failures.setdefault(stage, []).append(
                _Failure(code, text or _DEFAULT_TEXT[code // 100], count))

    @property
    def messages(self) -> list[RecordedMessage]:
        """A copy of the accepted messages, in arrival order."""
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        """Forget accepted messages, refusals served and pending failure knobs."""
        with self._lock:
            self._messages.clear()
            self.refused.clear()
            self.auth_attempts.clear()
            self._handler.failures.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[RecordedMessage]:
        """Wait until at least `count` messages arrived; return them (TimeoutError otherwise)."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages
            if len(messages) >= count:
                return messages
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(messages)} message(s) arrived, expected {count}")
            time.sleep(0.02)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        ok = login in self.auth and self.auth[login] == password
        with self._lock:
            self.auth_attempts.append((login, ok))
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)
