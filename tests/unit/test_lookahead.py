"""Parsing ahead in worker processes gives exactly what parsing in turn gives: a parse is used
only when every database answer it relied on is still the same; otherwise it is redone."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from mailbot import lookahead
from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import Fingerprint
from mailbot.journal import journal_raw
from mailbot.lookahead import Lookups, ParseAhead
from mailbot.parse import parse_email
from mailbot.parse.types import Limits

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "emails"
OWN = ["clauses@agence.example", "referent@agence.example"]


@pytest.fixture
def engine(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(e)
    return e


def _journal(engine, names: list[str]) -> list[int]:
    return [journal_raw(engine, f"ingest-{i}", (SAMPLES / n).read_bytes())
            for i, n in enumerate(names)]


def _in_turn(engine, raw: bytes) -> dict:
    return parse_email(raw, Limits(), own_addresses=OWN, **Lookups(engine).callbacks())


def test_a_parse_ahead_is_the_parse_in_turn(engine):
    names = ["e01_company_pdf_form.eml", "e05_docx_octet_stream.eml", "e06_form_in_body.eml"]
    ids = _journal(engine, names)
    ahead = ParseAhead(engine, Limits(), OWN, workers=1, window=3)
    try:
        ahead.schedule(ids)
        for inbound_id, name in zip(ids, names, strict=True):
            parsed = ahead.result(inbound_id, Lookups(engine))
            assert parsed is not None
            assert parsed == _in_turn(engine, (SAMPLES / name).read_bytes())
        assert (ahead.reused, ahead.reparsed) == (3, 0)
    finally:
        ahead.close()
    assert not multiprocessing.active_children()


def test_an_answer_that_changed_meanwhile_makes_it_parse_again(engine):
    raw = (SAMPLES / "e06_form_in_body.eml").read_bytes()
    [inbound_id] = _journal(engine, ["e06_form_in_body.eml"])
    ahead = ParseAhead(engine, Limits(), OWN, workers=1, window=1)
    try:
        ahead.schedule([inbound_id])
        _parsed, calls = ahead._futures[inbound_id].result()  # parsed ahead, nothing known
        asked = {h for name, argument, _ in calls if name == "known_fingerprints"
                 for h in argument}
        assert asked
        with session_scope(engine) as session:  # as if an earlier handler had sent this text
            session.add_all(Fingerprint(hash=h, anchor=True) for h in asked)
        assert _in_turn(engine, raw) != _parsed  # the answer matters to the parse
        assert ahead.result(inbound_id, Lookups(engine)) is None
        assert ahead.reparsed == 1
    finally:
        ahead.close()


def test_few_pending_messages_start_no_worker(engine):
    assert ParseAhead.maybe(engine, Limits(), OWN, lookahead.MIN_PENDING - 1) is None


def test_a_dead_worker_means_parsing_in_turn(engine):
    [inbound_id] = _journal(engine, ["e06_form_in_body.eml"])
    ahead = ParseAhead(engine, Limits(), OWN, workers=1, window=1)
    try:
        for process in list(ahead._executor._processes.values()):
            process.kill()
            process.join()
        ahead.schedule([inbound_id])
        assert ahead.result(inbound_id, Lookups(engine)) is None
        ahead.schedule([inbound_id])  # broken: nothing more is sent to the workers
        assert inbound_id not in ahead._futures
    finally:
        ahead.close()
