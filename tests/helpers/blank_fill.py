"""Fill the generated blank form by code, as a company would, with the values of a sample's truth.

Values are typed the way people write them ('07 54 02 38 27', '19/03/2027', 'Contrat de
professionnalisation', '24,5'); answers of the multi-line fields are spread over several lines.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

from mailbot.blank_form import SECTIONS
from mailbot.outbox.labels_fr import contract_label, number_fr, phone_fr

__all__ = ["FORM_TRUTHS", "expected", "fill_docx", "fill_pdf", "typed_values"]

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"


def _truths() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(SAMPLES.glob("forms/*.truth.json")) + sorted(SAMPLES.glob("emails/*.truth.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        for index, form in enumerate(truth.get("forms") or []):
            found.append((f"{path.name.removesuffix('.truth.json')}#{index}", form))
    return found


#: (sample id, FORM truth) of every sample that holds a liaison form.
FORM_TRUTHS: list[tuple[str, dict]] = _truths()

_MULTILINE = {field.name for section in SECTIONS for field in section.fields if field.multiline}
# Where a person would have started a new line: after ' ;' or before a capital that follows a word.
_LINE_BREAK = re.compile(r"(?<=;) |(?<=[a-zà-ÿ)]) (?=[A-ZÀ-ÖØ-Þ])")


def _typed(name: str, value: object) -> str:
    if name == "company.phone":
        return phone_fr(value)
    if name == "job.recruitment_date":
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    if name == "conditions.contract_type":
        return contract_label(str(value))
    if name == "conditions.weekly_hours":
        return number_fr(value)
    text = str(value)
    if name in _MULTILINE:
        text = "\n".join(_LINE_BREAK.split(text))
    return text


def typed_values(form: dict) -> dict[str, str]:
    """Dotted field name → text as typed into the blank form (empty fields left out)."""
    values = {}
    for section in ("company", "job", "conditions"):
        for name, value in (form.get(section) or {}).items():
            if value is not None:
                values[f"{section}.{name}"] = _typed(f"{section}.{name}", value)
    return values


def expected(form: dict) -> dict:
    """The parse result the filled form must give (the sample's FORM, as its truth says)."""
    return {"kind": "liaison_form", "forms": [form]}


def fill_pdf(data: bytes, values: dict[str, str]) -> bytes:
    """The AcroForm with `values` written by pypdf (appearances left to the viewer)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.set_need_appearances_writer(True)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def fill_docx(data: bytes, values: dict[str, str]) -> bytes:
    """The Word form with each answer cell (found by its label) holding the value, one
    paragraph per line."""
    import docx

    by_label = {field.label: field.name for section in SECTIONS for field in section.fields}
    document = docx.Document(io.BytesIO(data))
    for table in document.tables:
        for row in table.rows:
            label, answer = row.cells
            name = by_label.get(label.text.strip())
            if name is None or name not in values:
                continue
            for paragraph in answer.paragraphs:
                paragraph._p.getparent().remove(paragraph._p)
            for line in values[name].split("\n"):
                answer.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
