"""Text that mailbot wrote never becomes data again.

Every email mailbot queues is fingerprinted: each run of five consecutive words of its text part
and of its HTML part (as text) is hashed into the `fingerprint` table, in the same transaction as
the outbox row. Words are compared folded (lowercase, no accents, no punctuation), so a fingerprint
survives quoting (`>`), re-wrapping at another width, HTML→text and copy-paste.

A run that the templates rendered without any data also contain is an *anchor* (static wording
no company or person writes). When a message comes in, `split_own_text` marks the words of its
text that belong to known runs; a stretch of marked words counts as mailbot's only when it holds
an anchor (so a company's next form that repeats its own details, echoed once in an
acknowledgement, is still read), and the lines made mostly of such stretches are set apart: what
remains is what a person (or another program) wrote.
The dropped lines are kept apart (`MailMessage.own_text`), so an offer reference inside quoted
mailbot text still ties a reply to its thread.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import lru_cache

from sqlalchemy import event
from sqlmodel import Session

__all__ = [
    "SHINGLE",
    "OwnTextSplit",
    "hashes_of",
    "html_words",
    "lookup_known",
    "remember",
    "seed",
    "split_own_text",
    "template_hashes",
]

SHINGLE = 5  # words per fingerprint
_MIN_LINE_SHARE = 0.5  # a line with at least this share of its words in known runs is ours
_SESSION_KEY = "mailbot_fingerprints"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    """The folded words of `text`. No word spans a line end, so lines are folded one by one
    and memoised: the emails mailbot writes share most of their lines."""
    out: list[str] = []
    for line in (text or "").split("\n"):
        out.extend(_line_words(line))
    return out


@lru_cache(maxsize=32768)
def _line_words(line: str) -> tuple[str, ...]:
    return tuple(_fold(w) for w in _WORD.findall(line))


def _hash(words: Iterable[str]) -> int:
    digest = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _runs(words: list[str]) -> list[list[str]]:
    if len(words) < SHINGLE:
        return [words] if words else []
    return [words[i : i + SHINGLE] for i in range(len(words) - SHINGLE + 1)]


def hashes_of(text: str, static: set[int] | frozenset[int] = frozenset()) -> dict[int, bool]:
    """Fingerprints of `text`, one per run of SHINGLE consecutive words: {hash: anchor}, where
    anchor means the run is also in `static` (the templates' own wording, see `template_hashes`)."""
    return {value: value in static for value in _run_hashes(_words(text))}


_HTML_SKIP = re.compile(r"<(script|style|head|title|xml)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_HTML_TAG = re.compile(r"<[^>]*>")


def html_words(html: str) -> str:
    """The words of an HTML part in reading order, as `mailtext.html_to_text` gives them (what
    fingerprints compare), without building the text's lines: tags become spaces."""
    import html as html_module

    return html_module.unescape(_HTML_TAG.sub(" ", _HTML_SKIP.sub(" ", html or "")))


def remember(session: Session, texts: Iterable[str], static: set[int] | frozenset[int]) -> None:
    """Record the fingerprints of an email being queued; written when `session` commits.

    Runs of the templates' static wording are left out (`seed` wrote them as anchors when the
    pipeline started), and so are runs this process already wrote."""
    pending: dict[int, bool] = session.info.setdefault(_SESSION_KEY, {})
    written = _written_for(session).items
    runs: dict[tuple[str, ...], int] = {}  # the HTML part repeats the text part's runs
    for text in texts:
        for value in _text_hashes(text, runs).difference(static):
            if value not in written and value not in pending:
                pending[value] = False


_RUN_MEMO: dict[tuple[str, ...], int] = {}  # run → hash: emails share most of their runs
_RUN_MEMO_SIZE = 50_000  # about 9 MB at most


def _run_hashes(words: list[str]) -> set[int]:
    """`{_hash(run) for run in _runs(words)}`, with the hashes of runs seen before memoised."""
    if len(words) < SHINGLE:
        return {_hash(words)} if words else set()
    if len(_RUN_MEMO) > _RUN_MEMO_SIZE:
        _RUN_MEMO.clear()
    out: set[int] = set()
    memo = _RUN_MEMO
    for start in range(len(words) - SHINGLE + 1):
        run = tuple(words[start : start + SHINGLE])
        value = memo.get(run)
        if value is None:
            value = memo[run] = _hash(run)
        out.add(value)
    return out


_LINE_RUNS: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[int, ...]] = {}
_LINE_RUNS_SIZE = 20_000


def _text_hashes(text: str, runs: dict[tuple[str, ...], int] | None = None) -> set[int]:
    """`_run_hashes(_words(text))`, line by line: the runs starting on a line depend only on
    its words and the next SHINGLE - 1 words after it, and most lines of mailbot's emails
    (with what follows them) were seen before. `runs` (run → hash) is filled and read for the
    runs of new lines: the texts of one email (its text part, its HTML part) share them."""
    runs = {} if runs is None else runs
    lines = [words for words in map(_line_words, (text or "").split("\n")) if words]
    if sum(len(words) for words in lines) < SHINGLE:
        return _run_hashes([w for words in lines for w in words])
    if len(_LINE_RUNS) > _LINE_RUNS_SIZE:
        _LINE_RUNS.clear()
    out: set[int] = set()
    for index, words in enumerate(lines):
        following: tuple[str, ...] = ()
        after = index + 1
        while len(following) < SHINGLE - 1 and after < len(lines):
            following += lines[after][: SHINGLE - 1 - len(following)]
            after += 1
        key = (words, following)
        hashes = _LINE_RUNS.get(key)
        if hashes is None:
            run = words + following
            found = []
            for start in range(min(len(words), len(run) - SHINGLE + 1)):
                piece = run[start : start + SHINGLE]
                value = runs.get(piece)
                if value is None:
                    value = runs[piece] = _hash(piece)
                found.append(value)
            hashes = _LINE_RUNS[key] = tuple(found)
        out.update(hashes)
    return out


class _RecentlyWritten:
    """Hashes this process has committed (bounded): they need not be written again."""

    def __init__(self, size: int = 300_000) -> None:
        self.size = size
        self.items: OrderedDict[int, None] = OrderedDict()

    def __contains__(self, value: int) -> bool:
        return value in self.items

    def add_all(self, values: Iterable[int]) -> None:
        for value in values:
            self.items[value] = None
        while len(self.items) > self.size:
            self.items.popitem(last=False)


_WRITTEN: dict[str, _RecentlyWritten] = {}


def _written_for(session: Session) -> _RecentlyWritten:
    """The cache of the database `session` writes to (one per database URL)."""
    key = str(session.get_bind().url)
    if key not in _WRITTEN:
        _WRITTEN[key] = _RecentlyWritten()
    return _WRITTEN[key]


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:  # pragma: no cover - exercised by every queue
    pending: dict[int, bool] | None = session.info.pop(_SESSION_KEY, None)
    if not pending:
        return
    from mailbot.domain.models import Fingerprint

    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    anchors = [{"hash": h, "anchor": True} for h, a in pending.items() if a]
    others = [{"hash": h, "anchor": False} for h, a in pending.items() if not a]
    table = Fingerprint.__table__  # Core executemany: the ORM's bulk path costs more than the rows
    connection = session.connection()
    if anchors:
        statement = insert(table)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["hash"], set_={"anchor": statement.excluded.anchor}), anchors)
    if others:
        connection.execute(insert(table).on_conflict_do_nothing(), others)
    session.info["mailbot_fingerprints_written"] = list(pending)


@event.listens_for(Session, "after_commit")
def _remember_written(session: Session) -> None:  # pragma: no cover - see _write_pending
    written = session.info.pop("mailbot_fingerprints_written", None)
    if written:
        _written_for(session).add_all(written)


@event.listens_for(Session, "after_rollback")
def _forget_unwritten(session: Session) -> None:  # pragma: no cover - see _write_pending
    session.info.pop("mailbot_fingerprints_written", None)


Known = Callable[[set[int]], dict[int, bool]]


def lookup_known(session: Session) -> Known:
    """A function telling which of some hashes mailbot has sent: {hash: anchor}."""
    from sqlmodel import select

    from mailbot.domain.models import Fingerprint

    def known(hashes: set[int]) -> dict[int, bool]:
        found: dict[int, bool] = {}
        ordered = sorted(hashes)
        if ordered and session.get_bind().dialect.name == "sqlite":
            # one parameter whatever the count: no IN list to build, compile and bind
            rows = session.connection().exec_driver_sql(
                "SELECT hash, anchor FROM fingerprint WHERE hash IN "
                "(SELECT value FROM json_each(?))", (json.dumps(ordered),))
            return {value: bool(anchor) for value, anchor in rows}
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            query = select(Fingerprint.hash, Fingerprint.anchor).where(Fingerprint.hash.in_(chunk))
            found.update(dict(session.exec(query).all()))
        return found

    return known


class OwnTextSplit:
    """A text cut into what someone else wrote (`other`) and mailbot's own lines (`own`)."""

    def __init__(self, other: str, own: str, own_words: int, total_words: int) -> None:
        self.other = other
        self.own = own
        self.own_words = own_words
        self.total_words = total_words

    @property
    def found(self) -> bool:
        return bool(self.own_words)


def template_hashes(texts: Iterable[str]) -> set[int]:
    """Anchors from templates rendered without data: the static wording every mailbot shares,
    so a message written by another mailbot (same templates) is recognised too."""
    out: set[int] = set()
    for text in texts:
        out |= _run_hashes(_words(text))
    return out


def seed(session: Session, hashes: Iterable[int]) -> None:
    """Add template anchors (written when `session` commits)."""
    pending: dict[int, bool] = session.info.setdefault(_SESSION_KEY, {})
    for value in hashes:
        pending[value] = True


_ECHO_LINE = re.compile(r"^\s*(?:[-*•·]\s*)?(?P<label>[^:\n]{2,60}?)\s*:\s*\S")


@lru_cache(maxsize=1)
def _echo_labels() -> frozenset[str]:
    from mailbot.outbox.labels_fr import FIELD_LABELS

    return frozenset({" ".join(_words(label)) for label in FIELD_LABELS.values()} | {"reference"})


def _is_echo_line(line: str, labels: frozenset[str]) -> bool:
    """A "Label : value" line (or a "- Label" bullet) with a label mailbot's own emails use, or a
    line without words (a rule of "=====")."""
    if not _words(line):
        return True
    match = _ECHO_LINE.match(line)
    if match:
        return " ".join(_words(match.group("label"))) in labels
    bullet = re.match(r"^\s*[-*•·]\s*(.+?)\s*$", line)
    return bool(bullet) and " ".join(_words(bullet.group(1))) in labels


def split_own_text(text: str, known: Known) -> OwnTextSplit:
    """Split `text` into other people's lines and mailbot's own lines (see module docstring).

    A run of words is ours when its fingerprint is known; a line is ours when at least half its
    words sit in such runs. A line a person typed among quoted mailbot lines keeps its words:
    runs that cross into it are unknown.
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tokens: list[tuple[int, str]] = []  # (line index, folded word)
    for index, line in enumerate(lines):
        tokens.extend((index, w) for w in _words(line))
    if not tokens:
        return OwnTextSplit(text or "", "", 0, 0)
    words = [w for _, w in tokens]
    size = min(SHINGLE, len(words))
    windows = [(i, _hash(run)) for i, run in enumerate(_runs(words))]  # (start, hash)
    found = known({h for _, h in windows})
    if not found:
        return OwnTextSplit(text or "", "", 0, len(words))
    ours = _marked(len(words), windows, found, size)
    per_line: dict[int, list[bool]] = {}
    for (line_index, _), mark in zip(tokens, ours, strict=True):
        per_line.setdefault(line_index, []).append(mark)
    own = [bool(m) and sum(m) >= _MIN_LINE_SHARE * len(m) for m in
           (per_line.get(i) for i in range(len(lines)))]
    _fill_echo_gaps(lines, own)
    other_lines, own_lines = [], []
    own_words = 0
    for index, line in enumerate(lines):
        if own[index]:
            own_lines.append(line)
            own_words += len(per_line.get(index, ()))
        else:
            other_lines.append(line)
    return OwnTextSplit(
        _tidy("\n".join(other_lines)), _tidy("\n".join(own_lines)), own_words, len(words)
    )


def _marked(count: int, windows: list[tuple[int, int]], found: dict[int, bool], size: int) -> list[bool]:
    """Words inside known runs, keeping only the stretches that hold an anchor run."""
    marks = [False] * count
    anchored = [False] * count
    for start, value in windows:
        if value in found:
            for i in range(start, start + size):
                marks[i] = True
                anchored[i] = anchored[i] or found[value]
    i = 0
    while i < count:
        if not marks[i]:
            i += 1
            continue
        end = i
        while end < count and marks[end]:
            end += 1
        if not any(anchored[i:end]):
            for j in range(i, end):
                marks[j] = False
        i = end
    return marks


def _fill_echo_gaps(lines: list[str], own: list[bool], max_gap: int = 40) -> None:
    """After a stretch of mailbot's lines (up to the next stretch, or the end), a gap made only
    of blank lines and "Label : value" lines with mailbot's own labels is the values another
    mailbot echoed: ours too."""
    previous_own = None
    index = 0
    while index < len(lines):
        if own[index]:
            previous_own = index
            index += 1
            continue
        end = index
        while end < len(lines) and not own[end]:
            end += 1
        if previous_own is not None and end - index <= max_gap:
            gap = [line for line in lines[index:end] if line.strip()]
            if gap and all(_is_echo_line(line, _echo_labels()) for line in gap):
                for j in range(index, end):
                    own[j] = bool(lines[j].strip()) or own[j]
        index = end


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()
