"""Every liaison-form sample (F1–F6, the forms attached to the e-mail samples, E6's body)
parses exactly as its truth.json says; the scans (F7) are scored separately."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from mailbot.parse.document import load_document
from mailbot.parse.forms import parse_forms, parse_forms_in_text
from mailbot.parse.ocr import tesseract_available
from tests.helpers.compare import compare_result, field_score

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = FIXTURES / "samples"


def _forms(*folders: Path) -> list[Path]:
    return sorted(
        p
        for folder in folders
        for p in folder.iterdir()
        if p.suffix in (".pdf", ".docx") and not p.name.startswith("f7_")
    )


def _result(path: Path) -> dict:
    found = parse_forms(load_document(path.read_bytes(), path.name))
    return {"kind": "liaison_form" if found.forms else "unknown", "forms": found.forms}


def _truth(path: Path) -> dict:
    return json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", _forms(SAMPLES / "forms", FIXTURES / "forms_extra"), ids=lambda p: p.name)
def test_form_sample_matches_truth(path: Path) -> None:
    assert compare_result(_result(path), _truth(path)) == []


def _body(name: str) -> str:
    message = email.message_from_bytes((SAMPLES / "emails" / name).read_bytes(), policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def test_form_typed_in_email_body_matches_truth() -> None:
    truth = json.loads((SAMPLES / "emails" / "e06_form_in_body.truth.json").read_text())
    forms = parse_forms_in_text(_body("e06_form_in_body.eml"))
    assert compare_result({"kind": "liaison_form", "forms": forms}, truth) == []


@pytest.mark.parametrize("name", ["e07_referral_one_cv.eml", "e12_newsletter.eml"])
def test_ordinary_email_body_is_not_a_form(name: str) -> None:
    assert parse_forms_in_text(_body(name)) == []


@pytest.mark.parametrize("path", sorted((SAMPLES / "cvs").glob("cv_*.*[fx]")), ids=lambda p: p.name)
def test_cv_is_not_a_form(path: Path) -> None:
    found = parse_forms(load_document(path.read_bytes(), path.name))
    assert found.forms == []


def test_market_line_is_kept_as_extra_key() -> None:
    path = SAMPLES / "forms" / "f4_table_invalid_siret.pdf"
    form = _result(path)["forms"][0]
    assert form["market"] == "Aménagement de la ZAC Intercampus – Lot n° 11"


@pytest.mark.parametrize("path", sorted((SAMPLES / "forms").glob("f7_*.pdf")), ids=lambda p: p.name)
def test_scanned_form_is_read_with_ocr(path: Path) -> None:
    # Never skipped: scripts/test.sh installs tesseract-ocr and tesseract-ocr-fra.
    assert tesseract_available(), "tesseract (fra) is missing: run `bash scripts/test.sh`"
    found = parse_forms(load_document(path.read_bytes(), path.name))
    assert found.ocr is True
    assert len(found.forms) == 1
    form = found.forms[0]
    assert form["ocr"] is True and form["review"] is True
    right, total = field_score({"forms": found.forms}, _truth(path))
    print(f"{path.name}: OCR field score {right}/{total}")
    assert right / total >= 0.8
