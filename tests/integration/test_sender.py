"""The sender against a real aiosmtpd server on loopback: sent, deferred, failed, none lost."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlmodel import Session, SQLModel, create_engine, select

from mailbot.domain.models import OutboxMessage, OutboxStatus, utcnow
from mailbot.outbox import Composer, FileTransport, SmtpSettings, SmtpTransport, send_pending
from mailbot.outbox.sender import backoff

pytestmark = pytest.mark.integration

FROM = "clauses@agence.example.fr"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Handler:
    """Records messages and connections; answers what each test scripts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.sessions: list[object] = []
        self.rcpt_answers: dict[str, str] = {}  # recipient -> answer (every time)
        self.data_answers: list[str | None] = []  # popped per DATA; None = accept

    def _seen(self, session: object) -> None:
        if not any(s is session for s in self.sessions):
            self.sessions.append(session)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self._seen(session)
        answer = self.rcpt_answers.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self._seen(session)
        answer = self.data_answers.pop(0) if self.data_answers else None
        if answer:
            return answer
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [
            str(message_from_bytes(raw, policy=default_policy)["Message-ID"])
            for _, _, raw in self.messages
        ]


@pytest.fixture
def smtpd() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def engine(tmp_path: Path):
    """SQLite in a file; `both_engines` for the tests worth running on PostgreSQL too."""
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture
def both_engines(db_url: str):
    """SQLite and PostgreSQL (db_url is the shared fixture of tests/integration/conftest.py)."""
    engine = create_engine(db_url)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def composer() -> Composer:
    return Composer(from_address=FROM, from_name="Référent clauses sociales")


def settings(port: int, **kw) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1", port=port, security=kw.pop("security", "none"), timeout=5.0, **kw
    )


def queue(engine, composer: Composer, n: int, to: list[str] | None = None) -> list[OutboxMessage]:
    with Session(engine) as session:
        rows = [
            composer.queue(
                session,
                "company/unreadable",
                {
                    "attachments_problems": [f"F{i}.pdf: PDF is password-protected"],
                    "original_subject": f"Fiche {i}",
                },
                to=to or [f"patron{i}@entreprise.example.com"],
            )
            for i in range(n)
        ]
        session.commit()
        for row in rows:
            session.refresh(row)
        session.expunge_all()
    return rows


def rows(engine) -> dict[str, OutboxMessage]:
    with Session(engine) as session:
        result = {r.message_id: r for r in session.exec(select(OutboxMessage))}
        session.expunge_all()
    return result


def test_all_sent_over_one_connection(smtpd, both_engines, composer):
    handler, port = smtpd
    queued = queue(both_engines, composer, 3)
    report = send_pending(both_engines, SmtpTransport(settings(port)))
    assert (report.sent, report.failed, report.deferred) == (3, 0, 0)
    assert len(handler.sessions) == 1
    assert sorted(handler.message_ids()) == sorted(r.message_id for r in queued)
    mail_from, rcpts, _ = handler.messages[0]
    assert mail_from == FROM and rcpts == ["patron0@entreprise.example.com"]
    for row in rows(both_engines).values():
        assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1
    # nothing left: a second run does nothing and opens no connection
    assert send_pending(both_engines, SmtpTransport(settings(port))).sent == 0
    assert len(handler.sessions) == 1


def test_451_deferred_then_sent_with_same_message_id(smtpd, both_engines, composer):
    handler, port = smtpd
    first, *_ = queue(both_engines, composer, 2)
    handler.data_answers = ["451 4.3.0 Try again later"]
    now = utcnow()
    report = send_pending(both_engines, SmtpTransport(settings(port)), now=now)
    assert (report.sent, report.failed, report.deferred) == (1, 0, 1)
    row = rows(both_engines)[first.message_id]
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "451" in row.last_error
    assert timedelta(seconds=59) < row.next_attempt_at - now <= timedelta(minutes=1)
    # not due yet: nothing sent
    assert send_pending(both_engines, SmtpTransport(settings(port)), now=now).sent == 0
    report = send_pending(
        both_engines, SmtpTransport(settings(port)), now=now + timedelta(minutes=2)
    )
    assert report.sent == 1
    row = rows(both_engines)[first.message_id]
    assert row.status == OutboxStatus.SENT and row.attempts == 2
    assert handler.message_ids().count(first.message_id) == 1
    assert handler.messages[-1][2].replace(b"\r\n", b"\n") == row.raw.replace(b"\r\n", b"\n")


def test_550_fails_with_the_server_answer(smtpd, engine, composer):
    handler, port = smtpd
    refused, accepted = queue(engine, composer, 2)
    handler.rcpt_answers["patron0@entreprise.example.com"] = "550 5.1.1 Mailbox unknown"
    report = send_pending(engine, SmtpTransport(settings(port)))
    assert (report.sent, report.failed, report.deferred) == (1, 1, 0)
    row = rows(engine)[refused.message_id]
    assert row.status == OutboxStatus.FAILED
    assert "550" in row.last_error and "Mailbox unknown" in row.last_error
    assert rows(engine)[accepted.message_id].status == OutboxStatus.SENT


def test_550_on_data_fails(smtpd, engine, composer):
    handler, port = smtpd
    (row,) = queue(engine, composer, 1)
    handler.data_answers = ["554 5.7.1 Message rejected as spam"]
    report = send_pending(engine, SmtpTransport(settings(port)))
    assert report.failed == 1
    stored = rows(engine)[row.message_id]
    assert stored.status == OutboxStatus.FAILED and "554 5.7.1" in stored.last_error


def test_partial_refusal_is_sent_with_a_note(smtpd, engine, composer):
    handler, port = smtpd
    (row,) = queue(engine, composer, 1, to=["a@partenaire.example.org", "b@partenaire.example.org"])
    handler.rcpt_answers["b@partenaire.example.org"] = "550 5.1.1 No such user"
    report = send_pending(engine, SmtpTransport(settings(port)))
    assert report.sent == 1
    stored = rows(engine)[row.message_id]
    assert stored.status == OutboxStatus.SENT
    assert "b@partenaire.example.org" in stored.last_error and "550" in stored.last_error
    assert handler.messages[0][1] == ["a@partenaire.example.org"]


def test_server_down_defers_all_then_sends(both_engines, composer):
    port = free_port()  # nothing listens there
    queued = queue(both_engines, composer, 3)
    now = utcnow()
    report = send_pending(both_engines, SmtpTransport(settings(port)), now=now)
    assert (report.sent, report.failed, report.deferred) == (0, 0, 3)
    assert report.errors and "connect" in report.errors[0]
    for row in rows(both_engines).values():
        assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error
        assert row.next_attempt_at == now + timedelta(minutes=1)
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report = send_pending(
            both_engines, SmtpTransport(settings(port)), now=now + timedelta(minutes=1)
        )
    finally:
        controller.stop()
    assert report.sent == 3
    assert sorted(handler.message_ids()) == sorted(r.message_id for r in queued)


def test_backoff_grows_then_max_attempts_fails(both_engines, composer):
    port = free_port()
    (row,) = queue(both_engines, composer, 1)
    now = utcnow()
    delays = []
    for _ in range(3):
        report = send_pending(both_engines, SmtpTransport(settings(port)), now=now, max_attempts=4)
        assert report.deferred == 1
        stored = rows(both_engines)[row.message_id]
        delays.append(stored.next_attempt_at - now)
        now = stored.next_attempt_at
    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    report = send_pending(both_engines, SmtpTransport(settings(port)), now=now, max_attempts=4)
    assert (report.failed, report.deferred) == (1, 0)
    stored = rows(both_engines)[row.message_id]
    assert stored.status == OutboxStatus.FAILED and stored.attempts == 4
    assert "gave up after 4 attempts" in stored.last_error


def test_421_mid_batch_reconnects_for_the_rest(smtpd, both_engines, composer, caplog):
    """A connection that worked and is lost: the email in flight waits, the rest goes over a new
    connection; the loss and the reconnection are logged at WARNING."""
    handler, port = smtpd
    first, second, third = queue(both_engines, composer, 3)
    handler.data_answers = [None, "421 4.3.2 Service shutting down"]
    with caplog.at_level("WARNING", logger="mailbot.outbox.sender"):
        report = send_pending(both_engines, SmtpTransport(settings(port)))
    assert (report.sent, report.failed, report.deferred) == (2, 0, 1)
    assert report.reconnections == 1 and len(handler.sessions) == 2
    stored = rows(both_engines)
    assert stored[second.message_id].status == OutboxStatus.PENDING
    assert stored[second.message_id].claimed_by is None
    assert {stored[first.message_id].status, stored[third.message_id].status} == {"sent"}
    assert any("reconnecting" in r.getMessage() and second.message_id in r.getMessage()
               and "421" in r.getMessage() for r in caplog.records)


def test_421_again_after_reconnecting_keeps_the_rest(smtpd, both_engines, composer):
    """A new connection that fails at once is not retried in the same run: everything waits."""
    handler, port = smtpd
    queue(both_engines, composer, 4)
    handler.data_answers = [None, "421 4.3.2 Shutting down", "421 4.3.2 Still down"]
    report = send_pending(both_engines, SmtpTransport(settings(port)))
    assert (report.sent, report.failed, report.deferred) == (1, 0, 3)
    statuses = sorted(r.status for r in rows(both_engines).values())
    assert statuses == ["pending", "pending", "pending", "sent"]
    assert all(r.claimed_by is None for r in rows(both_engines).values())


def test_one_run_drains_every_batch_over_one_connection(smtpd, engine, composer):
    handler, port = smtpd
    queue(engine, composer, 5)
    assert send_pending(engine, SmtpTransport(settings(port)), batch_size=2).sent == 5
    assert len(handler.messages) == 5 and len(handler.sessions) == 1
    assert send_pending(engine, SmtpTransport(settings(port)), batch_size=2).sent == 0


def test_held_rows_are_never_sent(smtpd, both_engines, composer):
    handler, port = smtpd
    with Session(both_engines) as session:
        held = composer.queue(session, "company/unreadable", {"original_subject": "Fiche"},
                              to=["patron@entreprise.example.com"], status=OutboxStatus.HELD)
        session.commit()
        held_id = held.message_id
    (pending,) = queue(both_engines, composer, 1)
    report = send_pending(both_engines, SmtpTransport(settings(port)))
    assert report.sent == 1 and handler.message_ids() == [pending.message_id]
    assert rows(both_engines)[held_id].status == OutboxStatus.HELD


def test_refusals_are_logged_without_the_address(smtpd, engine, composer, caplog):
    handler, port = smtpd
    refused, deferred = queue(engine, composer, 2)
    handler.rcpt_answers["patron0@entreprise.example.com"] = (
        "550 5.1.1 <patron0@entreprise.example.com>: Mailbox unknown")
    handler.data_answers = ["452 4.2.2 Mailbox full"]
    with caplog.at_level("WARNING", logger="mailbot.outbox.sender"):
        report = send_pending(engine, SmtpTransport(settings(port)))
    assert (report.sent, report.failed, report.deferred) == (0, 1, 1)
    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(refused.message_id in m and "550 5.1.1" in m and "refused" in m for m in logged)
    assert any(deferred.message_id in m and "452 4.2.2" in m and "deferred" in m for m in logged)
    text = "\n".join(logged + report.errors)
    assert "@entreprise.example.com" in text  # the domain is kept
    assert "patron0@" not in text and "patron1@" not in text
    # the outbox row keeps the full answer for `outbox list`
    assert "patron0@entreprise.example.com" in rows(engine)[refused.message_id].last_error


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_modes_with_auth(tmp_path, engine, composer, security):
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        ok = auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    handler = Handler()
    port = free_port()
    if security == "ssl":  # aiosmtpd does not see implicit TLS as TLS for AUTH
        tls_kw = {"ssl_context": context, "auth_require_tls": False}
    else:
        tls_kw = {"tls_context": context, "require_starttls": True}
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=True,
        **tls_kw,
    )
    controller.start()
    try:
        queue(engine, composer, 1)
        smtp = settings(
            port, security=security, username="clauses", password="s3cret", ca_file=str(cert)
        )
        assert send_pending(engine, SmtpTransport(smtp)).sent == 1
        queue(engine, composer, 1)
        bad = settings(
            port, security=security, username="clauses", password="wrong", tls_verify=False
        )
        report = send_pending(engine, SmtpTransport(bad))
        assert (report.sent, report.deferred) == (0, 1)
        assert "login refused" in report.errors[0]
    finally:
        controller.stop()
    assert logins[0] == (b"clauses", b"s3cret")
    assert len(handler.messages) == 1


def test_unverified_certificate_is_refused(tmp_path, engine, composer):
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, port = Handler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        queue(engine, composer, 1)
        report = send_pending(engine, SmtpTransport(settings(port, security="ssl")))
    finally:
        controller.stop()
    assert (report.sent, report.deferred) == (0, 1)
    assert handler.messages == []


def test_crash_during_send_resends_same_message_id(smtpd, tmp_path, composer):
    """Killed between the server's 250 and the commit: the row stays claimed by the dead process,
    is taken back, and the same bytes are resent."""
    handler, port = smtpd
    db = tmp_path / "crash.db"
    engine = create_engine(f"sqlite:///{db}")
    SQLModel.metadata.create_all(engine)
    (row,) = queue(engine, composer, 1)
    script = textwrap.dedent(f"""
        from sqlmodel import create_engine
        from mailbot.outbox import SmtpSettings, SmtpTransport, send_pending
        engine = create_engine("sqlite:///{db}")
        send_pending(engine, SmtpTransport(SmtpSettings("127.0.0.1", {port}, security="none")))
    """)
    env = {**os.environ, "MAILBOT_CRASH_AT": "during_send"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    assert b"crash point during_send" in proc.stderr
    assert handler.message_ids() == [row.message_id]
    left = rows(engine)[row.message_id]
    assert left.status == OutboxStatus.SENDING and left.claimed_by  # claimed by the dead process
    assert send_pending(engine, SmtpTransport(settings(port))).sent == 1
    assert handler.message_ids() == [row.message_id, row.message_id]
    assert rows(engine)[row.message_id].status == OutboxStatus.SENT


def test_file_transport_writes_eml_files(tmp_path, engine, composer):
    queue(engine, composer, 2)
    out = tmp_path / "sortie"
    report = send_pending(engine, FileTransport(out))
    assert report.sent == 2
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "0001-company-unreadable-patron0@entreprise.example.com.eml",
        "0002-company-unreadable-patron1@entreprise.example.com.eml",
    ]
    parsed = message_from_bytes((out / names[0]).read_bytes(), policy=default_policy)
    assert parsed["Message-ID"] in rows(engine)


def test_backoff_schedule():
    minutes = [backoff(n) / timedelta(minutes=1) for n in (1, 2, 3, 4, 5, 6, 7, 8, 50)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_silent_server_times_out_and_keeps_the_email(engine, composer):
    with socket.socket() as listener:  # accepts connections (backlog) but never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]
        (row,) = queue(engine, composer, 1)
        smtp = SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=0.5)
        report = send_pending(engine, SmtpTransport(smtp))
    assert (report.sent, report.deferred) == (0, 1)
    stored = rows(engine)[row.message_id]
    assert stored.status == OutboxStatus.PENDING and stored.attempts == 1


def test_two_senders_send_each_row_once(db_url):
    """Two senders on one database (SQLite file and PostgreSQL) drain the same 100 rows: each row
    is claimed by exactly one of them and sent once."""
    from tests.unit.test_sender_claims import drain_with_two_senders

    sent, per_sender = drain_with_two_senders(db_url, 100)
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert all(per_sender)
    engine = create_engine(db_url)
    try:
        stored = rows(engine).values()
    finally:
        engine.dispose()
    assert {row.status for row in stored} == {OutboxStatus.SENT}
    assert all(row.claimed_by is None for row in stored)


def test_a_claim_takes_at_most_batch_size_rows(db_url):
    """On both backends one claim takes `batch_size` due rows, the oldest, and only once."""
    from mailbot.outbox.sender import _claim
    from tests.unit.test_sender_claims import queue_rows

    engine = create_engine(db_url)
    try:
        SQLModel.metadata.create_all(engine)
        queue_rows(engine, 20)
        first = _claim(engine, utcnow(), 7)
        second = _claim(engine, utcnow(), 7)
        assert [r.id for r in first] == sorted(r.id for r in first) and len(first) == 7
        assert len(second) == 7 and not {r.id for r in first} & {r.id for r in second}
        claimed = [r for r in rows(engine).values() if r.status == OutboxStatus.SENDING]
        assert len(claimed) == 14 and all(r.claimed_by for r in claimed)
    finally:
        engine.dispose()
