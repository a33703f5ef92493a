"""Eligibility to the clause as a partner states it in a referral email ("Public : RSA, QPV").

Vocabulary in `rules/eligibility.toml` (labels that open such a line, words of each code),
matched on folded words (no capitals, accents or punctuation). With several candidates, a line
counts for the candidate named on it or on the nearest line above naming one; a line above
every name counts for all. What is read is for the référent only: it never goes in an email.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from mailbot.domain.states import Eligibility
from mailbot.parse.contacts import fold
from mailbot.resources import rule_file

__all__ = ["EligibilityRules", "add_eligibility", "eligibility_of", "load_eligibility_rules",
           "read_line"]

# Words that may follow a label before the colon ("Public du candidat :").
_LABEL_TAIL = frozenset({"du", "de", "la", "le", "l", "d", "candidat", "candidate", "candidats",
                         "personne", "concerne", "concernee"})
# Where an answer stops on a line (another item of the line follows).
_VALUE_END = re.compile(r"\s[–—|]\s|\s-\s|\t|\s{3,}")
# Between two answers of one line.
_PIECES = re.compile(r"[,;/+]|\bet\b|\bou\b")
_BULLET = re.compile(r"^\s*(?:[-•*·–]|\d+[.)])\s+")


def _words(text: str) -> tuple[str, ...]:
    text = text.replace("œ", "oe").replace("Œ", "OE")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return tuple(re.findall(r"[a-z0-9]+", ascii_text))


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(words[i:i + size] == phrase for i in range(len(words) - size + 1))


@dataclass(frozen=True)
class EligibilityRules:
    """Labels of an eligibility line and the words of each code (folded)."""

    labels: tuple[tuple[str, ...], ...]
    codes: tuple[tuple[Eligibility, tuple[str, ...]], ...]

    @classmethod
    def from_data(cls, data: dict) -> EligibilityRules:
        labels = {_words(w) for w in data.get("labels", {}).get("words", [])} - {()}
        codes = [(Eligibility(code), _words(w)) for code, words in data.get("codes", {}).items()
                 for w in words if _words(w)]
        return cls(tuple(sorted(labels, key=len, reverse=True)), tuple(codes))

    def is_label(self, text: str) -> bool:
        """`text` (what stands before a colon) ends with a listed label."""
        words = _words(text)
        while words and words[-1] in _LABEL_TAIL:
            words = words[:-1]
        return any(words[-len(label):] == label for label in self.labels if len(words) >= len(label))

    def codes_of(self, value: str) -> list[Eligibility]:
        """The codes an answer states, in list order; an answer naming none is `other`."""
        found: list[Eligibility] = []
        for piece in _PIECES.split(_fold_keep_spaces(value)):
            words = _words(piece)
            if not words:
                continue
            codes = [code for code, phrase in self.codes if _contains(words, phrase)]
            found.extend(codes or [Eligibility.OTHER])
        return _ordered(found)


def _fold_keep_spaces(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _ordered(codes: Sequence[Eligibility]) -> list[Eligibility]:
    """Each code once, in the order of the Eligibility list."""
    return [code for code in Eligibility if code in codes]


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> EligibilityRules:
    with open(path, "rb") as fh:
        return EligibilityRules.from_data(tomllib.load(fh))


def load_eligibility_rules() -> EligibilityRules:
    """The rules of `eligibility.toml` (the référent's copy first), read again when it changes."""
    path = rule_file("eligibility.toml")
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


def read_line(line: str, rules: EligibilityRules) -> list[Eligibility] | None:
    """The codes of an eligibility line ("Public : RSA"), [] for a label with nothing after it
    (the answer may follow below), None when the line holds no eligibility label."""
    for colon in [m.start() for m in re.finditer(r"[:=]", line)]:
        if not rules.is_label(line[:colon]):
            continue
        value = _before_next(_VALUE_END.split(line[colon + 1:], maxsplit=1)[0])
        return rules.codes_of(value) if _words(value) else []
    return None


def _before_next(value: str) -> str:
    """An answer followed by another 'Label : …' on the same line keeps what comes before it."""
    head, _, _ = value.partition(":")
    if head == value:
        return value
    pieces = re.split(r"[,;]", head)
    return ",".join(pieces[:-1]) if len(pieces) > 1 else ""


def eligibility_of(lines: Sequence[str], rules: EligibilityRules) -> list[tuple[int, list[Eligibility]]]:
    """(line index, codes) of each eligibility statement of `lines`; a label alone on its line
    takes its answer from the bulleted lines below it (else the next line, if it names a code)."""
    found: list[tuple[int, list[Eligibility]]] = []
    for index, line in enumerate(lines):
        codes = read_line(line, rules)
        if codes is None:
            continue
        if not codes:
            codes = _answer_below(lines[index + 1:], rules)
        if codes:
            found.append((index, codes))
    return found


def _answer_below(lines: Sequence[str], rules: EligibilityRules) -> list[Eligibility]:
    bullets: list[Eligibility] = []
    for line in lines:
        if not _BULLET.match(line):
            break
        bullets.extend(rules.codes_of(_BULLET.sub("", line)))
    if bullets:
        return _ordered(bullets)
    following = next((line for line in lines if line.strip()), "")
    codes = rules.codes_of(following) if following and ":" not in following else []
    return codes if codes and codes != [Eligibility.OTHER] else []


def _keys(person: dict) -> list[str]:
    keys = [fold(person.get("last_name") or ""), fold(person.get("first_name") or "")]
    return [key for key in keys if len(key) >= 3]


def add_eligibility(body: str, candidates: list[dict],
                    rules: EligibilityRules | None = None) -> None:
    """Set `eligibility` (a list of codes) on each candidate dict the email's body states it
    for; a candidate it says nothing about gets no key."""
    rules = rules or load_eligibility_rules()
    lines = (body or "").splitlines()
    statements = eligibility_of(lines, rules)
    found: list[list[Eligibility]] = [[] for _ in candidates]
    if len(candidates) == 1:
        found[0] = [code for _, codes in statements for code in codes]
    elif statements:
        keys = [_keys(person) for person in candidates]
        for index, codes in statements:
            for position in _owners(lines, index, keys):
                found[position].extend(codes)
    for person, codes in zip(candidates, found, strict=True):
        if codes:  # the key only when the partner stated something
            person["eligibility"] = [code.value for code in _ordered(codes)]


def _owners(lines: Sequence[str], index: int, keys: list[list[str]]) -> list[int]:
    """The candidates a statement on line `index` is about: those named on it, else on the
    nearest line above naming one; every candidate when no line above names any."""
    for line in reversed(lines[:index + 1]):
        folded = fold(line)
        named = [i for i, own in enumerate(keys) if any(key in folded for key in own)]
        if named:
            return named
    return list(range(len(keys)))
