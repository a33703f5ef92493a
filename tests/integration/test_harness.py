"""The test servers themselves behave as the other integration tests assume."""

from __future__ import annotations

import smtplib
import threading
import time

import pytest
import sqlalchemy as sa
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

RAW = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: hello\r\nMessage-ID: <h1@x>\r\n"
       b"\r\nbody\r\n")


# -- Dovecot -------------------------------------------------------------------------------
def test_dovecot_login_append_and_list(dovecot, imap_account):
    uid = dovecot.append(imap_account.username, "INBOX", RAW)
    assert dovecot.list_uids(imap_account.username, "INBOX") == [uid]
    assert dovecot.folder_messages(imap_account.username, "INBOX") == [RAW]
    caps = dovecot.client(imap_account.username).capabilities()
    for cap in (b"IDLE", b"MOVE", b"UIDPLUS", b"CONDSTORE"):
        assert cap in caps


def test_dovecot_accounts_do_not_share_mail(dovecot):
    first, second = dovecot.new_account(), dovecot.new_account()
    dovecot.append(first.username, "INBOX", RAW)
    assert dovecot.list_uids(second.username, "INBOX") == []


def test_dovecot_tls_port_verifies_with_the_ca_file(dovecot, imap_account):
    with dovecot.client(imap_account.username, ssl=True) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0


def test_dovecot_failed_login_is_fast(dovecot, imap_account):
    client = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=10)
    started = time.monotonic()
    with pytest.raises(LoginError):
        client.login(imap_account.username, "wrong")
    assert time.monotonic() - started < 1.5  # Dovecot's default penalty is 2 s and more
    client.shutdown()


def test_dovecot_idle_wakes_on_append_within_a_second(dovecot, imap_account):
    with dovecot.client(imap_account.username) as client:
        client.select_folder("INBOX")
        client.idle()
        appended_at: list[float] = []

        def deliver():
            time.sleep(0.2)
            dovecot.append(imap_account.username, "INBOX", RAW)
            appended_at.append(time.monotonic())

        thread = threading.Thread(target=deliver)
        thread.start()
        started = time.monotonic()
        woke_at = None
        while woke_at is None and time.monotonic() - started < 5:
            if any(r[1:2] == (b"EXISTS",) for r in client.idle_check(timeout=0.1)):
                woke_at = time.monotonic()
        client.idle_done()
        thread.join(5)
        assert woke_at is not None, "IDLE never reported the new message"
        assert woke_at - appended_at[0] < 1.0  # Dovecot notifies ~0.5 s after delivery


# -- PostgreSQL ----------------------------------------------------------------------------
def test_postgres_table_round_trip(postgres_db_url):
    engine = sa.create_engine(postgres_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (id serial primary key, name text)"))
            conn.execute(sa.text("INSERT INTO t (name) VALUES ('Chloé')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT name FROM t")).scalar_one() == "Chloé"
    finally:
        engine.dispose()


def test_postgres_databases_are_fresh_per_test(postgres_db_url, postgres_url):
    assert postgres_db_url != postgres_url and "/test_" in postgres_db_url
    engine = sa.create_engine(postgres_db_url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(sa.text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema='public'"))
            assert tables.scalar_one() == 0
    finally:
        engine.dispose()


def test_db_url_gives_both_backends(db_url):
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE k (v integer)"))
            conn.execute(sa.text("INSERT INTO k VALUES (42)"))
            assert conn.execute(sa.text("SELECT v FROM k")).scalar_one() == 42
        assert engine.dialect.name in ("sqlite", "postgresql")
    finally:
        engine.dispose()


# -- SMTP ----------------------------------------------------------------------------------
def _send(server, *, to=("b@example.org",), ssl_context=None, login=None, starttls=False):
    cls = smtplib.SMTP_SSL if server.tls == "ssl" else smtplib.SMTP
    kwargs = {"context": ssl_context} if server.tls == "ssl" else {}
    with cls(server.host, server.port, timeout=10, **kwargs) as client:
        if starttls:
            client.starttls(context=ssl_context)
        if login:
            client.login(*login)
        return client.sendmail("a@example.org", list(to), RAW)


def test_smtp_records_messages(smtp_server):
    _send(smtp_server, to=("b@example.org", "c@example.org"))
    (record,) = smtp_server.wait_for(1)
    assert record.mail_from == "a@example.org"
    assert record.rcpt_tos == ["b@example.org", "c@example.org"]
    assert record.raw.replace(b"\r\n", b"\n") == RAW.replace(b"\r\n", b"\n")
    assert record.message["Subject"] == "hello"
    smtp_server.clear()
    assert smtp_server.messages == []


def test_smtp_temporary_then_permanent_refusals(smtp_server):
    smtp_server.fail_next("DATA", 451)
    smtp_server.fail_next("DATA", 550)
    with pytest.raises(smtplib.SMTPDataError) as first:
        _send(smtp_server)
    assert first.value.smtp_code == 451
    with pytest.raises(smtplib.SMTPDataError) as second:
        _send(smtp_server)
    assert second.value.smtp_code == 550
    _send(smtp_server)
    assert len(smtp_server.messages) == 1
    assert smtp_server.refused == [("DATA", 451), ("DATA", 550)]


def test_smtp_rcpt_refusal_counts_per_recipient(smtp_server):
    smtp_server.fail_next("RCPT", 550, count=1)
    refused = _send(smtp_server, to=("x@example.org", "y@example.org"))
    assert set(refused) == {"x@example.org"}
    assert smtp_server.messages[0].rcpt_tos == ["y@example.org"]


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_smtp_tls_and_auth(make_smtp_server, tls_cert, tls):
    server = make_smtp_server(auth={"desk": "s3cret"}, auth_required=True, tls=tls)
    context = tls_cert.client_context()
    with pytest.raises(smtplib.SMTPAuthenticationError):
        _send(server, ssl_context=context, login=("desk", "wrong"), starttls=tls == "starttls")
    _send(server, ssl_context=context, login=("desk", "s3cret"), starttls=tls == "starttls")
    assert [m.auth_login for m in server.messages] == ["desk"]
    # smtplib tries each offered mechanism (PLAIN, LOGIN) before giving up on a bad password.
    assert server.auth_attempts[-1] == ("desk", True)
    assert {ok for _login, ok in server.auth_attempts[:-1]} == {False}


def test_smtp_auth_without_tls_on_loopback(make_smtp_server):
    server = make_smtp_server(auth={"desk": "pw"})
    _send(server, login=("desk", "pw"))
    assert server.messages[0].auth_login == "desk"


# -- missing servers are errors, not skips ---------------------------------------------------
def test_missing_postgres_binaries_raise(monkeypatch, tmp_path):
    from tests.harness import postgres

    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(postgres.shutil, "which", lambda name: None)
    with pytest.raises(postgres.PostgresError, match="scripts/test.sh"):
        postgres.PostgresCluster(tmp_path / "pg").start()


def test_missing_dovecot_raises(monkeypatch, tmp_path, tls_cert):
    from tests.harness import dovecot as dovecot_module

    monkeypatch.setattr(dovecot_module.shutil, "which", lambda *a, **k: None)
    with pytest.raises(dovecot_module.DovecotError, match="scripts/test.sh"):
        dovecot_module.Dovecot(tmp_path / "dv", tls_cert).start()
