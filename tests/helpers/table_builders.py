"""Bordered tables in test documents: PDF (pypdfium2) and DOCX (python-docx).

A document is a list of blocks: a str is a free line (a paragraph), a `Table` is a bordered table.
A table row is a list of cells: a str (lines split on '\\n') or None, which merges the cell with
the one at its left (a section row is one text followed by Nones).

PDF borders come in three drawings companies' tools use: one rectangle per cell ('boxes'), one
path holding the whole grid ('grid'), or separate thin filled rules ('rules', Word's export).
"""

from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass, field

__all__ = ["Table", "docx_tables", "pdf_tables"]


@dataclass
class Table:
    """Rows of cells and the column widths in points (PDF) — DOCX ignores the widths."""

    rows: list[list[str | None]]
    widths: list[float] = field(default_factory=lambda: [170.0, 300.0])


def _spans(row: list[str | None]) -> list[tuple[int, int, str]]:
    """(first column, columns spanned, text) of each cell of a row."""
    cells: list[tuple[int, int, str]] = []
    for index, text in enumerate(row):
        if text is None and cells:
            start, span, first = cells[-1]
            cells[-1] = (start, span + 1, first)
        else:
            cells.append((index, 1, text or ""))
    return cells


def _wrap(text: str, width_pt: float, size: float) -> list[str]:
    """Lines of `text` that fit in `width_pt` (Helvetica: about 0.55 em per character, 0.7 in
    capitals), so no text runs over into the next cell."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        capitals = sum(c.isupper() for c in paragraph) > len(paragraph) / 2
        per_line = max(int(width_pt / (size * (0.7 if capitals else 0.55))), 8)
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > per_line:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        out.append(line)
    return out


def _draw_grid(grid: list[tuple[float, float, float, float]], stroke) -> None:
    """One path for the grid lines drawn so far on the current page (then forgotten)."""
    import pypdfium2.raw as raw

    if grid:
        path = raw.FPDFPageObj_CreateNewPath(ctypes.c_float(grid[0][0]), ctypes.c_float(grid[0][1]))
        for x0, y0, x1, y1 in grid:
            raw.FPDFPath_MoveTo(path, ctypes.c_float(x0), ctypes.c_float(y0))
            raw.FPDFPath_LineTo(path, ctypes.c_float(x1), ctypes.c_float(y1))
        stroke(path)
        grid.clear()


def pdf_tables(blocks: list, style: str = "boxes", size: float = 9.0) -> bytes:
    """A text PDF with free lines and bordered tables drawn in `style` (boxes, grid or rules)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    font = raw.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
    leading = size * 1.35
    state = {"page": None, "y": 0.0}

    def new_page() -> None:
        if state["page"] is not None:
            raw.FPDFPage_GenerateContent(state["page"].raw)
            state["page"].close()
        state["page"] = pdf.new_page(595, 842)
        state["y"] = 800.0

    def text(x: float, y: float, line: str) -> None:
        obj = raw.FPDFPageObj_CreateTextObj(pdf.raw, font, ctypes.c_float(size))
        buffer = ctypes.create_string_buffer((line + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)))
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
        raw.FPDFPage_InsertObject(state["page"].raw, obj)

    def stroke(path) -> None:
        raw.FPDFPageObj_SetStrokeColor(path, 0, 0, 0, 255)
        raw.FPDFPageObj_SetStrokeWidth(path, ctypes.c_float(0.6))
        raw.FPDFPath_SetDrawMode(path, 0, 1)
        raw.FPDFPage_InsertObject(state["page"].raw, path)

    def rule(x: float, y: float, w: float, h: float) -> None:
        rect = raw.FPDFPageObj_CreateNewRect(*(ctypes.c_float(v) for v in (x, y, w, h)))
        raw.FPDFPageObj_SetFillColor(rect, 0, 0, 0, 255)
        raw.FPDFPath_SetDrawMode(rect, raw.FPDF_FILLMODE_ALTERNATE, 0)
        raw.FPDFPage_InsertObject(state["page"].raw, rect)

    new_page()
    for block in blocks:
        if isinstance(block, str):
            if state["y"] < 60:
                new_page()
            text(60, state["y"], block)
            state["y"] -= leading
            continue
        edges = [60.0]
        for width in block.widths:
            edges.append(edges[-1] + width)
        grid: list[tuple[float, float, float, float]] = []  # lines (x0, y0, x1, y1) of a 'grid'

        for row in block.rows:
            cells = _spans(row)
            wrapped = [_wrap(t, edges[c + s] - edges[c] - 8, size) for c, s, t in cells]
            height = leading * max(len(w) for w in wrapped) + 6
            if state["y"] - height < 50:
                _draw_grid(grid, stroke)  # the lines of the rows on this page stay on it
                new_page()
            top = state["y"]
            for (col, span, _), lines in zip(cells, wrapped, strict=True):
                x0, x1 = edges[col], edges[col + span]
                for number, line in enumerate(lines):
                    if line:
                        text(x0 + 4, top - 3 - size - leading * number, line)
                if style == "boxes":
                    box = raw.FPDFPageObj_CreateNewRect(
                        *(ctypes.c_float(v) for v in (x0, top - height, x1 - x0, height))
                    )
                    stroke(box)
                elif style == "rules":
                    rule(x0, top - 0.4, x1 - x0, 0.8)
                    rule(x0, top - height - 0.4, x1 - x0, 0.8)
                    rule(x0 - 0.4, top - height, 0.8, height)
                    rule(x1 - 0.4, top - height, 0.8, height)
                else:
                    grid += [(x0, top, x1, top), (x0, top - height, x1, top - height)]
                    grid += [(x0, top - height, x0, top), (x1, top - height, x1, top)]
            state["y"] = top - height
        _draw_grid(grid, stroke)
        state["y"] -= leading
    raw.FPDFPage_GenerateContent(state["page"].raw)
    state["page"].close()
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


def docx_tables(blocks: list) -> bytes:
    """A DOCX with paragraphs and bordered tables (merged cells for None)."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        width = max(len(row) for row in block.rows)
        table = document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for row in block.rows:
            cells = table.add_row().cells
            for col, span, text in _spans(row):
                cell = cells[col].merge(cells[col + span - 1]) if span > 1 else cells[col]
                lines = text.split("\n")
                cell.text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
