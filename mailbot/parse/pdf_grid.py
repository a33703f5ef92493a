"""Bordered tables of a PDF page rebuilt from their drawn cells.

Drawn rules (stroked lines, thin filled rectangles, cell rectangles) become horizontal and
vertical edges; a cell is a box closed by edges on its four sides. Rows of cells that touch form a
table, whose cells are placed on the table's grid columns (a section row spans them all) and read by
`table_rows`. Text outside every cell stays free lines, in reading order with the tables.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

from mailbot.parse.labels import LabelRules
from mailbot.parse.table_rows import Cell, rows_events
from mailbot.parse.text_form import Event, match_label

__all__ = ["Edges", "grid_events", "grid_pages_events", "path_edges"]

_TOL = 2.5  # points: two rules this close are one
_MIN_CELL_W = 6.0
_MIN_CELL_H = 5.0
_MAX_PATHS = 4000  # a page drawn with more paths is a drawing, not a form
_THIN = 3.0


@dataclass
class Edges:
    """Horizontal edges (y, x0, x1) and vertical edges (x, y0, y1) of one page, in points."""

    h: list[tuple[float, float, float]] = field(default_factory=list)
    v: list[tuple[float, float, float]] = field(default_factory=list)
    paths: int = 0

    def add_box(self, left: float, bottom: float, right: float, top: float) -> None:
        width, height = right - left, top - bottom
        if height < _THIN and width >= _MIN_CELL_W:
            self.h.append(((top + bottom) / 2, left, right))
        elif width < _THIN and height >= _MIN_CELL_H:
            self.v.append(((left + right) / 2, bottom, top))
        elif width >= _MIN_CELL_W and height >= _MIN_CELL_H:
            self.h += [(top, left, right), (bottom, left, right)]
            self.v += [(left, bottom, top), (right, bottom, top)]


def path_edges(obj, edges: Edges) -> None:
    """Add the straight edges of one pypdfium2 path object (a box, a rule, or a drawn grid)."""
    import pypdfium2.raw as raw

    edges.paths += 1
    if edges.paths > _MAX_PATHS:
        return
    count = raw.FPDFPath_CountSegments(obj.raw)
    if count <= 0:
        return
    if count <= 5:  # one rectangle or one line: its bounds say it all
        edges.add_box(*obj.get_bounds())
        return
    m = obj.get_matrix()
    x, y = ctypes.c_float(), ctypes.c_float()
    start = previous = None
    for index in range(min(count, 2000)):
        segment = raw.FPDFPath_GetPathSegment(obj.raw, index)
        raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        point = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        if raw.FPDFPathSegment_GetType(segment) == raw.FPDF_SEGMENT_MOVETO:
            start = previous = point
            continue
        if previous is not None:
            _piece(previous, point, edges)
        previous = point
        if raw.FPDFPathSegment_GetClose(segment) and start is not None:
            _piece(point, start, edges)
            previous = start


def _piece(a: tuple[float, float], b: tuple[float, float], edges: Edges) -> None:
    (x0, y0), (x1, y1) = a, b
    if abs(y1 - y0) < 1 and abs(x1 - x0) >= _THIN:
        edges.h.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x1 - x0) < 1 and abs(y1 - y0) >= _THIN:
        edges.v.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _merged(lines: list[tuple[float, float, float]]) -> list[tuple[float, list[tuple[float, float]]]]:
    """Edges grouped by position (within _TOL), each group's spans merged: [(pos, [(a, b)])]."""
    groups: list[tuple[float, list[tuple[float, float]]]] = []
    for pos, a, b in sorted(lines):
        if groups and pos - groups[-1][0] <= _TOL:
            groups[-1][1].append((a, b))
        else:
            groups.append((pos, [(a, b)]))
    out = []
    for pos, spans in groups:
        spans.sort()
        joined = [list(spans[0])]
        for a, b in spans[1:]:
            if a <= joined[-1][1] + _TOL:
                joined[-1][1] = max(joined[-1][1], b)
            else:
                joined.append([a, b])
        out.append((pos, [(a, b) for a, b in joined]))
    return out


def _covers(spans: list[tuple[float, float]], a: float, b: float) -> bool:
    return any(x0 <= a + _TOL and x1 >= b - _TOL for x0, x1 in spans)


def _clusters(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > _TOL:
            out.append(value)
    return out


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float
    segments: list = field(default_factory=list)


def _cells(edges: Edges) -> list[list[_Box]]:
    """Bands of cells, top to bottom; a band is [] where no cell is closed."""
    rows = [(y, spans) for y, spans in _merged(edges.h) if max(b - a for a, b in spans) >= 15]
    rows.sort(key=lambda r: -r[0])
    columns = _merged(edges.v)
    bands: list[list[_Box]] = []
    for (top, top_spans), (bottom, bottom_spans) in zip(rows, rows[1:], strict=False):
        if top - bottom < _MIN_CELL_H:
            bands.append([])
            continue
        xs = _clusters(
            [x for x, spans in columns if any(a <= bottom + _TOL and b >= top - _TOL for a, b in spans)]
        )
        band = []
        for left, right in zip(xs, xs[1:], strict=False):
            if right - left < _MIN_CELL_W:
                continue
            if _covers(top_spans, left, right) and _covers(bottom_spans, left, right):
                band.append(_Box(left, bottom, right, top))
        bands.append(band)
    return bands


def _text(segments: list) -> str:
    """Text of a cell's segments: lines top to bottom, segments of a line left to right."""
    lines: list[list] = []
    for seg in sorted(segments, key=lambda s: (-s.y1, s.x0)):
        if lines and abs(lines[-1][0].cy - seg.cy) < (seg.y1 - seg.y0) * 0.5:
            lines[-1].append(seg)
        else:
            lines.append([seg])
    return "\n".join(" ".join(s.text for s in sorted(line, key=lambda s: s.x0)) for line in lines)


def _table_rows(band_list: list[list[_Box]]) -> list[list[Cell]]:
    """Cells of touching bands placed on their common grid columns."""
    grid = _clusters([x for band in band_list for box in band for x in (box.x0, box.x1)])

    def column(x: float) -> int:
        return min(range(len(grid)), key=lambda i: abs(grid[i] - x))

    rows = []
    for band in band_list:
        row = []
        for box in sorted(band, key=lambda b: b.x0):
            start, end = column(box.x0), column(box.x1)
            row.append(Cell(_text(box.segments), start, max(end - start, 1)))
        rows.append(row)
    return rows


def grid_events(page, rules: LabelRules, edges: Edges | None) -> list[Event] | None:
    """Events of a page with a bordered table (free lines and tables in reading order), else None.

    A page counts when one table has at least three rows of two cells or more.
    """
    items = _page_items(page, rules, edges)
    return None if items is None else _items_events(items, rules)


@dataclass
class _Item:
    """A table (its grid columns and rows of cells) or a free line, at height `top`."""

    top: float
    rows: list[list[Cell]] | None = None
    grid: list[float] = field(default_factory=list)
    text: str = ""


def _page_items(page, rules: LabelRules, edges: Edges | None) -> list[_Item] | None:
    if edges is None or edges.paths > _MAX_PATHS or not edges.h or not edges.v:
        return None
    bands = _cells(edges)
    free = []
    for seg in page.segments:
        box = _find(bands, seg)
        if box is None:
            free.append(seg)
        else:
            box.segments.append(seg)
    tables: list[list[list[_Box]]] = []
    previous_filled = False
    for band in bands:
        if not band:
            previous_filled = False
            continue
        if previous_filled:
            tables[-1].append(band)
        else:
            tables.append([band])
        previous_filled = True
    if not _is_table_page(tables, rules):
        return None
    items = [_Item(t[0][0].y1, _table_rows(t), _grid(t)) for t in tables]
    items += [_Item(line[0].y1, text=_joined(line)) for line in _free_lines(free)]
    items.sort(key=lambda item: -item.top)
    return items


def _grid(table: list[list[_Box]]) -> list[float]:
    return _clusters([x for band in table for box in band for x in (box.x0, box.x1)])


def _items_events(items: list[_Item], rules: LabelRules) -> list[Event]:
    events: list[Event] = []
    for item in items:
        if item.rows is None:
            events.append(Event("line", item.text))
        else:
            events += rows_events(item.rows, rules) + [Event("line", "")]
    return events


def grid_pages_events(pages: list, rules: LabelRules) -> list[list[Event] | None]:
    """`grid_events` of each page; a table going on over the next page (same grid columns, nothing
    but the pages' margins between its parts) is read once, whole, on the page where it starts
    (a table with one job per column keeps its header for its last rows)."""
    items = [_page_items(page, rules, page.edges) for page in pages]
    for index in range(len(pages) - 1):
        this, after = items[index], items[index + 1]
        if not this or not after:
            continue
        last = max((i for i, item in enumerate(this) if item.rows is not None), default=None)
        first = min((i for i, item in enumerate(after) if item.rows is not None), default=None)
        if last is None or first is None:
            continue
        height = getattr(pages[index], "height", 842.0) or 842.0
        tail = this[last + 1 :]
        head = after[:first]
        if any(item.top > height * 0.12 for item in tail) or any(item.top < height * 0.88 for item in head):
            continue  # text between the two parts: two tables
        upper, lower = this[last], after[first]
        if len(upper.grid) != len(lower.grid) or any(
            abs(a - b) > _TOL for a, b in zip(upper.grid, lower.grid, strict=True)
        ):
            continue
        upper.rows = [*(upper.rows or []), *(lower.rows or [])]
        del after[first]
    return [None if page_items is None else _items_events(page_items, rules) for page_items in items]


def _is_table_page(tables: list[list[list[_Box]]], rules: LabelRules) -> bool:
    """Three rows of two cells or more, or one whose first cell is a label (a table's last rows
    carried over to the next page)."""
    rows = [band for table in tables for band in table if len(band) >= 2]
    if len(rows) >= 3:
        return True
    for band in rows:
        found = match_label(rules, _text(band[0].segments).replace("\n", " "))
        if found is not None and found.kind == "field":
            return True
    return False


def _find(bands: list[list[_Box]], seg) -> _Box | None:
    cx, cy = (seg.x0 + seg.x1) / 2, seg.cy
    for band in bands:
        for box in band:
            if box.x0 <= cx <= box.x1 and box.y0 <= cy <= box.y1:
                return box
    return None


def _joined(line: list) -> str:
    """A free line's text; a wide gap stays wide ('Label      value': two columns)."""
    text = line[0].text
    for left, right in zip(line, line[1:], strict=False):
        text += ("   " if right.x0 - left.x1 > 12 else " ") + right.text
    return text


def _free_lines(segments: list) -> list[list]:
    lines: list[list] = []
    for seg in segments:  # already top to bottom
        if lines and abs(lines[-1][0].cy - seg.cy) < (seg.y1 - seg.y0) * 0.5:
            lines[-1].append(seg)
        else:
            lines.append([seg])
    return [sorted(line, key=lambda s: s.x0) for line in lines]
