"""Build CV documents in tests: text PDFs (stacked lines, optional second column) and DOCX."""

from __future__ import annotations

import io

from tests.helpers.pdf_builder import PdfPage, build_pdf

__all__ = ["cv_docx", "cv_pdf"]

Line = str | tuple[str, float]


def _stack(lines: list[Line], x: float, top: float, size: float) -> list[tuple]:
    out = []
    y = top
    for line in lines:
        text, font = (line, size) if isinstance(line, str) else line
        if text:
            out.append((x, y, text, font))
        y -= font * 1.6 if text else size
    return out


def cv_pdf(
    lines: list[Line], *, side: list[Line] | None = None, size: float = 10.5, header: list[Line] | None = None
) -> bytes:
    """A one-page CV: `header` lines across the top, `lines` in the main column (right of the
    `side` column when there is one). A line is a text or (text, font size)."""
    texts: list[tuple] = []
    top = 800.0
    if header:
        texts += _stack(header, 50, top, size)
        top -= 30 * len(header) + 10
    if side:
        texts += _stack(side, 40, top, size - 1)
        texts += _stack(lines, 230, top, size)
    else:
        texts += _stack(lines, 60, top, size)
    return build_pdf([PdfPage(texts=texts)])


def cv_docx(
    paragraphs: list[str],
    *,
    header: list[str] | None = None,
    table: list[list[str]] | None = None,
    headings: tuple[str, ...] = (),
) -> bytes:
    """A DOCX CV: optional section-header lines, an optional table first (one row of cells,
    "\\n" for line breaks), then paragraphs; those in `headings` use the Heading 1 style."""
    import docx

    document = docx.Document()
    if header:
        section_header = document.sections[0].header
        section_header.paragraphs[0].text = header[0]
        for text in header[1:]:
            section_header.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    for text in paragraphs:
        if text in headings:
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
