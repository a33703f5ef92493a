"""The journal never blocks on a poison message: text cleaned, raw bytes kept exact, a message the
database refuses is stored as raw bytes and quarantined, the UID mark always advances."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from mailbot import journal
from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import InboundMessage, Offer, OutboxMessage, UidMark
from mailbot.journal import journal_fetched, journal_raw, pending_ids
from mailbot.sources.base import FetchedMessage

NUL_SUBJECT = (b"Message-ID: <nul.1@x.example>\r\nFrom: =?utf-8?q?Jean=00=1B_Dupont?= <j@x.example>"
               b"\r\nSubject: =?utf-8?q?Bonjour=00=07_=C3=A9t=C3=A9?=\r\n\r\nbody\x00\x01")


@pytest.fixture
def engine(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(e)
    return e


def _mark(engine) -> tuple[int, int]:
    with Session(engine) as session:
        mark = session.get(UidMark, "m")
        return mark.uidvalidity, mark.last_uid


def test_nul_and_controls_in_headers_are_stored_clean_and_raw_stays_exact(engine):
    new_id = journal_fetched(engine, FetchedMessage("m", 1, 5, NUL_SUBJECT))
    with Session(engine) as session:
        row = session.get(InboundMessage, new_id)
        assert row.subject == "Bonjour été"
        assert row.from_address == "Jean Dupont <j@x.example>"
        assert row.raw == NUL_SUBJECT
        assert row.status == "journaled"
    assert _mark(engine) == (1, 5)


def test_every_text_column_and_json_value_is_cleaned_on_flush(engine):
    with session_scope(engine) as session:
        offer = Offer(ref="CS-2027-0001", title="Ma\x00çon\x1b[2J", problems=["p\x00b", "ok"],
                      missing=["x\udcff"])
        outbox = OutboxMessage(message_id="<o@x>", role="company/ack", envelope_from="a@x",
                               recipients=["b\x00@x"], subject="s\x07", raw=b"\x00raw\x01")
        session.add_all([offer, outbox])
    with session_scope(engine) as session:  # an update is cleaned too
        offer = session.exec(select(Offer)).one()
        offer.workplace = "Amiens\x00\x08"
        session.add(offer)
    with Session(engine) as session:
        offer = session.exec(select(Offer)).one()
        assert (offer.title, offer.problems, offer.missing) == ("Maçon[2J", ["pb", "ok"], ["x\ufffd"])
        assert offer.workplace == "Amiens"
        outbox = session.exec(select(OutboxMessage)).one()
        assert (outbox.recipients, outbox.subject, outbox.raw) == (["b@x"], "s", b"\x00raw\x01")


def test_a_message_the_database_refuses_is_kept_raw_quarantined_and_the_mark_advances(
        engine, monkeypatch):
    monkeypatch.setattr(journal, "_summary", lambda raw: ({"not": "bindable"}, None))
    raw = b"Message-ID: <p@x>\r\nSubject: poison\r\n\r\nbody"
    new_id = journal_fetched(engine, FetchedMessage("m", 1, 9, raw))
    assert new_id is not None
    with Session(engine) as session:
        row = session.get(InboundMessage, new_id)
        assert row.status == "quarantined" and row.flagged
        assert row.raw == raw and row.size == len(raw) and row.uid == 9
        assert row.reason.startswith("could not be journaled whole (")
        assert "stored as raw bytes only" in row.reason
    assert _mark(engine) == (1, 9)
    assert pending_ids(engine) == []
    # the next message is journaled normally: nothing is stuck behind the poison one
    monkeypatch.undo()
    assert journal_fetched(engine, FetchedMessage("m", 1, 10, b"Subject: ok\r\n\r\nx")) is not None
    assert _mark(engine) == (1, 10)


def test_ingested_file_the_database_refuses_is_kept_raw_and_quarantined(engine, monkeypatch):
    monkeypatch.setattr(journal, "_summary", lambda raw: (None, object()))
    new_id = journal_raw(engine, "ingest", b"Subject: x\r\n\r\ny")
    with Session(engine) as session:
        assert session.get(InboundMessage, new_id).status == "quarantined"


def test_a_lost_database_fails_the_cycle_instead_of_quarantining(engine, monkeypatch):
    def down(raw):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(journal, "_summary", down)
    with pytest.raises(OperationalError):
        journal_fetched(engine, FetchedMessage("m", 1, 3, b"Subject: x\r\n\r\ny"))
    with Session(engine) as session:
        assert session.exec(select(InboundMessage)).all() == []
        assert session.get(UidMark, "m") is None  # retried next cycle


def test_hostile_headers_never_break_the_summary(engine):
    raw = b"From: Ren\xc3e \xff <r@x.example>\r\nSubject: caf\xe9 \x00\x1b]0;t\x07\r\n\r\n"
    new_id = journal_fetched(engine, FetchedMessage("m", 1, 1, raw))
    with Session(engine) as session:
        row = session.get(InboundMessage, new_id)
        assert row.subject == "café ]0;t"
        assert row.from_address.endswith("<r@x.example>")
