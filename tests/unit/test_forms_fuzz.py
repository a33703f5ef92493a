"""Fuzz: random bytes and mutated samples never make the form parser raise anything but
UnreadableDocument (from load_document); parse_forms itself never raises."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.errors import UnreadableDocument
from mailbot.parse.document import load_document
from mailbot.parse.forms import FormsResult, parse_forms, parse_forms_in_text
from mailbot.parse.types import Limits

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples" / "forms"
SEEDS = [
    (SAMPLES / name).read_bytes()
    for name in (
        "f1_acroform_semantic.pdf",
        "f2_acroform_opaque_incomplete.pdf",
        "f4_table_invalid_siret.pdf",
        "f5_docx_table_incomplete.docx",
        "f6_docx_paragraphs_incomplete.docx",
    )
]
LIMITS = Limits(ocr=False, max_seconds_per_document=5)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _parse(data: bytes, name: str) -> None:
    try:
        doc = load_document(data, name, LIMITS)
    except UnreadableDocument:
        return
    result = parse_forms(doc, LIMITS)
    assert isinstance(result, FormsResult)
    for form in result.forms:
        assert set(form) >= {"company", "job", "conditions", "missing", "problems"}


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["a.pdf", "a.docx", "a.bin"]))
def test_random_bytes(data: bytes, name: str) -> None:
    _parse(data, name)


@FUZZ
@given(
    st.sampled_from(range(len(SEEDS))),
    st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=64)), max_size=6),
    st.floats(0.05, 1),
)
def test_mutated_samples(seed: int, edits: list[tuple[float, bytes]], keep: float) -> None:
    data = bytearray(SEEDS[seed])
    for where, chunk in edits:
        at = int(where * (len(data) - 1))
        data[at : at + len(chunk)] = chunk
    data = bytes(data[: max(1, int(len(data) * keep))])
    _parse(data, "sample.docx" if data[:2] == b"PK" else "sample.pdf")


@FUZZ
@given(st.text(max_size=2000))
def test_random_text(text: str) -> None:
    assert isinstance(parse_forms_in_text(text), list)
