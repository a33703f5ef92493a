"""Fillable PDF forms: field values with pypdf, each field named by its name or its printed label.

A semantic field name ('raison_sociale', 'RaisonSociale') is matched through the label rules;
an opaque one ('Text1') is named by the text printed at the left of its widget.
"""

from __future__ import annotations

import io

from mailbot.parse.labels import LabelRules
from mailbot.parse.pdf_layout import PageLayout
from mailbot.parse.text_form import Event

__all__ = ["acroform_events"]


def _widgets(reader) -> list[tuple[int, str, list[float], str]]:
    """(page index, field name, rect, value) of every text widget, in page order."""
    found = []
    for index, page in enumerate(reader.pages):
        annots = page.get("/Annots")
        if not annots:
            continue
        for ref in annots.get_object():
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            parent = annot.get("/Parent")
            node = annot if "/T" in annot else (parent.get_object() if parent else annot)
            name = str(node.get("/T", ""))
            value = node.get("/V", annot.get("/V", ""))
            if hasattr(value, "get_object"):
                value = value.get_object()
            if isinstance(value, bytes):
                value = value.decode("latin-1", "replace")
            value = str(value) if value is not None else ""
            if value.startswith("/"):  # checkbox / choice state names
                value = "" if value == "/Off" else value[1:]
            rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
            found.append((index, name, rect, value))
    return found


def _printed_label(layout: PageLayout, rect: list[float]) -> str:
    """Text printed at the left of a widget (on the lines it spans), else just above it."""
    x0, x1 = min(rect[0], rect[2]), max(rect[0], rect[2])
    y0, y1 = min(rect[1], rect[3]), max(rect[1], rect[3])
    left = [s for s in layout.segments if x0 - 260 <= s.x1 <= x0 + 2 and y0 - 2 <= s.cy <= y1 + 2]
    if left:
        nearest = max(s.x1 for s in left)
        parts = [s for s in left if s.x1 >= nearest - 200]
    else:
        parts = [s for s in layout.segments if y1 - 2 <= s.y0 <= y1 + 16 and s.x0 < x1 and s.x1 > x0 - 4]
    parts.sort(key=lambda s: (-s.y1, s.x0))
    return " ".join(s.text for s in parts)


def acroform_events(data: bytes, layouts: list[PageLayout], rules: LabelRules) -> list[Event] | None:
    """Events of a fillable form (label, value) in page order, or None when it has no fields."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        return None
    if "/AcroForm" not in reader.trailer["/Root"]:
        return None
    widgets = _widgets(reader)
    if not widgets:
        return None
    widgets.sort(key=lambda w: (w[0], -max(w[2][1], w[2][3]), min(w[2][0], w[2][2])))
    events = []
    for index, name, rect, value in widgets:
        key = rules.field_for_name(name)
        if key is not None:
            events.append(Event("pair", name, value, key=key))
            continue
        label = _printed_label(layouts[index], rect) if index < len(layouts) else ""
        if label:
            events.append(Event("pair", label, value))
    return events
