"""Turn a reading-order stream of lines and label|value pairs into raw liaison forms.

Every layout reader (text PDF, PDF table, DOCX, AcroForm, OCR, e-mail body) produces `Event`s;
`assemble` recognises labels with the rules of `labels.py`, follows multi-line answers, skips
headings, footers and signatures, and starts a new form when a job description repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from mailbot.parse.labels import LabelMatch, LabelRules, load_rules

__all__ = ["Event", "RawForm", "assemble", "is_job_heading", "line_events", "match_label", "split_label"]

MARKET = re.compile(r"^\s*March[ée]s?(?:\s+public)?\s*[:：]\s*(.+)$", re.IGNORECASE)
_COLON = re.compile(r"^(.{1,140}?)\s*[:：]\s*(.*)$")
_NUMBERED_HEADING = re.compile(
    r"^\W*(?:poste|offre|emploi|profil|fiche|besoin|recrutement)\s*(?:n\s*[°ºo]\.?|num[ée]ro)?\s*\d+\W*$",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?\d{1,3}\s*(?:/|sur|of)\s*\d{1,3}\W*$", re.IGNORECASE)
# A label inside an answer: 'Tél : 06 12 34 56 78   Mail : a@b.fr' (two columns on one line).
_INLINE_LABEL = re.compile(r"(?:(?<=\s)|(?<=\|))(?=(([A-ZÀ-Ý][\w'’.°/ -]{0,40}?)\s*[:：](?:\s|$)))")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_PARENS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")
# Numbering before a label: '1. Raison sociale', '2.3 Poste', 'a) Contrat', 'IV. Conditions'.
_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\s*[.)°-]|[a-zA-Z]\)|[a-z]\.|[IVX]{1,4}[.)])\s*(?=\S)"
)
# 'Label<TAB>value', 'Label     value' (pasted table), 'Label ........ value' (dotted leaders).
_GAP = re.compile(r"^(.{1,80}?)(?:\s*\t\s*|\s{3,}|\s*[.…_]{4,}\s*|\s+\|\s*)(.*)$")
_PIPE_ROW = re.compile(r"^\|(.*)\|$")  # '| Label | value |': a table pasted as text
# Fields answered on one line: an unknown 'Xxx : yyy' line after them is not their continuation.
_ONE_LINE = frozenset(
    {
        "company.siret", "company.phone", "company.email", "job.title", "job.positions",
        "job.recruitment_date", "conditions.contract_type", "conditions.contract_duration",
        "conditions.weekly_hours",
    }
)  # fmt: skip
# What a letterhead prints above a form: a later answer to the same label replaces it.
_LETTERHEAD = frozenset({"company.phone", "company.email", "company.address"})
_LABEL_LIKE = re.compile(r"^[A-ZÀ-Ýa-zà-ÿ][\w'’./ -]{0,40}\s*[:：]")
_COMPANY = "company."


@dataclass
class Event:
    """One reading-order item: a free line of text, or a label with its value (table, field)."""

    kind: str  # "line" | "pair"
    text: str = ""  # the line, or the label of a pair
    value: str | None = None  # the value of a pair
    key: str | None = None  # dotted field already known (AcroForm field names), skips matching


@dataclass
class RawForm:
    """Raw answers of one form: dotted field -> text ('' when the label is there but empty)."""

    values: dict[str, str] = field(default_factory=dict)
    market: str | None = None

    def copy_company(self) -> RawForm:
        return RawForm(
            values={k: v for k, v in self.values.items() if k.startswith(_COMPANY)},
            market=self.market,
        )


def line_events(text: str) -> list[Event]:
    """Events of a plain text: one line each."""
    return [Event("line", line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def match_label(rules: LabelRules, label: str, *, whole_line: bool = False) -> LabelMatch | None:
    """Tolerant match of a printed label: parentheses ignored, short extra words allowed.

    whole_line: the text is a full line with no colon, so only an exact label (or heading) counts.
    """
    stripped = _PARENS.sub(" ", _NUMBERING.sub("", label)).strip()
    if not stripped or len(stripped) > 120:
        return None
    found = rules.match(stripped, prefer_heading=whole_line)
    if found is None:
        return None
    if whole_line and not found.exact:
        if found.kind == "field":
            return rules.match(stripped, prefer_heading=True, prefix=False)
        if found.size < 2 and not _YEAR.search(label):
            return None  # 'Date de fin…', 'Accueil du public…': a value line, not a label
        return found
    if found.exact or found.kind != "field":
        return found
    extra = len(rules.key(stripped)) - found.size
    return found if found.size >= 2 or extra <= 1 else None


def is_job_heading(text: str) -> bool:
    """'Poste n° 2', 'OFFRE 1', 'Profil 3': the heading of one job in a multi-job form."""
    return bool(_NUMBERED_HEADING.match(text.strip()))


def split_label(rules: LabelRules, text: str) -> tuple[str, str] | None:
    """(field, value) of a 'Label : value' text whose label is a known field with a value, else None."""
    colon = _COLON.match(text.strip())
    if colon is None or not colon.group(2).strip():
        return None
    found = match_label(rules, colon.group(1))
    if found is None or found.kind != "field":
        return None
    return found.key, colon.group(2)


class _Assembler:
    def __init__(self, rules: LabelRules) -> None:
        self.rules = rules
        self.forms: list[RawForm] = [RawForm()]
        self.current: str | None = None  # field collecting continuation lines
        self.lines: list[str] = []
        self.market: str | None = None
        self.labels_seen: set[str] = set()
        self.letterhead: set[str] = set()  # company fields read before any other label

    @property
    def form(self) -> RawForm:
        return self.forms[-1]

    def close(self) -> None:
        if self.current is not None:
            self._store(self.current, "\n".join(self.lines).strip())
        self.current = None
        self.lines = []

    def _store(self, key: str, value: str) -> None:
        values = self.form.values
        if values.get(key):
            if not value:
                return
            if key.startswith(_COMPANY) and key != "company.legal_name":
                if key in self.letterhead:  # the letterhead's switchboard: the form's own wins
                    self.letterhead.discard(key)
                    values[key] = value
                return  # a second phone/e-mail of the same company: keep the first
            new = RawForm() if key.startswith(_COMPANY) else self.form.copy_company()
            new.market = self.market
            self.forms.append(new)
            values = new.values
        values[key] = value
        if value and key in _LETTERHEAD and self.labels_seen <= _LETTERHEAD:
            self.letterhead.add(key)

    def start(self, key: str, value: str) -> None:
        self.close()
        self.labels_seen.add(key)
        self.current = key
        self.lines = [value] if value else []

    def feed_line(self, line: str) -> None:
        text = line.strip()
        pipes = _PIPE_ROW.match(text)
        if pipes:
            text = pipes.group(1).strip()
            if not text.strip("-:| "):
                return  # the '|---|---|' rule under a header row
        if not text:
            if self.current is not None and self.lines:
                self.close()
            return
        market = MARKET.match(text)
        if market:
            self.close()
            self.market = self.market or market.group(1).strip()
            if self.form.market is None:
                self.form.market = self.market
            return
        colon = _COLON.match(text)
        if colon:
            found = match_label(self.rules, colon.group(1))
            if found is not None:
                if found.kind == "field":
                    self._start_inline(found.key, colon.group(2))
                else:
                    self.close()
                return
        gap = _GAP.match(text)
        if gap:
            found = match_label(self.rules, gap.group(1))
            if found is not None and found.kind == "field" and found.exact:
                self._start_inline(found.key, gap.group(2))
                return
        if _PAGE_NUMBER.match(text):
            return  # a page footer: the answer may go on over the page
        if _NUMBERED_HEADING.match(text):
            self.close()
            return
        found = match_label(self.rules, text, whole_line=True)
        if found is not None and len(text) <= 90:
            if found.kind == "field":
                self.start(found.key, "")
            else:
                self.close()
            return
        if self.current is not None:
            if self.current in _ONE_LINE and self.lines and _LABEL_LIKE.match(text):
                self.close()  # an unknown label: never glue it to a one-line answer
                return
            self.lines.append(text)

    def _start_inline(self, key: str, value: str) -> None:
        """Start `key`; a second 'Label : value' on the same line (two columns) is split off."""
        for inner in _INLINE_LABEL.finditer(value):
            found = match_label(self.rules, inner.group(2))
            if found is not None and found.kind == "field" and found.exact and found.key != key:
                self.start(key, value[: inner.start()].strip())
                self._start_inline(found.key, value[inner.start() + len(inner.group(1)) :])
                return
        self.start(key, value)

    def feed_pair(self, label: str, value: str | None, key: str | None = None) -> None:
        self.close()
        if key is not None:
            self.labels_seen.add(key)
            self._store(key, (value or "").strip())
            return
        found = match_label(self.rules, label)
        if found is None:
            if value and value.strip():
                self.feed_line(f"{label} : {value}")
            return
        if found.kind != "field":
            return
        self.labels_seen.add(found.key)
        self._store(found.key, (value or "").strip())

    def finish(self) -> list[RawForm]:
        self.close()
        for form in self.forms:
            form.market = form.market or self.market
        return [f for f in self.forms if f.values]


def assemble(events: Iterable[Event], rules: LabelRules | None = None) -> tuple[list[RawForm], set[str]]:
    """Raw forms found in `events`, and the set of field labels recognised (even empty ones)."""
    machine = _Assembler(rules or load_rules())
    for event in events:
        if event.kind == "pair":
            machine.feed_pair(event.text, event.value, event.key)
        else:
            for line in event.text.split("\n"):
                machine.feed_line(line)
    return machine.finish(), machine.labels_seen
