"""Issue 3, point 1: every sample through the real `mailbot parse FILE --json`, against its truth.

Scanned (OCR) samples are scored separately: kind and `ocr: true` must hold, fields are reported
and held to a lower bar (OCR misreads characters).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.compare import compare_result, field_score

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
CASES = sorted(p for p in SAMPLES.glob("*/*") if p.suffix in (".eml", ".pdf", ".docx"))


def _parse(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_cli_output_matches_truth(path: Path) -> None:
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    got = _parse(path)
    if truth.get("ocr"):
        assert got["kind"] == truth["kind"]
        assert got.get("ocr") is True
        right, total = field_score(got, truth)
        print(f"OCR {path.name}: {right}/{total} fields")
        assert right / total >= 0.85
        return
    assert compare_result(got, truth) == []


def test_every_sample_is_covered() -> None:
    assert len(CASES) == len(list(SAMPLES.glob("*/*.truth.json"))) == 28
