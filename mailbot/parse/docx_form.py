"""Word forms: paragraphs and tables in document order (python-docx).

Table rows are read on the table's grid (merged cells keep their span, a vertically merged cell
is read once) and turned into events by `table_rows`; content controls are unwrapped.
"""

from __future__ import annotations

import io

from mailbot.errors import UnreadableDocument
from mailbot.parse.labels import LabelRules
from mailbot.parse.table_rows import Cell, rows_events
from mailbot.parse.text_form import LETTERHEAD_NAME, Event, match_label

__all__ = ["docx_events"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_DEPTH = 3


def _unwrapped(parent, tag: str):
    """Children of `parent` with `tag`, looking through content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _unwrapped(content, tag)


def _table_events(tbl, document, rules: LabelRules, depth: int) -> list[Event]:
    events: list[Event] = []
    rows: list[list[Cell]] = []
    for tr in _unwrapped(tbl, f"{_W}tr"):
        col = tr.grid_before
        cells: list[Cell] = []
        for tc in _unwrapped(tr, f"{_W}tc"):
            span = max(tc.grid_span, 1)
            if tc.vMerge == "continue":
                text = ""  # the rest of a vertically merged cell: read once, in its first row
            elif depth < _MAX_DEPTH and tc.find(f"{_W}tbl") is not None:
                text = ""
                nested = _block_events(tc, document, rules, depth + 1)
                events.extend(rows_events(rows, rules) if rows else [])
                rows = []
                events.extend(nested)
            else:
                text = _cell_text(tc)
            cells.append(Cell(text, col, span))
            col += span
        rows.append(cells)
    events.extend(rows_events(rows, rules))
    events.append(Event("line", ""))  # the table's end ends the answer in progress
    return events


_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIPPED = frozenset({f"{_W}txbxContent", f"{_W}sdtPr", f"{_W}rPr", f"{_W}pPr", _FALLBACK})


def _paragraph_text(paragraph) -> str:
    """A w:p's text, runs inside content controls (w:sdt) included, which python-docx's
    `Paragraph.text` leaves out; a control still showing its placeholder gives nothing; text
    boxes are read on their own (`_text_boxes`)."""
    out: list[str] = []

    def walk(element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == f"{_W}sdt":
                props = child.find(f"{_W}sdtPr")
                if props is not None and props.find(f"{_W}showingPlcHdr") is not None:
                    continue  # 'Cliquez ici pour entrer du texte.': nothing typed
            if tag == f"{_W}t":
                out.append(child.text or "")
            elif tag == f"{_W}tab":
                out.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                out.append("\n")
            else:
                walk(child)

    walk(paragraph)
    return "".join(out)


def _is_bold(run) -> bool:
    props = run.find(f"{_W}rPr")
    mark = props.find(f"{_W}b") if props is not None else None
    return mark is not None and mark.get(f"{_W}val", "true") not in ("0", "false")


def _bold_label(paragraph, rules: LabelRules) -> tuple[str, str] | None:
    """'**Nom / Raison sociale de l'employeur** SARL X': a paragraph opened by bold runs naming a
    field, then plain runs holding its answer (no colon between them): (label, answer)."""
    if paragraph.find(f".//{_W}tab") is not None or paragraph.find(f".//{_W}br") is not None:
        return None  # 'Label<TAB>answer', lines broken inside: read as lines
    runs = [r for r in paragraph.iterchildren(f"{_W}r") if "".join(t.text or "" for t in r.iter(f"{_W}t"))]
    if len(runs) < 2 or not _is_bold(runs[0]):
        return None
    split = next((i for i, r in enumerate(runs) if not _is_bold(r)), None)
    if split is None or any(_is_bold(r) for r in runs[split:]):
        return None
    label = "".join(t.text or "" for r in runs[:split] for t in r.iter(f"{_W}t")).strip()
    value = "".join(t.text or "" for r in runs[split:] for t in r.iter(f"{_W}t")).strip()
    if not label or not value or ":" in label or value[0] in ":：" or len(label) > 80:
        return None
    found = match_label(rules, label)
    return (label, value) if found is not None and found.kind == "field" else None


def _cell_text(tc) -> str:
    """A table cell's paragraphs (in content controls too), one per line."""
    return "\n".join(_paragraph_text(p) for p in _unwrapped(tc, f"{_W}p"))


def _text_boxes(paragraph) -> list:
    """The text boxes (w:txbxContent) drawn in a paragraph, each once: the VML copy Word keeps
    for old readers (mc:Fallback) is left out."""
    if paragraph.find(f".//{_W}txbxContent") is None:
        return []
    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    boxes = []
    for box in paragraph.iter(f"{_W}txbxContent"):
        parent = box.getparent()
        while parent is not None and parent is not paragraph and parent.tag != fallback:
            parent = parent.getparent()
        if parent is paragraph:
            boxes.append(box)
    return boxes


def _block_events(parent, document, rules: LabelRules, depth: int = 0) -> list[Event]:
    events: list[Event] = []
    for child in parent.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            for box in _text_boxes(child):  # a text box anchored in the paragraph: its own lines
                events.append(Event("line", ""))
                events.extend(_block_events(box, document, rules, depth + 1))
                events.append(Event("line", ""))
            bold = _bold_label(child, rules)
            events.append(Event("pair", *bold) if bold else Event("line", _paragraph_text(child)))
        elif tag == f"{_W}tbl" and depth < _MAX_DEPTH:
            events.extend(_table_events(child, document, rules, depth))
        elif tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                events.extend(_block_events(content, document, rules, depth))
    return events


def _letterhead_name(events: list[Event]) -> list[Event]:
    """A page header whose first line is a name alone (no colon, no digit) above labelled lines:
    that name is kept as the letterhead's company name."""
    lines = [e for e in events if e.kind == "line" and e.text.strip()]
    if len(lines) < 2 or not any(":" in e.text for e in lines[1:]):
        return events
    first = lines[0].text.strip()
    if ":" in first or len(first) > 80 or any(c.isdigit() for c in first) or "@" in first:
        return events
    return [Event("pair", "En-tête", first, key=LETTERHEAD_NAME) if e is lines[0] else e for e in events]


def docx_events(data: bytes, rules: LabelRules) -> list[Event]:
    """Events of a DOCX body in reading order, after the first page header's (a company block
    may stand there, read like a letterhead); footers are left out."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on bad input
        raise UnreadableDocument(f"corrupt DOCX ({type(exc).__name__})") from None
    events: list[Event] = []
    try:
        header = document.sections[0].header if document.sections else None
        if header is not None and not header.is_linked_to_previous:
            top = _block_events(header._element, document, rules, 1)
            events = _letterhead_name([*top, Event("line", "")])
    except Exception:  # a damaged header part: the body is still read
        events = []
    return events + _block_events(document.element.body, document, rules)
