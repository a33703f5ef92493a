"""Peak memory and time of the hostile batch: tests/helpers/hostile.py's messages (1 MB header,
1,000 parts, 3,000-deep nesting, a DOCX zip bomb under-declaring 1 GB, controls, 8-bit headers)
interleaved with five valid forms, in a private Dovecot INBOX, handled by `mailbot run --once` and
by the daemon (`mailbot run`, IDLE), with SQLite. Peak RSS is the child's ru_maxrss (wait4).
Target: peak RSS <= 300 MB. Needs dovecot-imapd (installed by scripts/test.sh). Usage:

    .venv/bin/python benchmarks/hostile.py [--mode once|daemon|both]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.certs import make_self_signed_cert  # noqa: E402
from tests.harness.dovecot import Dovecot  # noqa: E402
from tests.harness.net import free_port  # noqa: E402
from tests.helpers.hostile import hostile_messages, valid_forms  # noqa: E402
from tests.integration.loop_helpers import write_config  # noqa: E402

TARGET_MB = 300


class Counter:
    """aiosmtpd handler: counts accepted emails."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def batch() -> list[bytes]:
    hostile, valid = hostile_messages(), valid_forms()
    out: list[bytes] = []
    for index, (_name, raw) in enumerate(hostile):
        out.append(raw)
        if index % 2 == 1 and valid:
            out.append(valid.pop(0)[1])
    return out + [raw for _n, raw in valid]


def mailbot(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mailbot", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def reap(process: subprocess.Popen) -> tuple[int, float]:
    """Wait for `process`; its exit code and peak RSS in MB."""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024


def statuses(config: Path) -> list[str]:
    out = subprocess.run([sys.executable, "-m", "mailbot", "messages", "list", "--json",
                          "--config", str(config)], capture_output=True, text=True, check=True)
    return [row["status"] for row in json.loads(out.stdout)]


def run(mode: str, dovecot: Dovecot, smtp_port: int, counter: Counter, work: Path,
        raws: list[bytes]) -> bool:
    account = dovecot.new_account(mode)
    config = work / f"{mode}.toml"
    write_config(config, db_url=f"sqlite:///{work / f'{mode}.db'}", imap=account,
                 smtp=SimpleNamespace(host="127.0.0.1", port=smtp_port))
    init = subprocess.run([sys.executable, "-m", "mailbot", "init", "--config", str(config)],
                          capture_output=True)
    if init.returncode:
        print(f"{mode}: mailbot init failed: {init.stderr.decode(errors='replace')}")
        return False
    sent_before = counter.count
    if mode == "once":
        for raw in raws:
            dovecot.append(account.username, "INBOX", raw)
        started = time.monotonic()
        code, peak = reap(mailbot("run", "--once", "--config", str(config)))
        seconds = time.monotonic() - started
    else:
        daemon = mailbot("run", "--config", str(config))
        time.sleep(1.5)
        started = time.monotonic()
        for raw in raws:
            dovecot.append(account.username, "INBOX", raw)
        deadline = started + 600
        while time.monotonic() < deadline:
            if not dovecot.list_uids(account.username, "INBOX"):
                rows = statuses(config)
                if len(rows) == len(raws) and "journaled" not in rows:
                    break
            time.sleep(0.5)
        seconds = time.monotonic() - started
        alive = daemon.poll() is None
        daemon.send_signal(signal.SIGTERM)
        code, peak = reap(daemon)
        if not alive:
            print(f"{mode}: the daemon died during the batch")
    rows = statuses(config)
    left = len(dovecot.list_uids(account.username, "INBOX"))
    print(f"{mode}: {len(raws)} messages ({sum(map(len, raws)) / 2**20:.1f} MB), "
          f"{rows.count('processed')} processed, {rows.count('quarantined')} quarantined, "
          f"{left} left in INBOX, {counter.count - sent_before} emails sent; "
          f"time {seconds:.1f} s; peak RSS {peak:.0f} MB (target <= {TARGET_MB} MB); exit {code}")
    return code == 0 and left == 0 and peak <= TARGET_MB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["once", "daemon", "both"], default="both")
    args = parser.parse_args()
    raws = batch()
    ok = True
    with tempfile.TemporaryDirectory(prefix="mailbot-bench-") as tmp:
        work = Path(tmp)
        dovecot = Dovecot(work / "dovecot", make_self_signed_cert(work / "certs")).start()
        counter = Counter()
        smtp = Controller(counter, hostname="127.0.0.1", port=free_port())
        smtp.start()
        try:
            for mode in (["once", "daemon"] if args.mode == "both" else [args.mode]):
                ok = run(mode, dovecot, smtp.port, counter, work, raws) and ok
        finally:
            smtp.stop()
            dovecot.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
