"""Word forms: paragraphs and label|value table rows, in document order (python-docx)."""

from __future__ import annotations

import io

from mailbot.errors import UnreadableDocument
from mailbot.parse.labels import LabelRules
from mailbot.parse.text_form import Event, is_job_heading, match_label, split_label

__all__ = ["docx_events"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _row_events(cells: list[str], rules: LabelRules) -> list[Event]:
    unique = cells
    if len(unique) == 1:
        return [Event("line", unique[0])]
    events: list[Event] = []
    index = 0
    while index < len(unique):
        label = unique[index]
        rest = unique[index + 1 :]
        if split_label(rules, label) is not None:  # 'Label : value' in one cell
            events.append(Event("line", label))
            index += 1
            continue
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


def _job_columns(rows: list[list[str]], index: int, rules: LabelRules) -> int:
    """Rows of a table with one job per column ('' | Poste 1 | Poste 2, then label | a | b)."""
    head = rows[index]
    if len(head) < 3 or (head[0].strip() and _is_label(rules, head[0])):
        return 0
    if not all(is_job_heading(c) or (c.strip() and not _is_label(rules, c)) for c in head[1:]):
        return 0
    end = index + 1
    while end < len(rows) and len(rows[end]) == len(head) and _is_label(rules, rows[end][0]):
        end += 1
    return end - index - 1 if end - index - 1 >= 3 else 0


def _table_events(rows: list[list[str]], rules: LabelRules) -> list[Event]:
    """Rows of label|value pairs, a row of labels above a row of answers (column layout), or
    one job per column."""
    events: list[Event] = []
    index = 0
    while index < len(rows):
        cells = rows[index]
        below = rows[index + 1] if index + 1 < len(rows) else None
        jobs = _job_columns(rows, index, rules)
        if jobs:
            body = rows[index + 1 : index + 1 + jobs]
            for column in range(1, len(cells)):
                events.append(Event("line", ""))
                events.append(Event("line", cells[column]))
                events.extend(Event("pair", row[0], row[column]) for row in body)
            index += 1 + jobs
            continue
        if (
            below is not None
            and len(cells) >= 2
            and len(below) == len(cells)
            and sum(_is_label(rules, c) for c in cells) >= max(len(cells) - 1, 2)
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
                previous = None
                for cell in row.cells:
                    if cell._tc is previous:
                        continue  # a merged cell is listed once per grid column it spans
                    previous = cell._tc
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
