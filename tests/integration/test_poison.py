"""Issue 6, no poison message: hostile mail among five real forms, handled by the daemon on real
Dovecot, SMTP, SQLite and PostgreSQL. Each hostile message is handled with cleaned text or
quarantined with its real cause; every form is acknowledged; the daemon keeps running."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.db import make_engine, migrate
from mailbot.domain.models import Company, InboundMessage, Offer, Referral, UidMark
from mailbot.journal import journal_fetched
from mailbot.sources.base import FetchedMessage
from tests.helpers.hostile import (
    EIGHT_BIT_FORM,
    EIGHT_BIT_FORM_SENDER,
    hostile_messages,
    valid_forms,
)
from tests.integration.loop_helpers import REF, mailbot, sender_of, write_config

pytestmark = pytest.mark.integration

_CONTROLS = {chr(c) for c in range(32) if chr(c) not in "\t\n"} | {"\x7f"}

# name -> (sender address, expected status, text the reason must hold or None)
EXPECTED = {
    "nul_subject": ("p.roussel@hostile-a.example", "processed", None),
    "controls_from_name": ("j.dupont@hostile-b.example", "processed", None),
    "controls_raw_headers": ("l.martin@hostile-c.example", "processed", None),
    "controls_attachment_name": ("m.senechal@exemple-ai-somme.fr", "processed", None),
    "invalid_utf8": ("r.lefort@hostile-d.example", "processed", None),
    "latin1_headers": ("a.peron@hostile-e.example", "processed", None),
    EIGHT_BIT_FORM: (EIGHT_BIT_FORM_SENDER, "processed", None),
    "header_1mb": ("pad@hostile-f.example", "processed", None),
    "parts_1000": ("parts@hostile-g.example", "quarantined",
                   "message structure: more than 200 MIME parts"),
    "nesting_3000": ("deep@hostile-h.example", "quarantined",
                     "message structure: MIME parts nested too deeply"),
    "docx_bomb": ("contact@bombe-btp.example", "processed",
                  "fiche_liaison.docx: DOCX inflates"),
}


def _interleaved() -> list[tuple[str, bytes]]:
    hostile, valid = hostile_messages(), valid_forms()
    batch: list[tuple[str, bytes]] = []
    for index, item in enumerate(hostile):
        batch.append(item)
        if index % 2 == 1 and valid:
            batch.append(valid.pop(0))
    return batch + valid


def _json(config: Path, *args: str) -> list[dict]:
    result = mailbot(*args, "--json", "--config", str(config))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _lf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n")


def _wait_until_done(config: Path, dovecot, user: str, daemon, count: int,
                     timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert daemon.poll() is None, "the daemon died"
        if not dovecot.list_uids(user, "INBOX"):
            rows = _json(config, "messages", "list", "--limit", "100")
            outbox = _json(config, "outbox", "list", "--limit", "500")
            if (len(rows) == count and all(r["status"] != "journaled" for r in rows)
                    and all(m["status"] == "sent" for m in outbox)):
                return
        time.sleep(2)
    raise AssertionError("the batch was not handled in time")


def test_hostile_batch_handled_by_the_daemon(tmp_path, dovecot, imap_account, smtp_server,
                                             db_url):
    config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                          smtp=smtp_server, idle=True)
    batch = _interleaved()
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen([sys.executable, "-m", "mailbot", "run", "--config", str(config)],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(1.5)  # connected and waiting (IDLE)
        uids = [dovecot.append(imap_account.username, "INBOX", raw) for _name, raw in batch]
        _wait_until_done(config, dovecot, imap_account.username, daemon, len(batch))

        # every form acknowledged once, to its company, with its own offer reference
        sent = list(smtp_server.messages)
        form_senders = [sender_of(raw) for _n, raw in valid_forms()] + [EIGHT_BIT_FORM_SENDER]
        assert len(set(form_senders)) == 6
        for address in form_senders:
            acks = [m for m in sent if address in [r.lower() for r in m.rcpt_tos]]
            assert len(acks) == 1, address
            assert REF.search(str(acks[0].message["Subject"])), address
        offers = _json(config, "offers", "list")
        assert len(offers) == 6
        # no answer to a hostile sender but the bomb's (asked to resend) and the partner's
        hostile_only = {a for n, (a, _s, _r) in EXPECTED.items()
                        if n not in (EIGHT_BIT_FORM, "docx_bomb", "controls_attachment_name")}
        assert not [m for m in sent if hostile_only & {r.lower() for r in m.rcpt_tos}]

        rows = _json(config, "messages", "list", "--limit", "100")
        for name, (address, status, reason) in EXPECTED.items():
            mine = [r for r in rows if address in (r["from"] or "").lower()]
            assert len(mine) == 1, (name, [r["from"] for r in rows])
            row = mine[0]
            assert row["status"] == status, (name, row)
            if reason:
                assert reason in (row["reason"] or ""), (name, row["reason"])
            if status == "quarantined":
                assert "not recognised" not in row["reason"]
                assert row["moved_to"] == "Quarantaine"
        by_from = {r["from"]: r for r in rows}
        assert "Réponse à votre courrier du 3 février" in {r["subject"] for r in rows}
        assert any(r["subject"] == "Question réunion du mardi" for r in rows)
        assert len(next(r for f, r in by_from.items() if "pad@" in f)["subject"]) <= 300
        for text in _strings(rows) + _strings(_json(config, "outbox", "list", "--limit", "500")):
            assert not set(text) & _CONTROLS, repr(text)

        engine = make_engine(db_url)
        with Session(engine) as session:
            henin = session.exec(select(Company).where(Company.siret == "73282932000074")).one()
            assert henin.legal_name == "MENUISERIE HÉNIN ET FILS"
            titles = set(session.exec(select(Offer.title)))
            assert "MENUISIER POSEUR" in titles
            names = set(session.exec(select(Referral.cv_filename)))
            assert names == {"CVCandidate[0m.pdf"}
            raws = {_lf(m.raw) for m in session.exec(select(InboundMessage))}
            assert raws == {_lf(raw) for _n, raw in batch}  # bytes kept (IMAP gives CRLF)
            assert session.exec(select(UidMark)).one().last_uid == max(uids)
        engine.dispose()

        assert dovecot.list_uids(imap_account.username, "INBOX") == []
        assert len(dovecot.list_uids(imap_account.username, "Quarantaine")) == 2
        assert len(dovecot.list_uids(imap_account.username, "Traites")) == len(batch) - 2
        assert daemon.poll() is None  # still running
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=20) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        log.close()
    assert "Traceback" not in (tmp_path / "daemon.log").read_text(errors="replace")


def test_workers_journaling_the_same_uids_at_once(db_url):
    """Three workers journal UIDs 1..40 in different orders at the same time: each UID is
    stored once, nobody fails, and the mark ends at 40 (no lost update)."""
    engine = make_engine(db_url)
    migrate(engine)
    messages = [FetchedMessage("imap://x/INBOX", 9, uid, b"Subject: %d\r\n\r\nbody" % uid)
                for uid in range(1, 41)]
    orders = [messages, list(reversed(messages)), messages[1::2] + messages[::2]]
    results: list[int | None] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(orders))

    def worker(order: list[FetchedMessage]) -> None:
        start.wait()
        try:
            for message in order:
                results.append(journal_fetched(engine, message))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len([r for r in results if r is not None]) == 40
    with Session(engine) as session:
        uids = sorted(session.exec(select(InboundMessage.uid)))
        assert uids == list(range(1, 41))
        assert session.get(UidMark, "imap://x/INBOX").last_uid == 40
    engine.dispose()
