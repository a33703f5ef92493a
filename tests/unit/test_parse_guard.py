"""The hard time limit around one document: a reader that never returns is cut off."""

import threading
import time
from pathlib import Path

import pytest

from mailbot.mime import Attachment
from mailbot.parse import analysis
from mailbot.parse.guard import DocumentTimeout, time_limit
from mailbot.parse.types import Limits

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"


def test_time_limit_interrupts_a_slow_block():
    started = time.monotonic()
    with pytest.raises(DocumentTimeout, match="longer than 0.2 s"), time_limit(0.2):
        while True:
            time.sleep(0.01)
    assert time.monotonic() - started < 1.0


def test_time_limit_lets_fast_blocks_through_and_disarms():
    with time_limit(1.0):
        pass
    time.sleep(1.2)  # no stray alarm fires after the block


def test_time_limit_is_a_no_op_off_the_main_thread():
    errors = []

    def work():
        try:
            with time_limit(0.05):
                time.sleep(0.2)
        except Exception as exc:  # pragma: no cover - would be the failure
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert errors == []


def test_a_hanging_reader_becomes_a_problem_not_a_hang(monkeypatch):
    def never_returns(doc, limits):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(analysis, "parse_forms", never_returns)
    monkeypatch.setattr(analysis, "_GRACE_SECONDS", 0.0)
    pdf = (SAMPLES / "forms" / "f1_acroform_semantic.pdf").read_bytes()
    attachment = Attachment(filename="fiche.pdf", content_type="application/pdf", data=pdf)
    started = time.monotonic()
    facts = analysis.read_document(attachment, Limits(max_seconds_per_document=0.3))
    assert time.monotonic() - started < 2.0
    assert facts.error and "longer than" in facts.error
    assert facts.forms == []
