"""Every e-mail and CV sample through parse_file, compared with its truth.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailbot.parse import parse_file
from tests.helpers.compare import compare_result

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"
CASES = sorted(
    p
    for folder in ("emails", "cvs")
    for p in (SAMPLES / folder).iterdir()
    if p.suffix in (".eml", ".pdf", ".docx")
)
KINDS = {"liaison_form", "partner_referral", "auto_reply", "bounce", "unknown", "cv"}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_sample_matches_truth(path: Path):
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    got = parse_file(path)
    assert got["kind"] in KINDS
    json.dumps(got, ensure_ascii=False)  # JSON-ready
    assert compare_result(got, truth) == []
    if truth.get("expect_error_handled"):
        assert got["forms"] == []
        assert got["problems"], "an unreadable attachment must be reported"
        attachment = got["problems"][0].split(": ", 1)[0]
        assert attachment.endswith((".pdf", ".docx"))
    if "ocr" in truth:
        assert got.get("ocr") == truth["ocr"]


def test_machine_messages_are_marked_auto():
    for stem, auto in (
        ("e10_auto_reply_outlook", True),
        ("e10_auto_reply_rfc3834", True),
        ("e11_bounce_dsn", True),
        ("e12_newsletter", True),
        ("e07_referral_one_cv", False),
        ("e01_company_pdf_form", False),
    ):
        assert parse_file(SAMPLES / "emails" / f"{stem}.eml")["auto"] is auto, stem


def test_email_result_carries_sender_and_ids():
    got = parse_file(SAMPLES / "emails" / "e07_referral_one_cv.eml")
    assert got["sender"] == {"address": "m.senechal@exemple-ai-somme.fr", "name": "Mehdi Sénéchal"}
    assert got["message_id"] == "<F25A4A06AF93.e527fe63@exemple-ai-somme.fr>"
    assert got["subject"].startswith("RE : [CS-2027-0018]")
    assert got["flags"] == []
