"""Positioned text of PDF pages (pypdfium2, fast) and label|value tables rebuilt from it.

A `Segment` is a run of text on one line with its box (PDF points, y upwards). A table is found
when several recognised labels have text at their right starting at a common x (the value
column); rows are delimited by the table's horizontal rules when drawn, else by label starts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from mailbot.parse.labels import LabelRules
from mailbot.parse.pdf_grid import Edges, grid_events, path_edges
from mailbot.parse.text_form import Event, is_page_number, match_label

__all__ = ["PageLayout", "RunningMargins", "Segment", "read_pdf_layout", "table_events", "text_lines"]


@dataclass
class Segment:
    """A run of text on one line: its box (x0, bottom, x1, top) and text."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    base: float | None = None  # baseline of its first character (the same for every glyph shape)
    size: float | None = None  # font size of its first character

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class PageLayout:
    """One page: width, height, text segments (top to bottom), horizontal rules' y, plain text."""

    width: float
    height: float
    segments: list[Segment]
    hrules: list[float]
    text: str
    images: int = 0  # image objects on the page (a scan has at least one)
    edges: Edges | None = None  # drawn rules and boxes (None: not read, e.g. an OCR'd page)
    split: float | None = None  # where the value column of its label|value table starts
    carried: float | None = None  # the previous page's value column (a table going on)


def read_pdf_layout(pdf, max_pages: int) -> list[PageLayout]:
    """Layouts of the first `max_pages` pages of an open pypdfium2 PdfDocument."""
    import pypdfium2.raw as pdfium_c

    pages = []
    for index in range(min(len(pdf), max_pages)):
        page = pdf[index]
        textpage = page.get_textpage()
        try:
            segments = []
            for i in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(i)
                text = textpage.get_text_bounded(left, bottom, right, top)
                text = " ".join(text.split())
                if text:
                    base, size = _char_info(textpage, left, bottom, top)
                    segments.append(Segment(left, bottom, right, top, text, base, size))
            segments.sort(key=lambda s: (-round(s.y1), s.x0))
            hrules = []
            images = 0
            edges = Edges()
            kinds = [pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE]
            for obj in page.get_objects(filter=kinds, max_depth=2):
                if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                    images += 1
                    continue
                path_edges(obj, edges)
                left, bottom, right, top = obj.get_bounds()
                if top - bottom < 3 and right - left > 100:
                    hrules.append((top + bottom) / 2)
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            width, height = page.get_size()
            layout = PageLayout(width, height, segments, sorted(set(hrules), reverse=True), text)
            layout.images = images
            layout.edges = edges
            pages.append(layout)
        finally:
            textpage.close()
            page.close()
    return pages


def _char_info(textpage, left: float, bottom: float, top: float) -> tuple[float | None, float | None]:
    """(baseline y, font size) of the character at the left of a text run (None when not found)."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    index = textpage.get_index(left + 0.5, (bottom + top) / 2, 1.0, (top - bottom) / 2)
    if index is None or index < 0:
        return None, None
    x, y = ctypes.c_double(), ctypes.c_double()
    if not pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y)):
        return None, None
    size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
    return y.value, (size or None)


def _pitch(above: Segment, below: Segment) -> float:
    """Distance between two lines, baseline to baseline when known (glyph boxes vary with
    accents and descenders)."""
    if above.base is not None and below.base is not None:
        return above.base - below.base
    return above.y1 - below.y1


def _value_column(page: PageLayout, rules: LabelRules) -> float | None:
    """x where the value column starts, from labels with text at their right on the same line."""
    starts: Counter[int] = Counter()
    pairs: list[tuple[float, float]] = []
    for seg in page.segments:
        found = match_label(rules, seg.text)
        if found is None or found.kind != "field":
            continue
        for other in page.segments:
            if other.x0 > seg.x1 + 4 and abs(other.cy - seg.cy) < (seg.y1 - seg.y0):
                starts[round(other.x0 / 12)] += 1
                pairs.append((seg.x1, other.x0))
                break
    if not starts:
        return None
    bucket, count = starts.most_common(1)[0]
    if count < 3:
        return None
    near = [p for p in pairs if abs(round(p[1] / 12) - bucket) <= 1]
    label_right = max(p[0] for p in near)
    value_left = min(p[1] for p in near)
    if label_right < value_left:
        return (label_right + value_left) / 2
    return value_left - 4


def _bands(page: PageLayout, split: float, rules: LabelRules) -> list[list[Segment]]:
    """Segments grouped into table rows (top to bottom)."""
    if len(page.hrules) >= 3:
        bands: dict[int, list[Segment]] = {}
        for seg in page.segments:
            index = sum(1 for y in page.hrules if y > seg.cy)
            bands.setdefault(index, []).append(seg)
        return [bands.get(k, []) for k in range(len(page.hrules) + 1)]
    # No rules: a row starts at each label; a value joins the row whose label is level with it
    # (a tilted scan may put it a little above), else the row of the value line above it. When
    # the page shows two kinds of line gap (lines of one answer, rows), a label line close under
    # another one continues it unless an answer's first line stands level with it.
    rows: list[list[Segment]] = [[]]
    labels: list[list[Segment]] = []
    last_label: Segment | None = None
    values: list[Segment] = []
    value_segments = [s for s in page.segments if s.x0 >= split]
    tight = _tight_gap(page.segments, split)
    value_starts = _first_lines(value_segments, tight)
    for seg in page.segments:
        if seg.x0 >= split:
            values.append(seg)
            continue
        if tight is None:
            continuation = _continues_loose(rules, seg, last_label, labels, value_starts, value_segments)
        else:
            continuation = _continues_tight(rules, seg, last_label, labels, value_starts, tight)
            continuation = continuation and not _own_row(rules, seg, last_label, labels, value_segments)
        if not continuation or not labels:
            labels.append([])
            rows.append([])
        labels[-1].append(seg)
        rows[-1].append(seg)
        last_label = seg
    previous: tuple[int, Segment] | None = None
    for seg in values:
        best = _level_label(labels, seg, 0.6)
        if best is None and previous is not None:
            above = previous[1]
            if above.y0 - seg.y1 < (above.y1 - above.y0) * 1.5:
                best = previous[0]  # next line of the same answer
        if best is None:
            best = _level_label(labels, seg, 1.0, whole_group=True)
        if best is None:
            higher = [i for i, g in enumerate(labels) if g[0].y1 >= seg.cy]
            best = higher[-1] if higher else None
        if best is None:
            rows[0].append(seg)
        else:
            rows[best + 1].append(seg)
            previous = (best, seg)
    return rows


def _first_lines(segments: list[Segment], tight: float | None = None) -> list[Segment]:
    """Segments that are not the next line of the segment just above them (answers' first lines)."""
    firsts = []
    above: Segment | None = None
    for seg in segments:  # top to bottom
        if tight is None:
            first = above is None or above.y0 - seg.y1 > (seg.y1 - seg.y0) * 1.2
        else:
            first = above is None or _pitch(above, seg) > tight
        if first:
            firsts.append(seg)
        above = seg
    return firsts


def _tight_gap(segments: list[Segment], split: float) -> float | None:
    """Largest line pitch inside one answer, when answers' lines and rows are spaced differently.

    Pitches (baseline to baseline) between successive lines of each column are compared: the
    smallest is the line spacing of a multi-line cell; when several are clearly wider (rows),
    pitches up to a bound just above the smallest are 'tight'. None when the page shows one
    spacing (the labels' own words then decide).
    """
    pitches: list[float] = []
    for column in ([s for s in segments if s.x0 < split], [s for s in segments if s.x0 >= split]):
        for above, below in zip(column, column[1:], strict=False):
            pitch = _pitch(above, below)
            if pitch > (below.y1 - below.y0) * 0.5:
                pitches.append(pitch)
    if len(pitches) < 3:
        return None
    low = min(pitches)
    bound = low * 1.08 + 0.5
    tight = sum(1 for p in pitches if p <= bound)
    rows = sum(  # wider, neither a section's jump nor a line left blank (a multiple of the spacing)
        1 for p in pitches if low * 1.15 + 1.5 < p < low * 2.5 and abs(p / low - round(p / low)) > 0.1
    )
    return bound if tight >= 2 and rows >= 3 else None


def _continues_tight(
    rules: LabelRules,
    seg: Segment,
    last: Segment | None,
    labels: list[list[Segment]],
    value_starts: list[Segment],
    tight: float,
) -> bool:
    """Does label line `seg` go on with the label above (close under it, no answer starting)?"""
    if last is None or not labels or _pitch(last, seg) > tight:
        return False
    height = seg.y1 - seg.y0
    if any(abs(v.cy - seg.cy) < height * 0.5 for v in value_starts):
        return False
    if seg.text.lstrip().startswith(("(", "[")):
        return True  # 'N° d'établissement' / '(SIRET) *': a label's bracketed end
    alone = match_label(rules, seg.text)
    if alone is None:
        return True
    group = " ".join(s.text for s in labels[-1])
    before = match_label(rules, group)
    if before is None:
        return True
    joined = match_label(rules, f"{group} {seg.text}")
    return joined is not None and joined.key == before.key  # 'ACTIVITÉS PRINCIPALES' + 'DU POSTE'


_LINKING = frozenset(
    {"du", "de", "des", "d", "à", "a", "au", "aux", "en", "et", "ou", "la", "le", "les", "pour", "sur"}
)


def _own_row(
    rules: LabelRules, seg: Segment, last: Segment | None, labels: list[list[Segment]], values: list[Segment]
) -> bool:
    """Does capitalised label line `seg` start a row of its own although close under the label
    above? It does when both stand level with a line of answer each and the label above is
    complete ('Siège social | 52 bis chemin…' then 'Personne en charge du | Mickaël Tellier')."""
    if last is None or not labels or not seg.text[:1].isupper():
        return False
    first = seg.text.split()[0].lower().rstrip("'’")
    if first in _LINKING or first.startswith(("d'", "d’")):
        return False  # 'DU POSTE' under 'ACTIVITÉS PRINCIPALES'
    if seg.text.isupper() and last.text.isupper():
        own, before = match_label(rules, seg.text), match_label(rules, last.text)
        if own is None or (own.by == "meaning" and before is not None and before.key == own.key):
            return False  # 'EXIGENCES' / 'PARTICULIÈRES': in capitals, a capital says nothing
    height = seg.y1 - seg.y0
    level = [v for v in values if abs(v.cy - seg.cy) < height * 0.5]
    above = [v for v in values if abs(v.cy - last.cy) < (last.y1 - last.y0) * 0.5]
    if not level or not above or level[0] is above[0]:
        return False
    group = match_label(rules, " ".join(s.text for s in labels[-1]))
    return group is not None and group.kind == "field"


def _continues_loose(
    rules: LabelRules,
    seg: Segment,
    last: Segment | None,
    labels: list[list[Segment]],
    value_starts: list[Segment],
    value_segments: list[Segment],
) -> bool:
    """Label continuation when line and row gaps look alike (labels' own words decide)."""
    if last is None or not labels:
        return False
    height = max(seg.y1 - seg.y0, last.y1 - last.y0)
    group = match_label(rules, " ".join(s.text for s in labels[-1]))
    return (
        last.y0 - seg.y1 < height * 1.2
        and (match_label(rules, seg.text) is None or group is None)
        and not any(abs(v.cy - seg.cy) < height * 0.5 for v in value_starts)
        and not (  # a capitalised label level with an answer, below a complete label
            seg.text[:1].isupper()
            and any(abs(v.cy - seg.cy) < height * 0.5 for v in value_segments)
            and group is not None
        )
    )


def _level_label(
    labels: list[list[Segment]], seg: Segment, slack: float, whole_group: bool = False
) -> int | None:
    """Index of the label group level with `seg` (nearest first line), or None."""
    best, best_gap = None, None
    for index, group in enumerate(labels):
        top = group[0]
        tolerance = (top.y1 - top.y0) * slack
        low = (group[-1].y0 if whole_group else top.y0) - tolerance
        if low <= seg.cy <= top.y1 + tolerance:
            gap = abs(seg.cy - top.cy)
            if best_gap is None or gap < best_gap:
                best, best_gap = index, gap
    return best


def _label_columns(page: PageLayout, rules: LabelRules) -> list[float]:
    """Left edges of the label columns of a table with several label|value pairs per row.

    A column counts when at least 3 recognised labels start there with an answer at their right;
    a single label column gives [] (the plain two-column table).
    """
    lefts: Counter[int] = Counter()
    for seg in page.segments:
        found = match_label(rules, seg.text)
        if found is None or found.kind != "field":
            continue
        height = seg.y1 - seg.y0
        if any(o.x0 > seg.x1 + 4 and abs(o.cy - seg.cy) < height for o in page.segments):
            lefts[round(seg.x0 / 12)] += 1
    columns: list[float] = []
    for bucket in sorted(b for b, n in lefts.items() if n >= 3):
        if not columns or bucket * 12 - columns[-1] > 100:
            columns.append(bucket * 12.0)
    return columns if len(columns) >= 2 else []


def table_events(page: PageLayout, rules: LabelRules, cells: list[Event] | None = None) -> list[Event] | None:
    """Events of a page read as a label|value table, or None when no table is found.

    A table drawn with cell borders is read on its cells (`pdf_grid`; `cells` when already read
    with the document's other pages); otherwise a table with two label|value pairs per row is
    read one pair column after the other.
    """
    if cells is None:
        cells = grid_events(page, rules, page.edges)
    if cells is not None:
        return cells
    columns = _label_columns(page, rules)
    if columns:
        events: list[Event] = []
        edges = [-1e9, *(x - 6 for x in columns[1:]), 1e9]
        for left, right in zip(edges, edges[1:], strict=False):
            strip = [s for s in page.segments if left <= s.x0 < right]
            part = PageLayout(page.width, page.height, strip, page.hrules, "")
            events.extend(_strip_events(part, rules) or [Event("line", s.text) for s in strip])
        return events
    return _strip_events(page, rules)


def _strip_events(page: PageLayout, rules: LabelRules) -> list[Event] | None:
    split = _value_column(page, rules)
    if split is None and page.carried is not None and _goes_on(page, page.carried, rules):
        split = page.carried  # the last rows of the previous page's table
    if split is None:
        return None
    page.split = split
    events: list[Event] = []
    bands = _bands(page, split, rules)
    for number, band in enumerate(bands):
        if len(page.hrules) >= 3 and number in (0, len(bands) - 1):
            events.extend(_edge_events(page, band, split, rules))
            continue
        events.extend(_band_events(band, split, rules))
    return events


def _goes_on(page: PageLayout, split: float, rules: LabelRules) -> bool:
    """Does a known label stand left of `split` with its answer right of it, on the same line?"""
    for seg in page.segments:
        if seg.x0 >= split or seg.x1 > split:
            continue
        found = match_label(rules, seg.text)
        if found is not None and found.kind == "field":
            height = seg.y1 - seg.y0
            if any(o.x0 >= split and abs(o.cy - seg.cy) < height * 0.6 for o in page.segments):
                return True
    return False


def _edge_events(page: PageLayout, band: list[Segment], split: float, rules: LabelRules) -> list[Event]:
    """Above the first rule or under the last one: the page's header or footer as lines, and the
    rows of a table carried over from the previous page (a label level with its answer)."""
    events: list[Event] = []
    part = PageLayout(page.width, page.height, band, [], "")
    for row in _bands(part, split, rules):
        labels = [s for s in row if s.x0 < split]
        label = " ".join(s.text for s in sorted(labels, key=lambda s: (-s.y1, s.x0)))
        found = match_label(rules, label) if labels else None
        if found is not None and found.kind == "field" and any(s.x0 >= split for s in row):
            events.extend(_band_events(row, split, rules))
        else:
            events.extend(Event("line", s.text) for s in row)
    return events


def _band_events(band: list[Segment], split: float, rules: LabelRules) -> list[Event]:
    """The events of one table row: a label|value pair, a label left empty, or lines."""
    labels = [s for s in band if s.x0 < split]
    values = [s for s in band if s.x0 >= split]
    labels.sort(key=lambda s: (-s.y1, s.x0))
    values.sort(key=lambda s: (-s.y1, s.x0))
    label_text = " ".join(s.text for s in labels)
    if values and labels:
        return [Event("pair", label_text, "\n".join(s.text for s in values))]
    if labels:
        found = match_label(rules, label_text, whole_line=True)
        if found is not None and found.kind == "field" and ":" not in label_text:
            return [Event("pair", label_text, "")]
        if _qualified_label(rules, label_text):
            return [Event("pair", label_text, "")]  # 'Précisions : adresse', left empty
        return [Event("line", s.text) for s in labels]
    return [Event("line", s.text) for s in values]


def _qualified_label(rules: LabelRules, text: str) -> bool:
    """'Précisions : adresse': a word no rule knows, a colon, then a field's label (no answer)."""
    head, _, tail = text.rpartition(":")
    if not head.strip() or not tail.strip() or len(tail.split()) > 4 or match_label(rules, head) is not None:
        return False
    found = match_label(rules, tail)
    return found is not None and found.kind == "field"


_MARGIN_DEPTH = 3


@dataclass(frozen=True)
class RunningMargins:
    """Running headers (`top`) and footers (`bottom`) of a document's pages; `in` asks either."""

    top: frozenset[str] = frozenset()
    bottom: frozenset[str] = frozenset()

    def __contains__(self, line: object) -> bool:
        return line in self.top or line in self.bottom

    def __bool__(self) -> bool:
        return bool(self.top or self.bottom)


def text_lines(page: PageLayout, skip: RunningMargins | None = None) -> list[str]:
    """The page's text lines but those in `skip` (running headers and footers), with a blank line
    around a heading printed larger than the body text and where a wide vertical gap parts two
    lines (a page footer under the last answer; a page number lets the answer go on)."""
    lines = page.text.split("\n")
    if skip:  # only at the page's top or bottom: the letterhead's name may also be an answer
        filled = [i for i, x in enumerate(lines) if x.strip()]
        top, bottom = set(filled[:_MARGIN_DEPTH]), set(filled[-_MARGIN_DEPTH:])
        lines = [x for i, x in enumerate(lines)
                 if not (i in top and x.strip() in skip.top or i in bottom and x.strip() in skip.bottom)]
    placed = [s for s in page.segments if s.base is not None and s.size]
    if len(placed) < 5:
        return lines
    sizes = sorted(s.size for s in placed)  # type: ignore[misc]
    body = sizes[len(sizes) // 2]
    pitches = sorted(
        a.base - b.base  # type: ignore[operator]
        for a, b in zip(placed, placed[1:], strict=False)
        if a.base - b.base > 1  # type: ignore[operator]
    )
    pitch = pitches[len(pitches) // 2] if pitches else body * 1.3
    by_word: dict[str, list[Segment]] = {}  # segments by first word, top to bottom
    for seg in placed:
        by_word.setdefault(seg.text.split()[0], []).append(seg)
    out: list[str] = []
    above: float | None = None
    for line in lines:
        key = " ".join(line.split())
        seg = _first_segment(by_word, key)
        if seg is None:
            out.append(line)
            continue
        far = above is not None and above - seg.base > max(pitch * 2.5, body * 3)  # type: ignore[operator]
        if far and not is_page_number(line):
            out.append("")
        large = seg.text == key and seg.size > body * 1.12  # type: ignore[operator]
        out.extend(["", line, ""] if large else [line])
        above = seg.base
    return out


def _first_segment(by_word: dict[str, list[Segment]], line: str) -> Segment | None:
    """The first unused segment that begins `line` (taken out of `by_word`)."""
    if not line:
        return None
    candidates = by_word.get(line.split()[0], [])
    for index, seg in enumerate(candidates):
        if line.startswith(seg.text):
            return candidates.pop(index)
    return None
