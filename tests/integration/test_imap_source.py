"""ImapSource against a real Dovecot: security modes, folders, incremental fetch, MOVE, IDLE."""

from __future__ import annotations

import threading
import time

import pytest

from mailbot.sources.imap import ImapSource, SourceError
from tests.harness import Dovecot


def raw(n: int) -> bytes:
    return (f"From: sender{n}@example.org\r\nTo: clauses@example.org\r\nSubject: message {n}\r\n"
            f"Message-ID: <m{n}@example.org>\r\n\r\nbody {n}\r\n").encode()


def make_source(account, security: str = "none", **kwargs) -> ImapSource:
    return ImapSource(**account.source_kwargs(security), timeout=10, **kwargs)


@pytest.fixture
def source(imap_account):
    src = make_source(imap_account)
    src.connect()
    yield src
    src.close()


# -- connection ----------------------------------------------------------------------------
@pytest.mark.parametrize("security", ["none", "ssl", "starttls"])
def test_connects_in_each_security_mode(dovecot, imap_account, security):
    dovecot.append(imap_account.username, "INBOX", raw(1))
    src = make_source(imap_account, security)
    src.connect()
    try:
        validity = src.uidvalidity()
        assert [m.raw for m in src.fetch_new(validity, 0)] == [raw(1)]
    finally:
        src.close()
        src.close()  # twice is fine


def test_mailbox_name_is_stable_and_has_no_password(imap_account):
    src = make_source(imap_account)
    assert src.mailbox == (f"imap://{imap_account.username}@127.0.0.1:{imap_account.port}/INBOX")
    assert imap_account.password not in repr(src)


def test_tls_without_the_ca_fails_unless_verification_is_off(imap_account):
    untrusted = ImapSource(**{**imap_account.source_kwargs("ssl"), "ca_file": None}, timeout=10)
    with pytest.raises(SourceError, match="cannot reach|failed"):
        untrusted.connect()
    lax = ImapSource(**{**imap_account.source_kwargs("ssl"), "ca_file": None}, timeout=10,
                     tls_verify=False)
    lax.connect()
    lax.close()


def test_wrong_password_is_a_clear_source_error(imap_account):
    src = ImapSource(**{**imap_account.source_kwargs(), "password": "nope"}, timeout=10)
    with pytest.raises(SourceError, match="refused the login") as info:
        src.connect()
    assert isinstance(info.value, ConnectionError)
    assert "nope" not in str(info.value)


def test_unreachable_server_is_a_source_error(imap_account, tls_cert):
    from tests.harness import free_port

    src = ImapSource("127.0.0.1", free_port(), "none", "u", "p", timeout=2)
    with pytest.raises(SourceError, match="cannot reach"):
        src.connect()


def test_connect_creates_processed_and_quarantine_folders(dovecot, imap_account, source):
    folders = dovecot.list_folders(imap_account.username)
    assert {"INBOX", "Traites", "Quarantaine"} <= set(folders)
    # and does not trip over them the second time
    again = make_source(imap_account)
    again.connect()
    again.close()


def test_folders_follow_the_server_namespace_prefix(tmp_path, tls_cert):
    """A server with an "INBOX." personal namespace (Courier/Cyrus style)."""
    with Dovecot(tmp_path / "ns", tls_cert, namespace_prefix="INBOX.") as server:
        account = server.new_account()
        server.append(account.username, "INBOX", raw(1))
        src = make_source(account, processed_folder="Traites/2024")
        src.connect()
        try:
            validity = src.uidvalidity()
            (message,) = src.fetch_new(validity, 0)
            assert src.move(validity, message.uid, "Traites/2024")
        finally:
            src.close()
        folders = server.list_folders(account.username)
        assert {"INBOX.Traites.2024", "INBOX.Quarantaine"} <= set(folders)
        assert server.folder_messages(account.username, "INBOX.Traites.2024") == [raw(1)]


# -- fetching ------------------------------------------------------------------------------
def test_fetch_new_is_incremental_and_never_returns_old_uids(dovecot, imap_account, source):
    validity = source.uidvalidity()
    assert list(source.fetch_new(validity, 0)) == []
    uids = [dovecot.append(imap_account.username, "INBOX", raw(n)) for n in range(3)]
    got = list(source.fetch_new(source.uidvalidity(), 0))
    assert [m.uid for m in got] == uids
    assert [m.raw for m in got] == [raw(n) for n in range(3)]
    assert {m.mailbox for m in got} == {source.mailbox}
    assert {m.uidvalidity for m in got} == {validity}
    # Nothing new: Dovecot answers `UID SEARCH UID last+1:*` with the last UID; it is dropped.
    assert list(source.fetch_new(validity, uids[-1])) == []
    assert [m.uid for m in source.fetch_new(validity, uids[0])] == uids[1:]
    newer = dovecot.append(imap_account.username, "INBOX", raw(9))
    assert [m.uid for m in source.fetch_new(source.uidvalidity(), uids[-1])] == [newer]


def test_fetch_new_does_not_mark_messages_seen(dovecot, imap_account, source):
    dovecot.append(imap_account.username, "INBOX", raw(1))
    list(source.fetch_new(source.uidvalidity(), 0))
    with dovecot.client(imap_account.username) as client:
        client.select_folder("INBOX", readonly=True)
        assert client.search(["SEEN"]) == []


def test_fetch_new_respects_the_limit_and_chunks(dovecot, imap_account, source, monkeypatch):
    import mailbot.sources.imap as imap_module

    monkeypatch.setattr(imap_module, "_CHUNK_MESSAGES", 2)
    uids = [dovecot.append(imap_account.username, "INBOX", raw(n)) for n in range(5)]
    validity = source.uidvalidity()
    first = [m.uid for m in source.fetch_new(validity, 0, limit=3)]
    assert first == uids[:3]
    # more is waiting: wait_for_new returns at once
    started = time.monotonic()
    source.wait_for_new(10, lambda: False)
    assert time.monotonic() - started < 0.5
    assert [m.uid for m in source.fetch_new(validity, first[-1], limit=3)] == uids[3:]


def test_uidvalidity_change_fetches_everything(dovecot, imap_account):
    folder = "Clauses"
    dovecot.append(imap_account.username, folder, raw(1))
    src = make_source(imap_account, folder=folder)
    src.connect()
    try:
        old = src.uidvalidity()
        (first,) = src.fetch_new(old, 0)
        assert list(src.fetch_new(old, first.uid)) == []
        dovecot.recreate_folder(imap_account.username, folder)
        dovecot.append(imap_account.username, folder, raw(2))
        dovecot.append(imap_account.username, folder, raw(3))
        new = src.uidvalidity()  # the source reconnects if the server dropped it
        assert new != old
        # the caller still holds the old validity and a high last_uid: everything comes back
        got = list(src.fetch_new(old, 50))
        assert [m.raw for m in got] == [raw(2), raw(3)]
        assert {m.uidvalidity for m in got} == {new}
        # a move under the old validity names nothing now
        assert src.move(old, got[0].uid, "Traites") is False
    finally:
        src.close()


# -- moving --------------------------------------------------------------------------------
def test_move_to_processed_and_quarantine(dovecot, imap_account, source):
    a = dovecot.append(imap_account.username, "INBOX", raw(1))
    b = dovecot.append(imap_account.username, "INBOX", raw(2))
    validity = source.uidvalidity()
    assert source.move(validity, a, "Traites") is True
    assert source.move(validity, b, "Quarantaine") is True
    assert dovecot.list_uids(imap_account.username, "INBOX") == []
    assert dovecot.folder_messages(imap_account.username, "Traites") == [raw(1)]
    assert dovecot.folder_messages(imap_account.username, "Quarantaine") == [raw(2)]
    # already moved: False, no error
    assert source.move(validity, a, "Traites") is False
    assert source.move(validity, 999, "Traites") is False


def test_move_without_the_move_capability_copies_and_expunges(dovecot, imap_account, source,
                                                              monkeypatch):
    keep = dovecot.append(imap_account.username, "INBOX", raw(1))
    gone = dovecot.append(imap_account.username, "INBOX", raw(2))
    client = source._client
    real = client.has_capability
    monkeypatch.setattr(client, "has_capability", lambda cap: cap != "MOVE" and real(cap))
    assert source.move(source.uidvalidity(), gone, "Traites")
    assert dovecot.list_uids(imap_account.username, "INBOX") == [keep]
    assert dovecot.folder_messages(imap_account.username, "Traites") == [raw(2)]


def test_move_creates_a_missing_target_folder(dovecot, imap_account, source):
    uid = dovecot.append(imap_account.username, "INBOX", raw(1))
    assert source.move(source.uidvalidity(), uid, "Archives/2025")
    assert "Archives.2025" in dovecot.list_folders(imap_account.username)


# -- reconnecting --------------------------------------------------------------------------
def test_reconnects_after_the_connection_drops(dovecot, imap_account, source):
    uid = dovecot.append(imap_account.username, "INBOX", raw(1))
    source._client._imap.sock.shutdown(2)  # the network goes away under us
    assert [m.uid for m in source.fetch_new(source.uidvalidity(), 0)] == [uid]
    source._client._imap.sock.shutdown(2)
    assert source.move(source.uidvalidity(), uid, "Traites")


# -- waiting -------------------------------------------------------------------------------
def _append_later(dovecot, user, delay: float) -> list[float]:
    stamps: list[float] = []

    def run():
        time.sleep(delay)
        dovecot.append(user, "INBOX", raw(7))
        stamps.append(time.monotonic())

    threading.Thread(target=run, daemon=True).start()
    return stamps


def test_idle_wakes_within_a_second_of_new_mail(dovecot, imap_account, source):
    list(source.fetch_new(source.uidvalidity(), 0))
    stamps = _append_later(dovecot, imap_account.username, 0.3)
    source.wait_for_new(20, lambda: False)
    woke = time.monotonic()
    assert stamps, "returned before the mail arrived"
    assert woke - stamps[0] < 1.0
    assert len(list(source.fetch_new(source.uidvalidity(), 0))) == 1


def test_idle_returns_on_timeout_and_on_stop(source):
    list(source.fetch_new(source.uidvalidity(), 0))
    started = time.monotonic()
    source.wait_for_new(0.6, lambda: False)
    assert 0.55 < time.monotonic() - started < 1.8
    stop_at = time.monotonic() + 0.5
    started = time.monotonic()
    source.wait_for_new(30, lambda: time.monotonic() > stop_at)
    assert time.monotonic() - started < 2.0
    # still usable afterwards
    assert list(source.fetch_new(source.uidvalidity(), 0)) == []


def test_wait_returns_at_once_for_mail_that_came_since_the_last_fetch(dovecot, imap_account,
                                                                       source):
    list(source.fetch_new(source.uidvalidity(), 0))
    dovecot.append(imap_account.username, "INBOX", raw(1))
    source.move(source.uidvalidity(), 12345, "Traites")  # some command sees the EXISTS first
    started = time.monotonic()
    source.wait_for_new(20, lambda: False)
    assert time.monotonic() - started < 1.0


def test_poll_fallback_when_idle_is_off(dovecot, imap_account):
    src = make_source(imap_account, idle=False)
    src.connect()
    try:
        list(src.fetch_new(src.uidvalidity(), 0))
        _append_later(dovecot, imap_account.username, 0.1)
        started = time.monotonic()
        src.wait_for_new(1.3, lambda: False)  # sleeps the whole interval, in 1 s steps
        assert 1.25 < time.monotonic() - started < 2.5
        assert len(list(src.fetch_new(src.uidvalidity(), 0))) == 1
        started = time.monotonic()
        src.wait_for_new(30, lambda: True)
        assert time.monotonic() - started < 0.2
    finally:
        src.close()


def test_polls_search_by_uid_range_never_all(dovecot, imap_account, source):
    for n in range(3):
        dovecot.append(imap_account.username, "INBOX", raw(n))
    sent: list[str] = []
    imap = source._client._imap
    real = imap.send

    def spy(data: bytes):
        if b"SEARCH" in data.upper() or b"FETCH" in data.upper():
            sent.append(data.decode().strip().split(" ", 1)[1])  # drop the tag
        return real(data)

    imap.send = spy
    validity = source.uidvalidity()
    list(source.fetch_new(validity, 2))
    list(source.fetch_new(validity + 1, 3))  # another validity: everything, still by UID range
    searches = [c for c in sent if "SEARCH" in c.upper()]
    assert searches == ["UID SEARCH UID 3:*", "UID SEARCH UID 1:*"]
    fetches = [c for c in sent if "FETCH" in c.upper()]
    assert all("BODY.PEEK[]" in c or "RFC822.SIZE" in c for c in fetches)


def test_idle_survives_a_dropped_connection(dovecot, imap_account, source):
    list(source.fetch_new(source.uidvalidity(), 0))
    source._client._imap.sock.shutdown(2)
    started = time.monotonic()
    source.wait_for_new(10, lambda: False)  # reconnects and returns: the caller fetches again
    assert time.monotonic() - started < 3
    uid = dovecot.append(imap_account.username, "INBOX", raw(1))
    assert [m.uid for m in source.fetch_new(source.uidvalidity(), 0)] == [uid]


def test_server_gone_is_a_source_error(tmp_path, tls_cert):
    server = Dovecot(tmp_path / "gone", tls_cert).start()
    try:
        src = make_source(server.new_account())
        src.connect()
    finally:
        server.stop()
    with pytest.raises(SourceError, match="cannot reach .*refused"):
        src.uidvalidity()
    src.close()


def test_idle_is_renewed_periodically(source, monkeypatch):
    import mailbot.sources.imap as imap_module

    monkeypatch.setattr(imap_module, "_REIDLE_SECONDS", 0.3)  # 29 minutes in real life
    list(source.fetch_new(source.uidvalidity(), 0))
    client = source._client
    calls = []
    real_idle = client.idle
    monkeypatch.setattr(client, "idle", lambda: calls.append(time.monotonic()) or real_idle())
    source.wait_for_new(1.0, lambda: False)
    assert len(calls) >= 3
    assert list(source.fetch_new(source.uidvalidity(), 0)) == []  # connection still in shape
