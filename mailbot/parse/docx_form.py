"""Word forms: paragraphs and label|value table rows, in document order (python-docx)."""

from __future__ import annotations

import io

from mailbot.errors import UnreadableDocument
from mailbot.parse.labels import LabelRules
from mailbot.parse.text_form import Event, match_label

__all__ = ["docx_events"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _row_events(cells: list[str], rules: LabelRules) -> list[Event]:
    unique: list[str] = []
    for text in cells:
        if not unique or text != unique[-1]:
            unique.append(text)
    if len(unique) == 1:
        return [Event("line", unique[0])]
    events: list[Event] = []
    index = 0
    while index < len(unique):
        label = unique[index]
        rest = unique[index + 1 :]
        if not rest:
            if label.strip():
                events.append(Event("line", label))
            break
        found = match_label(rules, label)
        if found is None or found.kind != "field":
            if label.strip():
                events.append(Event("line", label))
            index += 1
            continue
        # the value runs until the next cell that is itself a label (two pairs in one row)
        end = index + 2
        while end < len(unique):
            nxt = match_label(rules, unique[end])
            if nxt is not None and nxt.kind == "field" and len(unique[end]) < 60:
                break
            end += 1
        events.append(Event("pair", label, "\n".join(unique[index + 1 : end])))
        index = end
    return events


def _is_label(rules: LabelRules, text: str) -> bool:
    found = match_label(rules, text)
    return found is not None and found.kind == "field" and len(text) < 80


def _table_events(rows: list[list[str]], rules: LabelRules) -> list[Event]:
    """Rows of label|value pairs, or a row of labels above a row of answers (column layout)."""
    events: list[Event] = []
    index = 0
    while index < len(rows):
        cells = rows[index]
        below = rows[index + 1] if index + 1 < len(rows) else None
        if (
            below is not None
            and len(cells) >= 3
            and len(below) == len(cells)
            and sum(_is_label(rules, c) for c in cells) >= len(cells) - 1
            and not any(_is_label(rules, c) for c in below)
        ):
            events.extend(Event("pair", label, value) for label, value in zip(cells, below, strict=True))
            index += 2
            continue
        events.extend(_row_events(cells, rules))
        index += 1
    return events


def _block_events(parent, document, rules: LabelRules, depth: int = 0) -> list[Event]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    events: list[Event] = []
    for child in parent.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            events.append(Event("line", Paragraph(child, document).text))
        elif tag == f"{_W}tbl" and depth < 3:
            rows: list[list[str]] = []
            for row in Table(child, document).rows:
                cells = []
                for cell in row.cells:
                    if cell.tables:
                        events.extend(_block_events(cell._tc, document, rules, depth + 1))
                        continue
                    cells.append(cell.text)
                if cells:
                    rows.append(cells)
            events.extend(_table_events(rows, rules))
        elif tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                events.extend(_block_events(content, document, rules, depth))
    return events


def docx_events(data: bytes, rules: LabelRules) -> list[Event]:
    """Events of a DOCX body in reading order (headers and footers are left out)."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on bad input
        raise UnreadableDocument(f"corrupt DOCX ({type(exc).__name__})") from None
    return _block_events(document.element.body, document, rules)
