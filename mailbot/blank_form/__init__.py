"""The blank liaison form sent to companies: a fillable PDF and a Word file with the same labels.

`write_blank_forms(out_dir, company_name=…, market=…)` writes both; for a lot, the company's name
is printed and prefilled and the market printed as 'Marché : …' (the line the parser reads back).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mailbot.blank_form.content import SECTIONS, FormField
from mailbot.blank_form.pdf_form import blank_pdf
from mailbot.blank_form.word_form import blank_docx

__all__ = ["SECTIONS", "BlankForms", "FormField", "blank_docx", "blank_pdf", "field_names",
           "write_blank_forms"]

_UNSAFE_NAME = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class BlankForms:
    """Paths of the two files written."""

    pdf: Path
    docx: Path


def field_names() -> list[str]:
    """The dotted names of the form's fields, in the form's order."""
    return [field.name for section in SECTIONS for field in section.fields]


def _stem(company_name: str | None) -> str:
    base = "formulaire-de-liaison"
    if not company_name or not company_name.strip():
        return base
    slug = _UNSAFE_NAME.sub("-", company_name.strip()).strip("-._")[:60]
    return f"{base}-{slug}" if slug else base


def write_blank_forms(out_dir: Path, *, company_name: str | None = None,
                      market: str | None = None) -> BlankForms:
    """Write the PDF and the DOCX into `out_dir` (created if missing) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = _stem(company_name)
    pdf, docx = out_dir / f"{stem}.pdf", out_dir / f"{stem}.docx"
    pdf.write_bytes(blank_pdf(company_name, market))
    docx.write_bytes(blank_docx(company_name, market))
    return BlankForms(pdf, docx)
