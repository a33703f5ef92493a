"""Fillable PDF forms: field values with pypdf, each field named by its name or its printed label.

A semantic field name ('raison_sociale', 'RaisonSociale') is matched through the label rules;
an opaque one ('Text1') is named by the text printed at the left of its widget. A ticked checkbox
stands for the text printed at its right ('☒ CDD'), which may give the contract type.
"""

from __future__ import annotations

import io

from mailbot.parse.labels import LabelRules
from mailbot.parse.pdf_layout import PageLayout
from mailbot.parse.text_form import Event

__all__ = ["acroform_events"]


_TICK_NAMES = {"yes", "on", "oui", "1", "true", "x", "coche", "checked"}


def _name(value) -> str:
    if hasattr(value, "get_object"):
        value = value.get_object()
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    return "" if value is None else str(value)


def _widgets(reader) -> list[tuple[int, str, list[float], str, bool]]:
    """(page index, field name, rect, value, is_checkbox) of every widget, in page order.

    A checkbox or radio button gives its on-state name as value when ticked, '' when not.
    """
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
            parent = parent.get_object() if parent is not None else None
            node = annot if "/T" in annot or parent is None else parent
            name = _name(node.get("/T", ""))
            kind = annot.get("/FT", node.get("/FT"))
            rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
            if kind == "/Btn":
                state = _name(annot.get("/AS", node.get("/V", "/Off")))
                ticked = state not in ("", "/Off")
                found.append((index, name, rect, state.lstrip("/") if ticked else "", True))
                continue
            value = _name(node.get("/V", annot.get("/V", "")))
            if value.startswith("/"):  # choice state names
                value = "" if value == "/Off" else value[1:]
            found.append((index, name, rect, value, False))
    return found


def _option_text(layout: PageLayout | None, rect: list[float], state: str, name: str) -> str:
    """What a ticked box stands for: the text printed at its right, else its state or name."""
    if layout is not None:
        x1 = max(rect[0], rect[2])
        y0, y1 = min(rect[1], rect[3]), max(rect[1], rect[3])
        right = [s for s in layout.segments if x1 - 2 <= s.x0 <= x1 + 40 and y0 - 3 <= s.cy <= y1 + 3]
        if right:
            return min(right, key=lambda s: s.x0).text
    return name if state.casefold() in _TICK_NAMES else state


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
    events: list[Event] = []
    ticked_contract: Event | None = None  # ticked contract boxes make one answer
    for index, name, rect, value, checkbox in widgets:
        layout = layouts[index] if index < len(layouts) else None
        if checkbox:
            if value:
                option = _option_text(layout, rect, value, name)
                if rules.contract_code(option):
                    if ticked_contract is None:
                        ticked_contract = Event("pair", name, "", key="conditions.contract_type")
                        events.append(ticked_contract)
                    ticked_contract.value = f"{ticked_contract.value} {option}".strip()
                else:
                    label = _printed_label(layout, rect) if layout else ""
                    events.append(Event("pair", label or name, option))
            continue
        key = rules.field_for_name(name)
        if key is not None:
            events.append(Event("pair", name, value, key=key))
            continue
        label = _printed_label(layouts[index], rect) if index < len(layouts) else ""
        if label:
            events.append(Event("pair", label, value))
    return events
