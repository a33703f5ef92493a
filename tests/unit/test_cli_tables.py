"""CLI tables print user data as plain text: no rich markup, no control characters, refs whole."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mailbot.db import make_engine, session_scope
from mailbot.domain.models import InboundMessage, Offer, OutboxMessage

HOSTILE_SUBJECT = "[bold]Gras[/bold] [red]rouge \x1b[31mESC\x1b[0m\rCR\x07 \u202eevil"
HOSTILE_FROM = "[link=http://x.example]a@b.fr[/link]"


def run(*args: str, columns: int = 200) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns)}
    env.pop("MAILBOT_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "mailbot", *args], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[database]
url = "sqlite:///{tmp_path / 'db.sqlite'}"
[smtp]
host = "127.0.0.1"
from_address = "clauses.amiens@exemple-emploi.fr"
[people]
referent = "ref@exemple-emploi.fr"
""", encoding="utf-8")
    assert run("init", "--config", str(path)).returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with session_scope(engine) as session:
        entry = InboundMessage(mailbox="test", dedupe_key="<1@x>", sha256="0", raw=b"x",
                               from_address=HOSTILE_FROM, subject=HOSTILE_SUBJECT,
                               reason="[blink]motif[/blink]\x1b]0;title\x07", flagged=True)
        session.add(entry)
        offer = Offer(ref="CS-2027-123456", title="[bold]Maçon[/bold]\x1b[2J", status="held")
        session.add(offer)
        session.flush()
        session.add(OutboxMessage(message_id="<o1@x>", role="company/ack", offer_id=offer.id,
                                  envelope_from="clauses.amiens@exemple-emploi.fr",
                                  recipients=["[i]c@d.fr[/i]"], subject=HOSTILE_SUBJECT,
                                  raw=b"x", status="held", last_error="[red]550\x1b[0m"))
    engine.dispose()
    # rows written before text was cleaned on the way in (or by another tool) keep their controls
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        conn.execute("UPDATE inboundmessage SET subject = ?, reason = ?",
                     (HOSTILE_SUBJECT, "[blink]motif[/blink]\x1b]0;title\x07"))
        conn.execute("UPDATE outboxmessage SET subject = ?, last_error = ?",
                     (HOSTILE_SUBJECT, "[red]550\x1b[0m"))
        conn.execute("UPDATE offer SET title = ?", ("[bold]Maçon[/bold]\x1b[2J",))
    return path


def _assert_plain(output: str) -> None:
    assert not any(ord(c) < 32 and c not in "\n" for c in output), repr(output)
    assert "\x9b" not in output and "\u202e" not in output


def test_messages_table_prints_subject_literally(cfg):
    result = run("messages", "list", "--config", str(cfg))
    assert result.returncode == 0, result.stderr
    _assert_plain(result.stdout)
    assert "[bold]Gras[/bold]" in result.stdout and "[red]rouge" in result.stdout
    assert "\ufffd[31mESC\ufffd[0m\ufffdCR\ufffd" in result.stdout
    assert "[link=http://x.example]a@b.fr[/link]" in result.stdout
    assert "[blink]motif[/blink]" in result.stdout


def test_outbox_and_offers_tables_print_literally(cfg):
    outbox = run("outbox", "list", "--config", str(cfg))
    assert outbox.returncode == 0, outbox.stderr
    _assert_plain(outbox.stdout)
    assert "[i]c@d.fr[/i]" in outbox.stdout and "[red]550" in outbox.stdout
    offers = run("offers", "list", "--config", str(cfg))
    assert offers.returncode == 0, offers.stderr
    _assert_plain(offers.stdout)
    assert "[bold]Maçon[/bold]" in offers.stdout and "held" in offers.stdout


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_offer_reference_is_never_cut(cfg, columns):
    result = run("offers", "list", "--config", str(cfg), columns=columns)
    assert result.returncode == 0, result.stderr
    assert "CS-2027-123456" in result.stdout


def test_status_filters_take_known_values_only(cfg):
    held = run("outbox", "list", "--status", "held", "--json", "--config", str(cfg))
    assert held.returncode == 0 and '"status": "held"' in held.stdout
    bogus = run("outbox", "list", "--status", "bogus", "--config", str(cfg))
    assert bogus.returncode == 2
    assert "bogus" in bogus.stderr and "pending" in bogus.stderr and "held" in bogus.stderr
    none = run("messages", "list", "--status", "processed", "--json", "--config", str(cfg))
    assert none.returncode == 0 and none.stdout.strip() == "[]"
    journaled = run("messages", "list", "--status", "journaled", "--json", "--config", str(cfg))
    assert journaled.returncode == 0 and '"subject"' in journaled.stdout
    assert run("messages", "list", "--status", "nope", "--config", str(cfg)).returncode == 2


def test_offers_release(cfg):
    unknown = run("offers", "release", "CS-2027-999999", "--config", str(cfg))
    assert unknown.returncode == 1 and "no offer CS-2027-999999" in unknown.stderr
    released = run("offers", "release", "cs-2027-123456", "--config", str(cfg))
    assert released.returncode == 0, released.stderr
    assert "offer CS-2027-123456: 1 email(s) released" in released.stdout
    # released, the offer is settled like any other: this one lacks the required fields
    assert '"status": "incomplete"' in run("offers", "list", "--json", "--config",
                                           str(cfg)).stdout
    again = run("offers", "release", "CS-2027-123456", "--config", str(cfg))
    assert again.returncode == 1 and "not held" in again.stderr
