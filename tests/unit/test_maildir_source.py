"""MaildirSource: creation, stable UIDs across instances, incremental fetch, move, waiting."""

from __future__ import annotations

import json
import mailbox
import threading
import time

import pytest

from mailbot.errors import MailbotError
from mailbot.sources.maildir import STATE_FILE, MaildirSource


def raw(n: int) -> bytes:
    return (f"From: s{n}@example.org\nSubject: message {n}\nMessage-ID: <m{n}@example.org>\n\n"
            f"body {n}\n").encode()


def deliver(path, *numbers: int) -> list[str]:
    md = mailbox.Maildir(path, create=True)
    keys = []
    for n in numbers:
        keys.append(md.add(raw(n)))
        time.sleep(0.002)  # distinct delivery times, as real deliveries have
    return keys


def opened(path) -> MaildirSource:
    source = MaildirSource(path)
    source.connect()
    return source


def test_connect_creates_the_maildir_and_its_subfolders(tmp_path):
    source = opened(tmp_path / "md")
    for sub in ("new", "cur", "tmp", ".Traites/new", ".Quarantaine/cur"):
        assert (tmp_path / "md" / sub).is_dir()
    assert (tmp_path / "md" / STATE_FILE).is_file()
    assert source.mailbox == f"maildir://{(tmp_path / 'md').resolve()}"
    source.close()
    source.close()


def test_uids_follow_arrival_and_are_stable_across_instances(tmp_path):
    path = tmp_path / "md"
    deliver(path, 1, 2, 3)
    first = opened(path)
    validity = first.uidvalidity()
    got = list(first.fetch_new(validity, 0))
    assert [m.uid for m in got] == [1, 2, 3]
    assert [m.raw for m in got] == [raw(1), raw(2), raw(3)]
    assert {m.mailbox for m in got} == {first.mailbox}
    deliver(path, 4)
    second = opened(path)
    assert second.uidvalidity() == validity
    again = {m.uid: m.raw for m in second.fetch_new(validity, 0)}
    assert again == {1: raw(1), 2: raw(2), 3: raw(3), 4: raw(4)}


def test_fetch_new_is_incremental_and_limited(tmp_path):
    path = tmp_path / "md"
    deliver(path, 1, 2, 3, 4)
    source = opened(path)
    validity = source.uidvalidity()
    assert [m.uid for m in source.fetch_new(validity, 2)] == [3, 4]
    assert list(source.fetch_new(validity, 4)) == []
    assert [m.uid for m in source.fetch_new(validity, 0, limit=2)] == [1, 2]


def test_messages_read_by_a_mail_client_keep_their_uid(tmp_path):
    path = tmp_path / "md"
    (key,) = deliver(path, 1)
    source = opened(path)
    validity = source.uidvalidity()
    (before,) = source.fetch_new(validity, 0)
    md = mailbox.Maildir(path)
    message = md[key]
    message.set_subdir("cur")
    message.add_flag("S")
    md[key] = message  # moves it new/ → cur/ with ":2,S", as a mail client does
    assert list((path / "cur").iterdir())
    (after,) = opened(path).fetch_new(validity, 0)
    assert after.uid == before.uid


def test_move_files_into_the_subfolder_and_uids_are_never_reused(tmp_path):
    path = tmp_path / "md"
    deliver(path, 1, 2)
    source = opened(path)
    validity = source.uidvalidity()
    assert source.move(validity, 1, "Traites") is True
    assert source.move(validity, 2, "Quarantaine") is True
    assert source.move(validity, 1, "Traites") is False  # already moved
    assert source.move(validity, 99, "Traites") is False
    assert source.move(validity + 1, 2, "Traites") is False  # another UID epoch
    assert [m.get_payload() for m in mailbox.Maildir(path).get_folder("Traites")] == ["body 1\n"]
    assert len(mailbox.Maildir(path).get_folder("Quarantaine")) == 1
    assert len(mailbox.Maildir(path)) == 0
    deliver(path, 3)
    assert [m.uid for m in opened(path).fetch_new(validity, 0)] == [3]


def test_move_creates_a_missing_folder(tmp_path):
    path = tmp_path / "md"
    deliver(path, 1)
    source = opened(path)
    assert source.move(source.uidvalidity(), 1, "Archives")
    assert len(mailbox.Maildir(path).get_folder("Archives")) == 1
    with pytest.raises(MailbotError):
        source.move(source.uidvalidity(), 1, "../escape")


def test_a_damaged_state_file_starts_a_new_epoch(tmp_path):
    path = tmp_path / "md"
    deliver(path, 1)
    source = opened(path)
    old = source.uidvalidity()
    (path / STATE_FILE).write_text("{not json")
    time.sleep(1.01)
    fresh = opened(path)
    assert fresh.uidvalidity() != old
    assert [m.uid for m in fresh.fetch_new(old, 1)] == [1]  # validity changed: everything again
    assert json.loads((path / STATE_FILE).read_text())["next_uid"] == 2


def test_two_instances_assign_distinct_uids(tmp_path):
    path = tmp_path / "md"
    a, b = opened(path), opened(path)
    deliver(path, 1)
    (from_a,) = a.fetch_new(a.uidvalidity(), 0)
    deliver(path, 2)
    got_b = [m.uid for m in b.fetch_new(b.uidvalidity(), 0)]
    assert got_b == [from_a.uid, from_a.uid + 1]


def test_wait_for_new_returns_on_new_mail_timeout_or_stop(tmp_path):
    path = tmp_path / "md"
    source = opened(path)
    started = time.monotonic()
    source.wait_for_new(0.5, lambda: False)
    assert 0.45 < time.monotonic() - started < 1.5
    started = time.monotonic()
    source.wait_for_new(30, lambda: True)
    assert time.monotonic() - started < 0.2
    threading.Timer(0.3, deliver, (path, 1)).start()
    started = time.monotonic()
    source.wait_for_new(30, lambda: False)
    assert time.monotonic() - started < 2.0


def test_unusable_path_is_a_mailbot_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(MailbotError, match="cannot open"):
        MaildirSource(blocker / "md").connect()
