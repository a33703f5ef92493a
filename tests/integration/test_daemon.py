"""`mailbot run` as a daemon: IDLE wakes it for new mail; SIGTERM stops it cleanly and quickly."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.integration.loop_helpers import sample, sender_of, write_config

pytestmark = pytest.mark.integration


def _wait_until_waiting(daemon: subprocess.Popen, timeout: float = 60) -> None:
    """Read the daemon's log until it says it waits for new mail (start-up time varies with the
    machine's load); keep draining its log afterwards so it never blocks on a full pipe."""
    ready = threading.Event()

    def drain() -> None:
        for line in daemon.stderr:
            if "waiting for new mail" in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    assert ready.wait(timeout), "the daemon never started waiting for new mail"


@pytest.mark.parametrize("idle", [True, False], ids=["idle", "poll"])
def test_daemon_answers_new_mail_and_stops_on_sigterm(idle, tmp_path, dovecot, imap_account,
                                                       smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server, idle=idle)
    daemon = subprocess.Popen([sys.executable, "-m", "mailbot", "run", "-v", "--config",
                               str(config)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_waiting(daemon)  # its first cycle is over: it waits for new mail
        raw = sample("e03_rfc2047_filename.eml")
        dovecot.append(imap_account.username, "INBOX", raw)
        # IDLE wakes within about a second; polling every 5 s (config) within ~5 s
        messages = smtp_server.wait_for(1 + 3, timeout=4 if idle else 10)
        assert sender_of(raw) in [r.lower() for r in messages[0].rcpt_tos]
        assert daemon.poll() is None  # still running
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=10)
        assert code == 0
        assert time.monotonic() - started < 10
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
