"""Issue 6, exactly once under concurrency (PostgreSQL, and SQLite too): two daemons on one mailbox and one
database, plus `mailbot ingest` of the same messages, handle each message once and send each
email once. A pause point holds one daemon after it has read a pending message, so the test
proves the workers really went for the same messages."""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest

from tests.integration.loop_helpers import PARTNERS, mailbot, offers, sample, write_config

pytestmark = pytest.mark.integration

FORMS = 200


def forms() -> list[tuple[str, bytes]]:
    """FORMS liaison forms typed in the body, each from its own sender and for its own job (the
    same company and job again would be a corrected form: a revision of the first offer)."""
    base = message_from_bytes(sample("e06_form_in_body.eml"), policy=default_policy)
    text = base.get_body(("plain",)).get_content()
    assert "PLOMBIER CHAUFFAGISTE\n" in text
    out = []
    for n in range(FORMS):
        msg = message_from_bytes(base.as_bytes(), policy=default_policy)
        msg.get_body(("plain",)).set_content(
            text.replace("PLOMBIER CHAUFFAGISTE\n", f"PLOMBIER CHAUFFAGISTE {n:03d}\n"))
        sender = f"recrutement{n}@entreprise{n}.example"
        for name in ("From", "Message-ID", "Return-Path"):
            del msg[name]
        msg["From"] = f"Entreprise {n} <{sender}>"
        msg["Message-ID"] = make_msgid(domain=f"entreprise{n}.example")
        out.append((sender, msg.as_bytes()))
    return out


def daemon(config, log, extra_env: dict | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("MAILBOT_CRASH_AT", "MAILBOT_PAUSE_AT")}
    env.update(extra_env or {})
    return subprocess.Popen([sys.executable, "-m", "mailbot", "run", "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)


def test_two_daemons_and_ingest_handle_each_message_once(tmp_path, dovecot, imap_account,
                                                         smtp_server, db_url):
    config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                          smtp=smtp_server, idle=False)
    assert mailbot("init", "--config", str(config)).returncode == 0
    batch = forms()
    eml_dir = tmp_path / "eml"
    eml_dir.mkdir()
    for index, (_sender, raw) in enumerate(batch):
        dovecot.append(imap_account.username, "INBOX", raw)
        (eml_dir / f"{index:03d}.eml").write_bytes(raw)
    logs = [open(tmp_path / f"daemon{i}.log", "w") for i in (1, 2)]  # noqa: SIM115
    workers = [
        daemon(config, logs[0]),
        # holds 1.5 s after reading each of its first 5 pending messages, before claiming it
        daemon(config, logs[1], {"MAILBOT_PAUSE_AT": "pending_read:1.5:5"}),
    ]
    try:
        ingest = mailbot("ingest", str(eml_dir), "--config", str(config), timeout=600)
        assert ingest.returncode == 0, ingest.stderr
        expected = FORMS * (1 + len(PARTNERS))
        smtp_server.wait_for(expected, timeout=300)
        time.sleep(3)  # anything sent twice would arrive now
        assert all(w.poll() is None for w in workers)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [w.wait(timeout=30) for w in workers]
        for log in logs:
            log.close()
    assert codes == [0, 0]
    listed = offers(config)
    assert len(listed) == FORMS
    assert all(o["status"] == "open" for o in listed)
    sent = smtp_server.messages
    ids = collections.Counter(str(m.message["Message-ID"]) for m in sent)
    assert max(ids.values()) == 1, "a Message-ID was sent twice"
    per_recipient = collections.Counter(r for m in sent for r in m.rcpt_tos)
    for sender, _raw in batch:
        assert per_recipient[sender] == 1, sender
    broadcasts = collections.Counter(
        (re.search(r"CS-\d{4}-\d+", str(m.message["Subject"])).group(0), tuple(m.rcpt_tos))
        for m in sent if m.rcpt_tos[0] not in dict(batch)
    )
    assert len(broadcasts) == FORMS * len(PARTNERS) and max(broadcasts.values()) == 1
    # the paused daemon found messages the others had already claimed or handled
    paused_log = (tmp_path / "daemon2.log").read_text(encoding="utf-8")
    assert re.search(r"message \d+: (claimed elsewhere|not pending), skipped", paused_log) or \
        re.search(r"message \d+: duplicate", paused_log), paused_log[-2000:]
    assert dovecot.list_uids(imap_account.username, "INBOX") == []
