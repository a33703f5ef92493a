"""Bad documents trip their limit quickly: refused by load_document, or a problem from parse_forms."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from mailbot.errors import UnreadableDocument
from mailbot.parse.document import load_document
from mailbot.parse.forms import parse_forms
from mailbot.parse.types import Limits

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples" / "forms"


def pdf_with_stream(body: bytes, flate: bool = True) -> bytes:
    """A one-page PDF whose content stream is `body` (already compressed when flate)."""
    filters = b" /Filter /FlateDecode" if flate else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d%s >>\nstream\n" % (len(body), filters) + body + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def deflate_zeros(megabytes: int) -> bytes:
    packer = zlib.compressobj(1)
    chunk = b"\0" * (1 << 20)
    return b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()


def _refused(data: bytes, name: str, limits: Limits | None = None) -> str:
    started = time.monotonic()
    with pytest.raises(UnreadableDocument) as caught:
        load_document(data, name, limits)
    assert time.monotonic() - started < 3
    return str(caught.value)


def test_pdf_stream_inflating_to_gigabytes_is_refused() -> None:
    bomb = pdf_with_stream(deflate_zeros(80))  # 80 MB of zeros in ~80 kB
    assert len(bomb) < 1_000_000
    assert "bomb" in _refused(bomb, "bomb.pdf")


def test_stream_limit_is_configurable() -> None:
    limits = Limits(max_pdf_stream_bytes=8 << 20)
    assert "bomb" in _refused(pdf_with_stream(deflate_zeros(9)), "x.pdf", limits)


def test_small_flate_stream_is_accepted() -> None:
    doc = load_document(pdf_with_stream(zlib.compress(b"BT ET")), "ok.pdf")
    assert parse_forms(doc).forms == []


def test_docx_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b" " * (1 << 20)
            for _ in range(100):
                member.write(chunk)
    assert "zip bomb" in _refused(buffer.getvalue(), "bomb.docx")


def test_hundred_megabyte_file_is_refused() -> None:
    data = b"%PDF-1.4\n" + b"0" * (100 * 1024 * 1024)
    assert "too large" in _refused(data, "big.pdf")


def test_empty_file_is_refused() -> None:
    assert "empty" in _refused(b"", "empty.pdf")


def test_truncated_pdf_is_refused() -> None:
    data = (SAMPLES / "f4_table_invalid_siret.pdf").read_bytes()
    _refused(data[: len(data) // 2], "cut.pdf")


def test_encrypted_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(SAMPLES / "f3_text_word_export.pdf").pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "password" in _refused(buffer.getvalue(), "locked.pdf")


def test_not_a_document_is_refused() -> None:
    _refused(b"GIF89a" + bytes(100), "image.gif")


def test_too_many_pages_is_refused() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(50):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "pages" in _refused(buffer.getvalue(), "long.pdf")


def test_a_failing_reader_gives_a_problem_and_the_next_reader_runs(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    import mailbot.parse.pdf_layout as layout

    monkeypatch.setattr(layout, "table_events", broken)
    path = SAMPLES / "f3_text_word_export.pdf"
    found = parse_forms(load_document(path.read_bytes(), path.name))
    assert len(found.forms) == 1  # the text reader still read it
    assert any("tableau" in p for p in found.problems)


def test_scan_without_ocr_gives_a_problem() -> None:
    path = SAMPLES / "f7_scanned_text.pdf"
    found = parse_forms(load_document(path.read_bytes(), path.name), Limits(ocr=False))
    assert found.forms == [] and found.problems


def test_ocr_stops_at_the_time_limit() -> None:
    path = SAMPLES / "f7_scanned_text.pdf"
    started = time.monotonic()
    found = parse_forms(load_document(path.read_bytes(), path.name), Limits(max_seconds_per_document=0.2))
    assert time.monotonic() - started < 3
    assert found.forms == [] and any("OCR" in p for p in found.problems)
