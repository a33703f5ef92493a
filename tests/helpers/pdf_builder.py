"""Build small text PDFs in tests (pypdfium2 only): positioned text lines and thin rules."""

from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass, field

__all__ = ["PdfPage", "build_pdf"]


@dataclass
class PdfPage:
    """Text items (x, y, text, size) and horizontal rules (x, y, width), in points, y upwards."""

    texts: list[tuple[float, float, str, float]] = field(default_factory=list)
    rules: list[tuple[float, float, float]] = field(default_factory=list)


def build_pdf(pages: list[PdfPage], width: float = 595, height: float = 842) -> bytes:
    """A PDF (Helvetica, WinAnsi: French accents, €, – and œ work) with the given pages."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    font = raw.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
    for spec in pages:
        page = pdf.new_page(width, height)
        for x, y, text, size in spec.texts:
            obj = raw.FPDFPageObj_CreateTextObj(pdf.raw, font, ctypes.c_float(size))
            buffer = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
            raw.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)))
            raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
            raw.FPDFPage_InsertObject(page.raw, obj)
        for x, y, length in spec.rules:
            rect = raw.FPDFPageObj_CreateNewRect(
                ctypes.c_float(x), ctypes.c_float(y), ctypes.c_float(length), ctypes.c_float(0.8)
            )
            raw.FPDFPageObj_SetFillColor(rect, 0, 0, 0, 255)
            raw.FPDFPath_SetDrawMode(rect, raw.FPDF_FILLMODE_ALTERNATE, 0)
            raw.FPDFPage_InsertObject(page.raw, rect)
        raw.FPDFPage_GenerateContent(page.raw)
        page.close()
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()
