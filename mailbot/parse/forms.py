"""Liaison forms from documents (PDF, DOCX, scans) and from e-mail text.

Each layout reader turns the document into events (see `text_form`); the reading that recognises
the most answers wins. A reader that fails adds a problem and the next one is tried. A document
with too few form labels (a CV, a newsletter) gives no form.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mailbot.errors import UnreadableDocument
from mailbot.parse.document import Document
from mailbot.parse.evidence import keep_evident
from mailbot.parse.form_build import build_form, looks_like_form
from mailbot.parse.labels import LabelRules, load_rules
from mailbot.parse.normalise import clean_text
from mailbot.parse.pdf_layout import RunningMargins
from mailbot.parse.text_form import Event, RawForm, assemble, line_events
from mailbot.parse.types import Limits

__all__ = ["OCR_REVIEW", "FormsResult", "parse_forms", "parse_forms_in_text"]

#: Why an OCR'd form is flagged for review (extra key `review_reason`).
OCR_REVIEW = "lecture OCR : à vérifier"
_MIN_TEXT_CHARS = 40  # fewer printable characters per page: the page is a scan


@dataclass
class FormsResult:
    """Forms found in a document (contract FORM dicts), whether OCR was used, document problems."""

    forms: list[dict] = field(default_factory=list)
    ocr: bool = False
    problems: list[str] = field(default_factory=list)


@dataclass
class _Reading:
    forms: list[RawForm]
    labels: set[str]

    @property
    def score(self) -> tuple[bool, int, int]:
        # distinct answers: a company block copied into each job's form counts once
        answered = len({(k, v) for f in self.forms for k, v in f.values.items() if clean_text(v)})
        return (looks_like_form(self.labels), answered, len(self.labels))


def _read(events: list[Event], rules: LabelRules) -> _Reading:
    forms, labels = assemble(events, rules)
    return _Reading(forms, labels)


def _finish(reading: _Reading | None, rules: LabelRules, ocr: bool) -> list[dict]:
    if reading is None or not looks_like_form(reading.labels):
        return []
    forms = []
    raw_forms = reading.forms
    if len(raw_forms) > 1:  # drop stray fragments (a repeated footer field, ...)
        raw_forms = [f for f in raw_forms if sum(1 for v in f.values.values() if v) >= 3]
    for raw in raw_forms:
        form = build_form(raw, rules)
        if ocr:
            form["ocr"] = True
            form["review"] = True
            form["review_reason"] = OCR_REVIEW
        forms.append(form)
    return keep_evident(forms)  # a few scattered labels are not a liaison form


_QUOTE_START = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|message d'origine|message transf[ée]r[ée]|"
    r"forwarded message)|(?:de|from)\s*:.*@|le .{4,80} a [ée]crit\s*:)",
    re.IGNORECASE,
)
# Outlook's rule above a quoted message: a line of underscores, then 'De :' — not a blank answer '______'.
_OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")
_FROM_HEADER = re.compile(r"^\s*\*?(?:de|from)\s*\*?\s*:", re.IGNORECASE)


def _quote_starts(lines: list[str], index: int) -> bool:
    if _QUOTE_START.match(lines[index]):
        return True
    if _OUTLOOK_RULE.match(lines[index]):
        after = [x for x in lines[index + 1 : index + 4] if x.strip()]
        return bool(after) and bool(_FROM_HEADER.match(after[0]))
    return False


def _split_quote(text: str) -> tuple[str, str]:
    """(own text, quoted or forwarded text) of an e-mail body; '>' lines count as quoted."""
    own: list[str] = []
    quoted: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if _quote_starts(lines, index):
            end = index + 1  # a '>' block under the header, then the sender's own text (bottom-posting)
            while end < len(lines) and (lines[end].lstrip().startswith(">") or not lines[end].strip()):
                end += 1
            block = lines[index + 1 : end]
            if any(x.lstrip().startswith(">") for x in block) and any(x.strip() for x in lines[end:]):
                quoted.extend(lines[index:end])
                index = end
                continue
            return "\n".join(own), "\n".join(quoted + lines[index:])
        if not line.lstrip().startswith(">"):
            own.append(line)
        index += 1
    return "\n".join(own), "\n".join(quoted)


def parse_forms_in_text(text: str) -> list[dict]:
    """Forms typed in a plain-text e-mail body; [] when the text is not a form.

    Only the sender's own text counts; a quoted or forwarded message counts when it is clearly a
    company's form (SIRET or company name given, many labels), never a short job announcement
    such as the agency's own broadcast quoted in a reply.
    """
    if not text or not text.strip():
        return []
    rules = load_rules()
    own, quoted = _split_quote(text[:200_000])
    found = _finish(_read(line_events(own), rules), rules, ocr=False)
    if found or not quoted.strip():
        return found
    reading = _read(line_events(quoted), rules)
    strict = len(reading.labels) >= 10 and bool(reading.labels & {"company.siret", "company.legal_name"})
    return _finish(reading, rules, ocr=False) if strict else []


def parse_forms(doc: Document, limits: Limits | None = None) -> FormsResult:
    """Forms of an opened document; never raises for bad content (problems say what went wrong)."""
    limits = limits or doc.limits
    rules = load_rules()
    result = FormsResult()
    deadline = time.monotonic() + limits.max_seconds_per_document
    try:
        if doc.kind == "docx":
            best = _best_docx(doc, rules, result)
        else:
            best = _best_pdf(doc, rules, limits, deadline, result)
    except UnreadableDocument as exc:
        result.problems.append(str(exc))
        return result
    except Exception as exc:  # a reader bug must not crash the daemon
        result.problems.append(f"document illisible ({type(exc).__name__})")
        return result
    result.forms = _finish(best, rules, result.ocr)
    return result


def _repeated_margins(pages: list[str], depth: int = 3) -> RunningMargins:
    """Lines printed at the top, or at the bottom, of several pages (running headers and
    footers). A letterhead's name repeated at the top of each page is still an answer where it
    stands at the bottom of one page, under its label."""
    if len(pages) < 2:
        return RunningMargins()
    seen: dict[tuple[str, str], int] = {}
    for text in pages:
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        numbered = list(enumerate(lines))
        for side, edge in (("top", numbered[:depth]), ("bottom", numbered[-depth:])):
            # the answer under a 'Lieu :' label printed last on each page is no running footer (a
            # long line under a signature's 'Nom, signature :' still is)
            kept = {x for i, x in edge if i == 0 or not lines[i - 1].endswith((":", "：")) or len(x) > 50}
            for line in kept:
                seen[side, line] = seen.get((side, line), 0) + 1
    return RunningMargins(
        top=frozenset(line for (side, line), n in seen.items() if side == "top" and n >= 2),
        bottom=frozenset(line for (side, line), n in seen.items() if side == "bottom" and n >= 2),
    )


def _market(text: str) -> str | None:
    from mailbot.parse.text_form import MARKET

    for line in text.split("\n"):
        found = MARKET.match(line)
        if found:
            return " ".join(found.group(1).split())
    return None


def _attempt(
    name: str, reader: Callable[[], list[Event] | None], rules: LabelRules, result: FormsResult
) -> _Reading | None:
    try:
        events = reader()
    except UnreadableDocument:
        raise
    except Exception as exc:
        result.problems.append(f"lecture {name} impossible ({type(exc).__name__})")
        return None
    if events is None:
        return None
    return _read(events, rules)


def _pick(readings: list[_Reading | None]) -> _Reading | None:
    found = [r for r in readings if r is not None]
    return max(found, key=lambda r: r.score) if found else None


def _best_docx(doc: Document, rules: LabelRules, result: FormsResult) -> _Reading | None:
    from mailbot.parse.docx_form import docx_events

    return _attempt("DOCX", lambda: docx_events(doc.data, rules), rules, result)


def _best_pdf(
    doc: Document, rules: LabelRules, limits: Limits, deadline: float, result: FormsResult
) -> _Reading | None:
    import pypdfium2 as pdfium

    from mailbot.parse.acroform import acroform_events
    from mailbot.parse.pdf_grid import grid_pages_events
    from mailbot.parse.pdf_layout import read_pdf_layout, table_events, text_lines

    try:
        pdf = pdfium.PdfDocument(doc.data)
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"corrupt or truncated PDF ({exc})") from None
    try:
        layouts = read_pdf_layout(pdf, limits.max_pdf_pages)
        readings: list[_Reading | None] = []
        acro = _attempt("AcroForm", lambda: acroform_events(doc.data, layouts, rules), rules, result)
        if acro is not None and looks_like_form(acro.labels):
            market = _market("\n".join(page.text for page in layouts))
            for raw in acro.forms:
                raw.market = raw.market or market
            return acro
        readings.append(acro)
        scanned = any(page.images for page in layouts) and all(
            sum(1 for c in page.text if not c.isspace()) < _MIN_TEXT_CHARS for page in layouts
        )
        if scanned and layouts:
            if not limits.ocr:
                result.problems.append("document scanné : lecture OCR désactivée")
                return None
            layouts = _ocr(pdf, limits, deadline, result)
            if layouts is None:
                return None
            result.ocr = True

        repeated = _repeated_margins([page.text for page in layouts])

        def text_reader() -> list[Event]:
            lines = [x for page in layouts for x in text_lines(page, repeated)]
            return line_events("\n".join(lines))

        def table_reader() -> list[Event]:
            events: list[Event] = []
            grids = grid_pages_events(layouts, rules)
            for previous, page, cells in zip([None, *layouts], layouts, grids, strict=False):
                page.carried = previous.split if previous is not None else None
                page_events = table_events(page, rules, cells)
                if page_events is None:
                    page_events = line_events(page.text)
                events.extend(e for e in page_events if e.kind != "line" or e.text.strip() not in repeated)
            return events

        readings.append(_attempt("texte", text_reader, rules, result))
        if time.monotonic() < deadline:
            readings.append(_attempt("tableau", table_reader, rules, result))
        return _pick(readings)
    finally:
        pdf.close()


def _ocr(pdf, limits: Limits, deadline: float, result: FormsResult):
    from mailbot.parse.ocr import OcrUnavailable, ocr_pages

    try:
        pages, stopped = ocr_pages(pdf, limits.ocr_max_pages, deadline)
    except OcrUnavailable as exc:
        result.problems.append(f"document scanné illisible : {exc}")
        return None
    if stopped:
        result.problems.append(f"document scanné : {stopped}")
    if len(pdf) > limits.ocr_max_pages:
        result.problems.append(
            f"document scanné : seules les {limits.ocr_max_pages} premières pages ont été lues"
        )
    return pages
