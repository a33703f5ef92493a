"""`mailbot parse FILE [--json]`: the real CLI, in a subprocess as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"


def _run(path: Path, as_json: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mailbot", "parse", str(path), *(["--json"] if as_json else [])],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "name,kind",
    [
        ("emails/e07_referral_one_cv.eml", "partner_referral"),
        ("emails/e14_encrypted_pdf.eml", "liaison_form"),
        ("cvs/cv_pdf_classic.pdf", "cv"),
    ],
)
def test_json_output(name, kind):
    done = _run(SAMPLES / name)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # exactly one JSON object
    assert result["kind"] == kind
    assert "Traceback" not in done.stderr


def test_non_ascii_kept_readable():
    done = _run(SAMPLES / "emails/e07_referral_one_cv.eml")
    assert "Rénovation" in done.stdout  # ensure_ascii=False


def test_human_summary():
    done = _run(SAMPLES / "emails/e08_referral_two_cvs.eml", as_json=False)
    assert done.returncode == 0
    assert "kind: partner_referral" in done.stdout
    assert "offer: CS-2027-0025" in done.stdout
    assert "Jean-Baptiste Vasseur" in done.stdout


@pytest.mark.parametrize(
    "name,content,why",
    [
        ("bad.pdf", b"", "empty file"),
        ("bad.pdf", b"%PDF-1.4\n1 0 obj\n<<", "corrupt or truncated PDF"),
        ("bad.pdf", b"just some words", "corrupt or truncated PDF"),
        ("notes.txt", b"just some words, not a document", "not a PDF or DOCX"),
        ("bad.docx", b"PK\x03\x04broken zip", "DOCX"),
    ],
)
def test_unreadable_file_is_one_line_on_stderr_exit_2(tmp_path, name, content, why):
    path = tmp_path / name
    path.write_bytes(content)
    done = _run(path)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"mailbot: cannot read {path}: ")
    assert why in lines[0]


def test_missing_file(tmp_path):
    done = _run(tmp_path / "nope.eml")
    assert done.returncode == 2
    assert done.stderr.startswith("mailbot: cannot read") and "Traceback" not in done.stderr


def test_eml_sniffed_without_extension(tmp_path):
    path = tmp_path / "message"
    path.write_bytes((SAMPLES / "emails/e12_newsletter.eml").read_bytes())
    done = _run(path)
    assert done.returncode == 0 and json.loads(done.stdout)["kind"] == "unknown"


def test_internal_error_is_reported_not_raised(monkeypatch, capsys):
    import mailbot.parse as parse

    def boom(path, limits=None):
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(parse, "parse_file", boom)
    assert parse.main_parse("x.pdf", True) == 2
    err = capsys.readouterr().err
    assert err == "mailbot: cannot read x.pdf: internal error: RuntimeError: kaboom second line\n"
