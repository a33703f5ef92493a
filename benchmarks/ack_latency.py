"""Latency from a form's arrival in the mailbox to its acknowledgement accepted by SMTP.

Starts a private Dovecot (IMAP, IDLE) and an aiosmtpd server on 127.0.0.1, runs `mailbot run` (the
daemon, IDLE on) against them with SQLite, then appends N liaison-form emails one after another
(each with a fresh Message-ID) and times append → acknowledgement received (matched by In-Reply-To).
Prints p50/p95/max. Needs dovecot-imapd (installed by scripts/test.sh). Usage:

    .venv/bin/python benchmarks/ack_latency.py [--arrivals 50] [--sample e03_rfc2047_filename.eml]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import make_msgid
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.certs import make_self_signed_cert  # noqa: E402
from tests.harness.dovecot import Dovecot  # noqa: E402
from tests.harness.net import free_port  # noqa: E402

SAMPLES = ROOT / "tests" / "fixtures" / "samples" / "emails"


class Timestamps:
    """aiosmtpd handler: remembers when each In-Reply-To first arrived."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.cond = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        head = envelope.content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        match = re.search(r"^In-Reply-To:\s*(<[^>]+>)", head, re.M | re.I)
        if match:
            with self.cond:
                self.seen.setdefault(match.group(1), now)
                self.cond.notify_all()
        return "250 OK"

    def wait(self, message_id: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while message_id not in self.seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.seen[message_id]


def with_message_id(raw: bytes, message_id: str) -> bytes:
    head, sep, body = raw.partition(b"\n\n") if b"\r\n\r\n" not in raw else raw.partition(b"\r\n\r\n")
    head = re.sub(rb"(?im)^Message-ID:.*$", b"Message-ID: " + message_id.encode(), head, count=1)
    return head + sep + body


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrivals", type=int, default=50)
    parser.add_argument("--sample", default="e03_rfc2047_filename.eml")
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between arrivals")
    args = parser.parse_args()
    template = (SAMPLES / args.sample).read_bytes()

    with tempfile.TemporaryDirectory(prefix="mailbot-bench-") as tmp:
        work = Path(tmp)
        dovecot = Dovecot(work / "dovecot", make_self_signed_cert(work / "certs")).start()
        stamps = Timestamps()
        smtp = Controller(stamps, hostname="127.0.0.1", port=free_port())
        smtp.start()
        account = dovecot.new_account("bench")
        config = work / "config.toml"
        config.write_text(f"""
[database]
url = "sqlite:///{work / 'bench.db'}"
[imap]
host = "127.0.0.1"
port = {account.port}
security = "none"
username = "{account.username}"
password = "{account.password}"
idle = true
poll_seconds = 60
[smtp]
host = "127.0.0.1"
port = {smtp.port}
security = "none"
from_address = "clauses.amiens@exemple-emploi.fr"
[people]
referent = "ref@exemple-emploi.fr"
[[partners]]
name = "ML"
emails = ["ml@exemple-ml.fr"]
[[partners]]
name = "Cap"
emails = ["cap@exemple-cap.fr"]
[[partners]]
name = "PLIE"
emails = ["plie@exemple-plie.fr"]
""")
        daemon = subprocess.Popen([sys.executable, "-m", "mailbot", "run", "--config", str(config)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        latencies: list[float] = []
        lost = 0
        try:
            for index in range(args.arrivals + 1):  # the first one warms the daemon up
                message_id = make_msgid(domain="bench.example")
                raw = with_message_id(template, message_id)
                start = time.monotonic()
                dovecot.append(account.username, "INBOX", raw)
                arrived = stamps.wait(message_id, timeout=30 if index == 0 else 10)
                if arrived is None:
                    lost += 1
                elif index > 0:
                    latencies.append(arrived - start)
                time.sleep(args.gap)
        finally:
            stop = time.monotonic()
            daemon.terminate()
            try:
                daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                daemon.kill()
            stop_seconds = time.monotonic() - stop
            smtp.stop()
            dovecot.stop()
    if not latencies:
        print("no acknowledgement arrived; daemon stderr:\n" + (daemon.stderr.read() or ""))
        return 1
    print(f"arrivals: {len(latencies)} (+1 warm-up), acks missing: {lost}, sample: {args.sample}")
    print(f"ack latency p50: {statistics.median(latencies) * 1000:.0f} ms")
    print(f"ack latency p95: {percentile(latencies, 0.95) * 1000:.0f} ms")
    print(f"ack latency max: {max(latencies) * 1000:.0f} ms")
    print(f"daemon exit after SIGTERM: {stop_seconds:.2f} s (code {daemon.returncode})")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
