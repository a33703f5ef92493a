"""Issue 3, bad input in an email: exit 0, `forms: []`, a top-level problem naming the attachment.

Each case goes through the real `mailbot parse FILE --json` and must finish in bounded time.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from tests.unit.test_forms_limits import deflate_zeros, pdf_with_stream

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(200):
                member.write(b" " * (1 << 20))
    return buffer.getvalue()


def truncated_pdf() -> bytes:
    data = (SAMPLES / "forms" / "f3_text_word_export.pdf").read_bytes()
    return data[: len(data) // 2]


def email_with(filename: str, data: bytes, subtype: str) -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = "Paul Martin <paul.martin@exemple-btp.fr>"
    msg["To"] = "clauses.amiens@exemple-emploi.fr"
    msg["Subject"] = "Formulaire de liaison"
    msg["Message-ID"] = "<bad-attachment@exemple-btp.fr>"
    msg.set_content("Bonjour,\nveuillez trouver ci-joint notre formulaire de liaison.\nCordialement")
    maintype, _, sub = subtype.partition("/")
    msg.add_attachment(data, maintype=maintype, subtype=sub, filename=filename)
    return msg.as_bytes()


CASES = {
    "pdf_stream_bomb": ("fiche.pdf", lambda: pdf_with_stream(deflate_zeros(200)), "application/pdf"),
    "docx_zip_bomb": ("fiche.docx", zip_bomb,
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "truncated_pdf": ("fiche.pdf", truncated_pdf, "application/pdf"),
    "encrypted_pdf": ("fiche.pdf",
                      lambda: _attachment_of(SAMPLES / "emails" / "e14_encrypted_pdf.eml"),
                      "application/pdf"),
    "empty_pdf": ("fiche.pdf", lambda: b"", "application/pdf"),
    "hundred_mb_pdf": ("fiche.pdf", lambda: b"%PDF-1.4\n" + b"0" * (100 << 20), "application/pdf"),
}


def _attachment_of(path: Path) -> bytes:
    from email import message_from_bytes

    msg = message_from_bytes(path.read_bytes(), policy=default_policy)
    return next(part.get_content() for part in msg.iter_attachments())


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_attachment_gives_a_problem_not_a_crash(case, tmp_path):
    filename, make, content_type = CASES[case]
    eml = tmp_path / f"{case}.eml"
    eml.write_bytes(email_with(filename, make(), content_type))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "mailbot", "parse", str(eml), "--json"],
                          capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    result = json.loads(done.stdout)
    assert result["kind"] == "liaison_form"
    assert result["forms"] == []
    assert any(p.startswith(filename) for p in result["problems"]), result["problems"]
    assert elapsed < 30, f"{case} took {elapsed:.1f} s"


def test_unreadable_file_given_directly_is_a_one_line_error(tmp_path):
    path = tmp_path / "cassé.pdf"
    path.write_bytes(truncated_pdf())
    done = subprocess.run([sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
