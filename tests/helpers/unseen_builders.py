"""Small builders for the held-out form corpus: DOCX documents, text PDFs, expected FORM dicts."""

from __future__ import annotations

import io
from dataclasses import dataclass

from mailbot.parse.types import FORM_FIELDS
from tests.helpers.pdf_builder import PdfPage, build_pdf

__all__ = ["Alt", "docx_bytes", "expect", "pdf_lines"]


@dataclass(frozen=True)
class Alt:
    """An expected value where several readings are acceptable (None: leaving it empty is fine)."""

    values: tuple

    def __init__(self, *values) -> None:
        object.__setattr__(self, "values", values)


_SECTIONS = FORM_FIELDS


def expect(**values) -> dict:
    """A full expected FORM (fields not given are expected empty: None)."""
    form: dict = {section: dict.fromkeys(names) for section, names in _SECTIONS.items()}
    for name, value in values.items():
        for section, names in _SECTIONS.items():
            if name in names:
                form[section][name] = value
                break
        else:
            raise KeyError(name)
    return form


def docx_bytes(blocks: list) -> bytes:
    """A DOCX from blocks: a str is a paragraph; a list of rows (lists of cell texts) is a table.

    In a table row, None merges the cell with the one at its left; '\\n' in a cell makes paragraphs.
    """
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        width = max(len(row) for row in block)
        table = document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for row in block:
            cells = table.add_row().cells
            start = 0
            for index in range(width):
                text = row[index] if index < len(row) else None
                if text is None and index > 0:
                    cells[start].merge(cells[index])
                    continue
                start = index
                lines = (text or "").split("\n")
                cells[index].text = lines[0]
                for line in lines[1:]:
                    cells[index].add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_lines(rows: list, size: float = 10, rules: bool = False, leading: float = 14) -> bytes:
    """A text PDF from rows top to bottom: a row is a str (at x=60) or a list of (x, text) items.

    rules: draw horizontal rules above and under every row holding two items or more (a bordered
    table).
    An empty row is a blank line; pages break automatically.
    """
    pages = [PdfPage()]
    y = 800.0
    in_table = False
    for row in rows:
        if y < 60:
            pages.append(PdfPage())
            y = 800.0
        items = [(60.0, row)] if isinstance(row, str) else row
        for x, text in items:
            if text:
                pages[-1].texts.append((float(x), y, text, size))
        if rules and len(items) >= 2:
            if not in_table:
                pages[-1].rules.append((55, y + leading - 4, 490))
            pages[-1].rules.append((55, y - 4, 490))
        in_table = len(items) >= 2
        y -= leading
    return build_pdf(pages)
