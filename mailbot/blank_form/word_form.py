"""The blank liaison form as a Word document (python-docx): one table per section, label | empty cell.

The labels are the PDF's; the answer cells are empty so that what the company types is all the
cell holds (several lines in a cell are one answer).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from mailbot.blank_form.content import INTRO, SECTIONS, TITLE, addressed_to, market_line

__all__ = ["blank_docx"]

_LABEL_WIDTH = Cm(5.5)
_ANSWER_WIDTH = Cm(11.0)


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _min_height(row, height: Cm) -> None:
    row.height = height


def blank_docx(company_name: str | None = None, market: str | None = None) -> bytes:
    """The Word form; with a company, its name is printed and written in the first answer cell."""
    name = " ".join((company_name or "").split())
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)
    document.core_properties.title = TITLE
    document.add_heading(TITLE, level=1)
    for line in (addressed_to(name), market_line(market)):
        if line:
            document.add_paragraph().add_run(line).bold = True
    for text in INTRO:
        document.add_paragraph(text)
    for section in SECTIONS:
        document.add_heading(section.heading, level=2)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for field in section.fields:
            row = table.add_row()
            label, answer = row.cells
            label.width, answer.width = _LABEL_WIDTH, _ANSWER_WIDTH
            label.paragraphs[0].add_run(field.label).bold = True
            _shade(label, "EEF2F8")
            if field.multiline:
                _min_height(row, Cm(2.0))
            if field.name == "company.legal_name" and name:
                answer.paragraphs[0].add_run(name)
        hints = [f"{f.label} — {f.hint}" for f in section.fields if f.hint]
        if hints:
            note = document.add_paragraph()
            run = note.add_run(" · ".join(hints))
            run.italic = True
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
