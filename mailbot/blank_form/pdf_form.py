"""The blank liaison form as a fillable PDF (AcroForm, drawn with reportlab).

Each field is a text field named by its dotted name, stored as a field hierarchy ('company' with
the kid 'legal_name'), so that its fully qualified name is 'company.legal_name' as the PDF
specification wants (a partial name holds no period). Multi-line answers get multi-line fields.
"""

from __future__ import annotations

import io

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from mailbot.blank_form.content import INTRO, SECTIONS, TITLE, FormField, addressed_to, market_line

__all__ = ["blank_pdf"]

_MARGIN = 48.0
_LABEL_WIDTH = 160.0
_FIELD_X = _MARGIN + _LABEL_WIDTH + 10
_FIELD_WIDTH = A4[0] - _MARGIN - _FIELD_X
_LINE = 13.0
_SINGLE_HEIGHT = 20.0
_MULTI_HEIGHT = 58.0
_GAP = 7.0
_GREY = Color(0.35, 0.35, 0.35)
_FILL = Color(0.94, 0.96, 1.0)


class _Writer:
    """A canvas with a cursor moving down the page, starting a new page when needed."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = A4[1] - _MARGIN

    def room(self, height: float) -> None:
        if self.y - height < _MARGIN:
            self.canvas.showPage()
            self.y = A4[1] - _MARGIN

    def paragraph(self, text: str, font: str = "Helvetica", size: float = 10,
                  width: float = A4[0] - 2 * _MARGIN, after: float = 4) -> None:
        lines = simpleSplit(text, font, size, width)
        self.room(len(lines) * (size + 3) + after)
        self.canvas.setFont(font, size)
        for line in lines:
            self.y -= size + 3
            self.canvas.drawString(_MARGIN, self.y, line)
        self.y -= after

    def field(self, field: FormField, value: str) -> None:
        height = _MULTI_HEIGHT if field.multiline else _SINGLE_HEIGHT
        label_lines = simpleSplit(field.label, "Helvetica-Bold", 10, _LABEL_WIDTH)
        hint_lines = simpleSplit(field.hint, "Helvetica-Oblique", 8, _LABEL_WIDTH) if field.hint else []
        needed = max(height, len(label_lines) * _LINE + len(hint_lines) * 10)
        self.room(needed + _GAP)
        top = self.y
        text_y = top - 12
        self.canvas.setFont("Helvetica-Bold", 10)
        for line in label_lines:
            self.canvas.drawString(_MARGIN, text_y, line)
            text_y -= _LINE
        self.canvas.setFont("Helvetica-Oblique", 8)
        self.canvas.setFillColor(_GREY)
        for line in hint_lines:
            self.canvas.drawString(_MARGIN, text_y + 2, line)
            text_y -= 10
        self.canvas.setFillColor(black)
        self.canvas.acroForm.textfield(
            name=field.name, tooltip=field.hint or field.label, value=value,
            x=_FIELD_X, y=top - height, width=_FIELD_WIDTH, height=height,
            fontName="Helvetica", fontSize=0 if field.multiline else 10,
            fieldFlags="multiline" if field.multiline else "", maxlen=0,
            borderWidth=0.6, borderColor=_GREY, fillColor=_FILL, textColor=black,
            forceBorder=True,
        )
        self.y = top - needed - _GAP


def _draw(company_name: str, market: str | None) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(TITLE)
    canvas.setSubject("Clause sociale")
    writer = _Writer(canvas)
    writer.paragraph(TITLE, "Helvetica-Bold", 15, after=8)
    for line in (addressed_to(company_name), market_line(market)):
        if line:
            writer.paragraph(line, "Helvetica-Bold", 11, after=2)
    writer.y -= 6
    for text in INTRO:
        writer.paragraph(text, after=5)
    for section in SECTIONS:
        writer.y -= 6
        writer.room(_LINE * 2 + _SINGLE_HEIGHT)
        writer.paragraph(section.heading, "Helvetica-Bold", 12, after=6)
        for field in section.fields:
            writer.field(field, "")
    canvas.save()
    return out.getvalue()


def _nest(data: bytes, prefill: dict[str, str]) -> bytes:
    """Turn the flat fields 'section.name' into the hierarchy 'section' → kid 'name', then
    write the `prefill` values (pypdf draws their appearance; reportlab's is Latin-1 only)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    acroform = writer._root_object["/AcroForm"]
    parents: dict[str, tuple[DictionaryObject, object]] = {}
    for ref in list(acroform["/Fields"]):
        field = ref.get_object()
        section, _, name = str(field["/T"]).partition(".")
        if section not in parents:
            parent = DictionaryObject({NameObject("/T"): TextStringObject(section),
                                       NameObject("/Kids"): ArrayObject()})
            parents[section] = (parent, writer._add_object(parent))
        parent, parent_ref = parents[section]
        field[NameObject("/T")] = TextStringObject(name)
        field[NameObject("/Parent")] = parent_ref
        parent["/Kids"].append(ref)
    acroform[NameObject("/Fields")] = ArrayObject(ref for _, ref in parents.values())
    if prefill:
        for page in writer.pages:
            writer.update_page_form_field_values(page, prefill, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf(company_name: str | None = None, market: str | None = None) -> bytes:
    """The fillable PDF form; with a company, its name is printed and prefilled."""
    name = " ".join((company_name or "").split())
    return _nest(_draw(name, market), {"company.legal_name": name} if name else {})
