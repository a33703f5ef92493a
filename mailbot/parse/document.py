"""Open a document (PDF or DOCX) from bytes, safely: sniff its type, refuse what is too big,
corrupt or encrypted with a one-line UnreadableDocument, and hand out its text cheaply.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property

from mailbot.errors import UnreadableDocument
from mailbot.parse.types import Limits

__all__ = ["Document", "load_document", "sniff_type"]


def sniff_type(data: bytes, filename: str = "") -> str | None:
    """'pdf', 'docx', or None, from the bytes first and the file name second."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "docx" if filename.lower().endswith(".docx") else None
        if "word/document.xml" in names:
            return "docx"
        return None
    lower = filename.lower()
    if lower.endswith(".pdf"):
        return "pdf"
    if lower.endswith(".docx"):
        return "docx"
    return None


@dataclass
class Document:
    """A document that opened: its type, bytes, name; text and layout are computed on demand."""

    kind: str  # "pdf" | "docx"
    data: bytes
    filename: str
    limits: Limits = field(default_factory=Limits)

    @cached_property
    def text(self) -> str:
        """Plain text of the whole document (cheap reader: pypdfium2 for PDF, python-docx)."""
        if self.kind == "pdf":
            return _pdf_text(self.data, self.limits)
        return _docx_text(self.data)


def load_document(data: bytes, filename: str = "", limits: Limits | None = None) -> Document:
    """Open `data` as a PDF or DOCX, or raise UnreadableDocument with a one-line reason."""
    limits = limits or Limits()
    if not data:
        raise UnreadableDocument("empty file")
    if len(data) > limits.max_attachment_bytes:
        raise UnreadableDocument(
            f"file too large ({len(data) // (1024 * 1024)} MB > "
            f"{limits.max_attachment_bytes // (1024 * 1024)} MB limit)"
        )
    kind = sniff_type(data, filename)
    if kind == "pdf":
        _check_pdf(data, limits)
    elif kind == "docx":
        _check_docx(data, limits)
    else:
        raise UnreadableDocument("not a PDF or DOCX document")
    return Document(kind=kind, data=data, filename=filename, limits=limits)


_STREAM = re.compile(rb"stream\r?\n")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")


def _check_pdf_streams(data: bytes, limits: Limits) -> None:
    """Refuse a PDF whose Flate streams inflate beyond `max_pdf_stream_bytes` in total.

    Inflates each stream in bounded chunks (never more than the limit in memory), so a small
    file that decompresses to gigabytes is refused in a fraction of a second.
    """
    budget = limits.max_pdf_stream_bytes
    position = 0
    while True:
        found = _STREAM.search(data, position)
        if found is None:
            return
        start = found.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        position = end
        header = data[max(0, found.start() - 512) : found.start()]
        if not _FLATE.search(header.rsplit(b"obj", 1)[-1]):
            continue
        inflater = zlib.decompressobj()
        chunk = data[start:end]
        try:
            while chunk and budget >= 0:
                out = inflater.decompress(chunk, 1 << 20)
                budget -= len(out)
                chunk = inflater.unconsumed_tail
        except zlib.error:
            continue  # a damaged stream: pdfium will judge the document
        if budget < 0:
            raise UnreadableDocument(
                f"PDF streams inflate beyond {limits.max_pdf_stream_bytes // (1024 * 1024)} MB: "
                "refused as a decompression bomb"
            )


def _check_pdf(data: bytes, limits: Limits) -> None:
    import pypdfium2 as pdfium

    _check_pdf_streams(data, limits)

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise UnreadableDocument("PDF is password-protected") from None
        raise UnreadableDocument(f"corrupt or truncated PDF ({exc})") from None
    try:
        pages = len(pdf)
        if pages == 0:
            raise UnreadableDocument("PDF has no pages")
        if pages > limits.max_pdf_pages:
            raise UnreadableDocument(f"PDF has {pages} pages (limit {limits.max_pdf_pages})")
    finally:
        pdf.close()
    if not data.rstrip().endswith(b"%%EOF") and b"%%EOF" not in data[-2048:]:
        raise UnreadableDocument("corrupt or truncated PDF (no end-of-file marker)")


def _check_docx(data: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > limits.max_docx_uncompressed_bytes:
                raise UnreadableDocument(
                    f"DOCX inflates to {total // (1024 * 1024)} MB (limit "
                    f"{limits.max_docx_uncompressed_bytes // (1024 * 1024)} MB): "
                    "refused as a zip bomb"
                )
            if "word/document.xml" not in zf.namelist():
                raise UnreadableDocument("not a Word document (no word/document.xml)")
    except zipfile.BadZipFile:
        raise UnreadableDocument("corrupt or truncated DOCX") from None


def _pdf_text(data: bytes, limits: Limits) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        parts = []
        for index in range(min(len(pdf), limits.max_pdf_pages)):
            page = pdf[index]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(parts).replace("\r\n", "\n").replace("\r", "\n")
    finally:
        pdf.close()


def _docx_text(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on bad input
        raise UnreadableDocument(f"corrupt DOCX ({type(exc).__name__})") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if not cells or cell.text != cells[-1]:
                    cells.append(cell.text)
            lines.append(" : ".join(cells))
    return "\n".join(lines)
