"""A 500-form backlog: `mailbot run --once` against its I/O floor, measured in the same run.

Starts a private Dovecot (IMAP) and an aiosmtpd server on 127.0.0.1, appends N liaison-form
emails (samples e01/e03/e05/e06 in turn, each with a fresh Message-ID and its job title numbered
in its PDF, DOCX or body, so that each is a new offer) to INBOX, configures 3 partners, then:
1. floor, IMAP: a bare imapclient login + SELECT + FETCH BODY.PEEK[] of the N messages;
2. `mailbot run --once` (the real CLI, a subprocess, SQLite): must send N x (1 + partners)
   emails and file the N messages; its wall time and peak RSS (os.wait4 of that process);
3. floor, SMTP: a bare aiosmtplib send of the same emails (the bytes mailbot sent) over one
   connection to the same server.
Prints the time, the floor (1 + 3), the ratio (target <= 3) and the peak RSS (target <= 200 MB).
Needs dovecot-imapd (installed by scripts/test.sh). Usage:

    .venv/bin/python benchmarks/backlog.py [--forms 500] [--profile FILE.prof | FILE.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import email
import email.policy
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from email.utils import make_msgid
from pathlib import Path
from types import SimpleNamespace

import aiosmtplib
import pypdf
from aiosmtpd.controller import Controller
from imapclient import IMAPClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import Dovecot, free_port, make_self_signed_cert  # noqa: E402
from tests.integration.loop_helpers import PARTNERS  # noqa: E402
from tests.integration.loop_helpers import write_config as write_config_for_tests  # noqa: E402

__all__ = ["main"]

SAMPLES = ROOT / "tests" / "fixtures" / "samples" / "emails"
FORMS = ["e01_company_pdf_form.eml", "e03_rfc2047_filename.eml", "e05_docx_octet_stream.eml",
         "e06_form_in_body.eml"]
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.M | re.I)
_ROLE = re.compile(rb"^X-Mailbot-Role:\s*(\S+)", re.M | re.I)


class Recorder:
    """aiosmtpd handler that keeps the raw bytes and counts Message-IDs (no parsing)."""

    def __init__(self) -> None:
        self.raws: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.raws.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 OK"

    def roles(self) -> dict[str, int]:
        """How many emails of each X-Mailbot-Role arrived."""
        counts: dict[str, int] = {}
        with self.lock:
            heads = [raw.split(b"\r\n\r\n", 1)[0] for _, _, raw in self.raws]
        for head in heads:
            found = _ROLE.search(head)
            role = found.group(1).decode() if found else "?"
            counts[role] = counts.get(role, 0) + 1
        return counts

    def message_ids(self) -> list[bytes]:
        with self.lock:
            found = [_MESSAGE_ID.search(raw.split(b"\r\n\r\n", 1)[0]) for _, _, raw in self.raws]
        return [m.group(1) for m in found if m]


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """`raw` with its Message-ID header replaced by `message_id`."""
    sep = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
    head, _, body = raw.partition(sep)
    head = re.sub(rb"(?im)^Message-ID:.*$", b"Message-ID: " + message_id.encode(), head, count=1)
    return head + sep + body


def write_config(path: Path, work: Path, imap_port: int, user: str, password: str,
                 smtp_port: int) -> Path:
    """The loop tests' config (3 partners, polling), flood limits lifted: 500 forms come from
    four senders."""
    write_config_for_tests(
        path, db_url=f"sqlite:///{work / 'backlog.db'}", idle=False,
        imap=SimpleNamespace(host="127.0.0.1", port=imap_port, username=user, password=password),
        smtp=SimpleNamespace(host="127.0.0.1", port=smtp_port),
    )
    with path.open("a", encoding="utf-8") as config:
        config.write("\n[limits]\nanswers_per_sender_per_day = 100000\n"
                     "offers_per_sender_per_day = 100000\n")
    return path


def _retitled_pdf(data: bytes, title: str, new: str) -> bytes:
    """The PDF with `title` replaced by `new` in its form fields and page text (where a letter
    outside ASCII is a one-byte glyph code, written as an octal escape)."""
    suffix = new.removeprefix(title).encode("ascii")
    pattern = re.compile(b"".join(re.escape(c.encode()) if c.isascii() else rb"(?:\\[0-7]{3}|.)"
                                  for c in title))
    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter(clone_from=reader)
    fields = {name: new for name, field in (reader.get_fields() or {}).items()
              if str(field.get("/V") or "") == title}
    for page in writer.pages:
        if fields:
            writer.update_page_form_field_values(page, fields, auto_regenerate=False)
        contents = page.get_contents()
        if contents is not None:
            text, count = pattern.subn(lambda m: m.group(0) + suffix, contents.get_data())
            if count:
                contents.set_data(text)
                page.replace_contents(contents)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _retitled_docx(data: bytes, title: str, new: str) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = content.replace(title.encode("utf-8"), new.encode("utf-8"))
            target.writestr(item, content)
    return out.getvalue()


def distinct_form(raw: bytes, title: str, number: int) -> bytes:
    """The sample form with its job title numbered (`... 017`): since forms from one company
    for one job revise its open offer, each copy must be a job of its own to be a new offer."""
    new = f"{title} {number:03d}"
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    for part in message.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        if part.get_content_type() == "application/pdf":
            part.set_payload(base64.encodebytes(_retitled_pdf(data, title, new)).decode())
        elif (part.get_filename() or "").endswith(".docx"):
            part.set_payload(base64.encodebytes(_retitled_docx(data, title, new)).decode())
        elif part.get_content_type() == "text/plain" and title in part.get_content():
            part.set_content(part.get_content().replace(title, new), cte="quoted-printable")
    return message.as_bytes()


def fill_inbox(dovecot: Dovecot, user: str, count: int) -> None:
    templates = [((SAMPLES / name).read_bytes(),
                  json.loads((SAMPLES / name.replace(".eml", ".truth.json")).read_text(
                      encoding="utf-8"))["forms"][0]["job"]["title"]) for name in FORMS]
    with dovecot.client(user) as client:
        for index in range(count):
            raw, title = templates[index % len(templates)]
            raw = with_message_id(distinct_form(raw, title, index // len(templates) + 1),
                                  make_msgid(domain="backlog.example"))
            client.append("INBOX", raw)


def imap_floor(port: int, user: str, password: str, count: int) -> float:
    """Seconds for a bare login + SELECT + FETCH of every message of INBOX."""
    start = time.perf_counter()
    client = IMAPClient("127.0.0.1", port, ssl=False, timeout=30)
    client.login(user, password)
    client.select_folder("INBOX", readonly=True)
    uids = client.search(["ALL"])
    data = client.fetch(uids, ["BODY.PEEK[]"])
    client.logout()
    elapsed = time.perf_counter() - start
    if len(data) != count:
        raise SystemExit(f"IMAP floor fetched {len(data)} messages, expected {count}")
    return elapsed


async def _smtp_send_all(port: int, emails: list[tuple[str, list[str], bytes]]) -> None:
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, use_tls=False,
                           timeout=30)
    await smtp.connect()
    for mail_from, rcpts, raw in emails:
        await smtp.sendmail(mail_from, rcpts, raw)
    await smtp.quit()


def smtp_floor(port: int, emails: list[tuple[str, list[str], bytes]]) -> float:
    """Seconds for a bare aiosmtplib send of `emails` over one connection."""
    start = time.perf_counter()
    asyncio.run(_smtp_send_all(port, emails))
    return time.perf_counter() - start


def run_mailbot(config: Path, profile: str | None
                ) -> tuple[float, int, int, float, str, list[str]]:
    """`mailbot run --once`: (wall seconds, peak RSS in KiB, peak RSS of it and its worker
    processes together (PSS) in KiB, CPU seconds with its workers', stdout tail, phase times)."""
    python = [sys.executable]
    if profile and profile.endswith(".txt"):  # py-spy's collapsed stacks (CPU)
        spy = Path(sys.executable).with_name("py-spy")
        if not spy.exists():
            raise SystemExit(f"{spy} is missing: pip install -e '.[bench]'")
        python = [str(spy), "record", "--format", "raw", "--rate", "100", "-o", profile, "--", sys.executable]
    elif profile:
        python += ["-m", "cProfile", "-o", profile]
    command = [*python, "-m", "mailbot", "run", "--once", "--config", str(config)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    tree_peak = [0]
    cpu: dict[str, float] = {}
    sampler = threading.Thread(target=_sample_tree_rss, args=(proc.pid, tree_peak, cpu),
                               daemon=True)
    sampler.start()
    out, err = _communicate(proc)
    _, status, usage = os.wait4(proc.pid, 0)
    sampler.join()  # this process's own rusage (peak RSS)
    elapsed = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"mailbot run --once exited {code}:\n{err[-3000:]}")
    phases = [line.split("cycle: ", 1)[1] for line in err.splitlines() if "cycle: " in line]
    phases += [line.split(": ", 1)[1] for line in err.splitlines() if "parsed ahead:" in line]
    children = " + ".join(f"{v:.1f}" for k, v in sorted(cpu.items(), key=lambda kv: int(
        kv[0].split()[1]) if kv[0].startswith("child") else 0) if k.startswith("child"))
    phases.append(f"CPU sampled: main thread {cpu.get('main thread', 0):.1f} s, other threads "
                  f"{cpu.get('other threads', 0):.1f} s, child processes (in pid order) "
                  f"{children or '-'} s")
    return (elapsed, usage.ru_maxrss, tree_peak[0], usage.ru_utime + usage.ru_stime, out[-400:],
            phases)


def _pss_kib(pid: int) -> int:
    """Proportional set size: pages shared after fork are split between the processes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(stat_path: str) -> float | None:
    """utime + stime of a process or thread, from its /proc stat file."""
    try:
        with open(stat_path, encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, ValueError, IndexError):
        return None


def _sample_cpu(pid: int, cpu: dict[str, float]) -> None:
    """The CPU seconds so far of `pid`'s main thread, its other threads and its children."""
    threads = 0.0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in tids:
        seconds = _cpu_seconds(f"/proc/{pid}/task/{tid}/stat")
        if seconds is not None:
            if int(tid) == pid:
                cpu["main thread"] = seconds
            else:
                threads += seconds
    cpu["other threads"] = max(cpu.get("other threads", 0.0), threads)
    for child in _children(pid):
        seconds = _cpu_seconds(f"/proc/{child}/stat")
        if seconds is not None:
            key = f"child {child}"
            cpu[key] = max(cpu.get(key, 0.0), seconds)


def _sample_tree_rss(pid: int, peak: list[int], cpu: dict[str, float]) -> None:
    """Every 0.1 s until `pid` ends: the memory of it and its children (PSS summed); the
    highest sum goes to peak[0]; CPU seconds by thread and child go to `cpu`."""
    while os.path.exists(f"/proc/{pid}") and _pss_kib(pid):
        peak[0] = max(peak[0], _pss_kib(pid) + sum(_pss_kib(c) for c in _children(pid)))
        _sample_cpu(pid, cpu)
        time.sleep(0.1)


def _communicate(proc: subprocess.Popen) -> tuple[str, str]:
    """Read stdout/stderr to the end without reaping the process (os.wait4 does that)."""
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream) -> None:
        chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=("out", proc.stdout)),
               threading.Thread(target=drain, args=("err", proc.stderr))]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    return (chunks["out"].decode("utf-8", "replace"), chunks["err"].decode("utf-8", "replace"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=500)
    parser.add_argument("--profile", help="write a cProfile of the mailbot process to this file "
                        "(FILE.txt: py-spy's collapsed stacks of its own process, CPU only; "
                        "needs the 'bench' extra)")
    args = parser.parse_args()
    expected = args.forms * (1 + len(PARTNERS))

    load = os.getloadavg()  # the machine may be shared: say how busy it was
    with tempfile.TemporaryDirectory(prefix="mailbot-backlog-") as tmp:
        work = Path(tmp)
        dovecot = Dovecot(work / "dovecot", make_self_signed_cert(work / "certs")).start()
        recorder = Recorder()
        smtp = Controller(recorder, hostname="127.0.0.1", port=free_port())
        smtp.start()
        try:
            account = dovecot.new_account("backlog")
            fill_inbox(dovecot, account.username, args.forms)
            config = write_config(work / "config.toml", work, account.port, account.username,
                                  account.password, smtp.port)
            init = subprocess.run([sys.executable, "-m", "mailbot", "init", "--config",
                                   str(config)], capture_output=True, text=True)
            if init.returncode != 0:
                raise SystemExit(f"mailbot init failed:\n{init.stderr}")

            fetch_seconds = imap_floor(account.port, account.username, account.password,
                                       args.forms)
            wall, rss_kib, tree_kib, cpu, summary, phases = run_mailbot(config, args.profile)
            sent = list(recorder.raws)
            ids = recorder.message_ids()
            roles = recorder.roles()
            left = dovecot.list_uids(account.username, "INBOX")
            send_seconds = smtp_floor(smtp.port, sent)
        finally:
            smtp.stop()
            dovecot.stop()

    floor = fetch_seconds + send_seconds
    print(f"command: mailbot run --once (SQLite, {len(PARTNERS)} partners), {args.forms} forms")
    print(f"mailbot said: {summary.strip().splitlines()[-1] if summary.strip() else '-'}")
    print(f"emails sent: {len(sent)} (expected {expected}), distinct Message-IDs: {len(set(ids))}, "
          f"left in INBOX: {len(left)}")
    print("by role: " + ", ".join(f"{role} {count}" for role, count in sorted(roles.items())))
    print(f"run --once wall time: {wall:.1f} s (CPU {cpu:.1f} s; load average before "
          f"{load[0]:.1f})")
    print(f"phases: {'; '.join(phases) or '-'}")
    print(f"I/O floor: {floor:.1f} s (bare FETCH {fetch_seconds:.2f} s + bare aiosmtplib send of "
          f"{len(sent)} emails {send_seconds:.2f} s)")
    print(f"ratio: {wall / floor:.1f} (target <= 3)")
    print(f"peak RSS of mailbot: {rss_kib / 1024:.0f} MB (target <= 200 MB); with its parse "
          f"worker: {tree_kib / 1024:.0f} MB (PSS summed, sampled every 0.1 s)")
    ok = len(sent) == expected and len(set(ids)) == expected and not left
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
