"""Open a document (PDF or DOCX) from bytes, safely: sniff its type, refuse what is too big,
corrupt or encrypted with a one-line UnreadableDocument, and hand out its text cheaply.
"""

from __future__ import annotations

import copy
import io
import logging
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from xml.etree import ElementTree

from mailbot.errors import UnreadableDocument
from mailbot.parse.types import Limits

__all__ = ["Document", "docx_main_part", "load_document", "sniff_type"]

_PDF_LIBRARY_LOG = logging.getLogger("mailbot.parse.pdflib")


class _RelayToDebug(logging.Handler):
    """PDF libraries' own warnings ("Ignoring wrong pointing object…") become mailbot debug
    lines: in the log with -v, never printed on stderr by themselves."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        _PDF_LIBRARY_LOG.debug("%s: %s", record.name, " ".join(text.split())[:200])


def _relay_pdf_library_logs() -> None:
    for name in ("pypdf", "pdfminer", "pdfplumber"):
        library = logging.getLogger(name)
        if not any(isinstance(h, _RelayToDebug) for h in library.handlers):
            library.addHandler(_RelayToDebug())
        library.propagate = False


_relay_pdf_library_logs()


def sniff_type(data: bytes, filename: str = "") -> str | None:
    """'pdf', 'docx', or None, from the bytes first and the file name second."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        if _zip_index_refusal(data):  # too big to even list: judged by _check_docx if named so
            return "docx" if filename.lower().endswith(".docx") else None
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "docx" if filename.lower().endswith(".docx") else None
        if "word/document.xml" in names:
            return "docx"
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return "docx" if docx_main_part(zf) else None
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            return None
    lower = filename.lower()
    if lower.endswith(".pdf"):
        return "pdf"
    if lower.endswith(".docx"):
        return "docx"
    return None


@dataclass
class Document:
    """A document that opened: its type, bytes, name; text and layout are computed on demand.

    For a DOCX, `data` is the package rebuilt by the inflation check (stored members, exact
    sizes), so every later reader inflates no more than was counted.
    """

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
        data = _check_docx(data, limits)
    else:
        raise UnreadableDocument("not a PDF or DOCX document")
    return Document(kind=kind, data=data, filename=filename, limits=limits)


_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
_INFLATE_STEP = 1 << 20  # most bytes inflated at once
_FEED_STEP = 1 << 16  # compressed bytes fed at once (keeps unconsumed_tail copies small)


def _inflated_size(compressed: bytes | memoryview, cap: int) -> int:
    """Bytes that one zlib stream inflates to, counted in bounded steps, stopping past `cap`.

    Ends when the stream ends (bytes after it, such as the end-of-line before `endstream`, are
    ignored), when the input runs out, or past `cap`: the work is proportional to the stream's
    size. A damaged stream counts what inflated before the damage (pdfium will judge it).
    """
    inflater = zlib.decompressobj()
    view = memoryview(compressed)
    total = 0
    try:
        for offset in range(0, len(view), _FEED_STEP):
            chunk: bytes | memoryview = view[offset : offset + _FEED_STEP]
            while chunk:
                out = inflater.decompress(chunk, _INFLATE_STEP)
                total += len(out)
                if inflater.eof or total > cap:
                    return total
                tail = inflater.unconsumed_tail
                if not out and len(tail) >= len(chunk):
                    break  # no progress (cannot happen with zlib; never spin on it)
                chunk = tail
    except zlib.error:
        pass
    return total


def _check_pdf_streams(data: bytes, limits: Limits) -> None:
    """Refuse a PDF whose Flate streams inflate beyond `max_pdf_stream_bytes` in total.

    Inflates each stream in bounded steps (never more than one step in memory), so a small
    file that decompresses to gigabytes is refused in a fraction of a second, and every
    well-formed stream is counted in time proportional to its size.
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
        position = end + len(b"endstream")
        header = data[max(0, found.start() - 512) : found.start()]
        if not _FLATE.search(header.rsplit(b"obj", 1)[-1]):
            continue
        budget -= _inflated_size(memoryview(data)[start:end], budget)
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


_ZIP_STEP = 1 << 16  # bytes read from a zip member at once
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Word writes; read in bounded steps
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


_MAX_ZIP_ENTRIES = 10_000  # a Word document has tens of parts, a few thousand at most
_MAX_ZIP_DIRECTORY = 2 << 20  # bytes of central directory (zipfile builds one object per entry)


_OFFICE_DOCUMENT = ("/officeDocument/2006/relationships/officeDocument",
                    "/officeDocument/relationships/officeDocument")  # transitional, strict
_WORD_TYPES = ("wordprocessingml.document.main", "wordprocessingml.template.main",
               "ms-word.document.macroenabled.main", "ms-word.template.macroenabled")
_MAX_PACKAGE_XML = 1 << 20  # bytes read of _rels/.rels or [Content_Types].xml


def _package_xml(zf: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    """A small XML part of the package, parsed, or None (absent, too large, malformed)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PACKAGE_XML or info.compress_type not in _ZIP_METHODS:
        return None
    try:
        with zf.open(info) as member:
            return ElementTree.fromstring(member.read(_MAX_PACKAGE_XML + 1))
    except (ElementTree.ParseError, *_ZIP_ERRORS, RuntimeError):
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def docx_main_part(zf: zipfile.ZipFile) -> str | None:
    """The name of a Word package's main document part, found as Office finds it: the package
    relationship of type officeDocument (`_rels/.rels`), whose content type
    (`[Content_Types].xml`) is a Word document's. None when the package is no Word document."""
    names = set(zf.namelist())
    rels = _package_xml(zf, "_rels/.rels")
    target = None
    if rels is not None:
        for rel in rels:
            kind = rel.get("Type") or ""
            if _local(rel.tag) == "Relationship" and kind.endswith(_OFFICE_DOCUMENT):
                if (rel.get("TargetMode") or "").lower() == "external":
                    continue
                target = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
                break
    if target is None:
        return "word/document.xml" if "word/document.xml" in names else None
    if target not in names:
        return None
    types = _package_xml(zf, "[Content_Types].xml")
    if types is None:
        return target if target.startswith("word/") else None
    extension = target.rsplit(".", 1)[-1].lower()
    content_type = ""
    for entry in types:
        tag = _local(entry.tag)
        if tag == "Override" and (entry.get("PartName") or "").lstrip("/") == target:
            content_type = entry.get("ContentType") or ""
            break
        if tag == "Default" and (entry.get("Extension") or "").lower() == extension:
            content_type = content_type or (entry.get("ContentType") or "")
    return target if any(t in content_type.lower() for t in _WORD_TYPES) else None


def _zip_index_refusal(data: bytes) -> str | None:
    """Why the zip's central directory is too big to list, or None (read from its end record, as
    zipfile would, before zipfile builds one object per entry: 250,000 entries cost 2 s, 140 MB)."""
    try:
        end = zipfile._EndRecData(io.BytesIO(data))  # type: ignore[attr-defined]
    except (OSError, ValueError, struct.error):
        return None  # zipfile will call it corrupt
    if not end:
        return None
    entries, size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if entries > _MAX_ZIP_ENTRIES or size > _MAX_ZIP_DIRECTORY:
        return f"corrupt DOCX (zip index of {entries} entries, {size // 1024} KB: refused as a zip bomb)"
    return None


def _zip_bomb(limits: Limits, size: str) -> UnreadableDocument:
    """The refusal of a DOCX that inflates to `size` (worded as labels_fr expects: 'DOCX inflates to')."""
    limit = limits.max_docx_uncompressed_bytes // (1024 * 1024)
    return UnreadableDocument(f"DOCX inflates to {size} (limit {limit} MB): refused as a zip bomb")


def _check_docx(data: bytes, limits: Limits) -> bytes:
    """The DOCX rebuilt from the bytes actually inflated, or UnreadableDocument.

    The zip index is not trusted: every member is inflated in small steps, counting the bytes
    that really come out, and reading stops as soon as a member gives more than its index entry
    declares or the total passes `max_docx_uncompressed_bytes`. The members that passed are
    written to a new, stored (uncompressed) zip with exact sizes, which is what python-docx
    reads afterwards: nothing later inflates more than was counted here.
    """
    budget = limits.max_docx_uncompressed_bytes
    too_big = _zip_index_refusal(data)
    if too_big:
        raise UnreadableDocument(too_big)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            infos = source.infolist()
            declared = sum(info.file_size for info in infos)
            if declared > budget:
                raise _zip_bomb(limits, f"{declared // (1024 * 1024)} MB")
            if docx_main_part(source) is None:
                raise UnreadableDocument("not a Word document (no main document part)")
            last = {info.filename: info for info in infos}  # what a reader gets for a name
            rebuilt = io.BytesIO()
            with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_STORED) as target:
                used = 0
                for info in infos:
                    if info.is_dir():
                        continue
                    if info.compress_type not in _ZIP_METHODS:  # bzip2/LZMA inflate unbounded
                        raise UnreadableDocument("corrupt DOCX (unsupported zip compression method)")
                    keep = target if last[info.filename] is info else None
                    used += _copy_member(source, info, keep, budget - used, limits)
    except RuntimeError as exc:  # zipfile: an encrypted member
        if "encrypted" in str(exc).lower() or "password" in str(exc).lower():
            raise UnreadableDocument("DOCX is password-protected") from None
        raise UnreadableDocument("corrupt or truncated DOCX") from None
    except _ZIP_ERRORS:
        raise UnreadableDocument("corrupt or truncated DOCX") from None
    return rebuilt.getvalue()


def _copy_member(
    source: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: zipfile.ZipFile | None,
    room: int,
    limits: Limits,
) -> int:
    """Inflate one member in small steps into `target` (when given); return its real size.

    zipfile stops a member at the size its index declares; the probe declares one byte more
    than the room left so that an under-declared member shows itself by giving more bytes.
    """
    probe = copy.copy(info)
    probe.file_size = room + 1
    size = 0
    out = None
    with source.open(probe) as member:
        if target is not None:
            out = target.open(zipfile.ZipInfo(info.filename), "w")
        try:
            while chunk := member.read(_ZIP_STEP):
                size += len(chunk)
                if size > info.file_size:
                    raise UnreadableDocument(
                        "DOCX inflates to more than its zip index declares: refused as a zip bomb"
                    )
                if size > room:
                    raise _zip_bomb(limits, "more than the limit")
                if out is not None:
                    out.write(chunk)
        finally:
            if out is not None:
                out.close()
    return size


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
